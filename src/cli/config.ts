import { configFileOf, settingsOf } from '../config/layers.js'
import { printJson, queryCommand, type DataDirOptions, type JsonOption } from './common.js'
import { withStartOptions } from './start.js'
import { textTable } from './table.js'
import { say } from './terminal.js'

export const configCommand = withStartOptions(queryCommand('config'))
  .action(function (this: import('commander').Command, o: DataDirOptions & JsonOption & { config?: string }) {
    const settings = settingsOf(this)
    const file = configFileOf(o.config, o.dataDir ?? process.env.HIVEBENCH_DATA_DIR)
    if (o.json === true) return printJson({ file, settings })
    say(`config file: ${file ?? 'none'}`)
    console.log(textTable(['setting', 'value', 'source'], settings.map(s => [
      s.key, s.value === null ? '-' : Array.isArray(s.value) ? (s.value.length === 0 ? '[]' : s.value.join(' ')) : String(s.value), s.source
    ])))
  })
