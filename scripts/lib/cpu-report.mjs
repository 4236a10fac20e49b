// Preloaded by bench:cli into every measured process (the baseline too): at exit, prints the
// process's CPU time (user + system, microseconds) on stderr, so that figures stay comparable
// when a shared machine's load stretches wall time.
process.on('exit', () => {
  const { user, system } = process.cpuUsage()
  process.stderr.write(`\nbench-cpu-us ${user + system}\n`)
})
