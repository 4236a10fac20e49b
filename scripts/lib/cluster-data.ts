import { DAY_MS } from '../../src/core/time.js'

/**
 * Outcomes of the cluster benchmark. Key i of a round (0 <= i < keys) is
 * (task_<i%5>, tool_<(i/5)%8>, model_<i/40>, today): all distinct. Outcome j touches key j % keys,
 * so `outcomes` >= `keys` changes exactly `keys` keys of this node's origin.
 */
export function roundOutcomes (keys: number, outcomes: number, round: number): object[] {
  const OUTCOME_MIX = ['pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'grader_fail', 'grader_fail', 'timeout', 'error']
  return Array.from({ length: Math.max(keys, outcomes) }, (_, j) => {
    const i = j % keys
    return {
      task_type: `task_${i % 5}`,
      tool: `tool_${Math.floor(i / 5) % 8}`,
      model: `model_${Math.floor(i / 40)}`,
      outcome: OUTCOME_MIX[(j * 7 + round) % OUTCOME_MIX.length],
      duration_s: 5 + ((j * 37 + round * 11) % 200),
      cost_usd: 0.01 * (j % 7)
    }
  })
}

/**
 * Seed of one origin for the late-joiner hive: `keys` distinct keys, 10 task types x 10 tools x
 * models x days (5 days, so a key is a (task type, tool, model, day) bucket as on a real node),
 * `perKey` outcomes each with durations and costs, so histograms are not trivial.
 */
export function seedOutcomes (origin: number, keys: number, perKey: number, nowMs: number): object[] {
  const DAYS = 5
  const out: object[] = []
  for (let i = 0; i < keys; i++) {
    const day = i % DAYS
    const arm = Math.floor(i / DAYS)
    for (let j = 0; j < perKey; j++) {
      const r = (origin * 131 + i * 17 + j * 7) % 10
      out.push({
        task_type: `task_${arm % 10}`,
        tool: `tool_${Math.floor(arm / 10) % 10}`,
        model: `model_${Math.floor(arm / 100)}`,
        outcome: r < 6 ? 'pass' : r < 8 ? 'grader_fail' : r < 9 ? 'timeout' : 'no_tool_calls',
        duration_s: 3 + ((origin * 13 + i * 29 + j * 101) % 900),
        cost_usd: ((i + j) % 50) / 100,
        at: new Date(nowMs - day * DAY_MS - 60_000).toISOString()
      })
    }
  }
  return out
}
