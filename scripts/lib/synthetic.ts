import type { OutcomeInput } from '../../src/core/outcome.js'
import { DAY_MS } from '../../src/core/time.js'

/**
 * Synthetic outcomes: `taskTypes` x `tools` x `models` arms over `days` days, each arm with its
 * own pass rate and latency scale, durations log-normal, a few timeouts and errors.
 */
export function syntheticOutcomes (random: () => number, shape: { taskTypes: number, tools: number, models: number, days: number, nowMs: number }): () => OutcomeInput {
  const passRate = (t: number, tool: number, m: number): number => 0.2 + 0.7 * (((t * 31 + tool * 17 + m * 7) % 23) / 23)
  return () => {
    const t = Math.floor(random() * shape.taskTypes)
    const tool = Math.floor(random() * shape.tools)
    const m = Math.floor(random() * shape.models)
    const r = random()
    const p = passRate(t, tool, m)
    const outcome = r < p ? 'pass' : r < p + 0.02 ? 'timeout' : r < p + 0.03 ? 'error' : 'grader_fail'
    const gauss = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
    return {
      task_type: `task_${t}`,
      tool: `tool_${tool}`,
      model: `model_${m}`,
      outcome,
      duration_s: Math.min(604800, Math.exp(3 + tool * 0.1 + 0.8 * gauss)),
      cost_usd: Math.round(random() * 2e6) / 1e6,
      at: new Date(shape.nowMs - Math.floor(random() * shape.days) * DAY_MS - Math.floor(random() * 3_600_000)).toISOString()
    }
  }
}

/**
 * Agent-shaped batches: each batch is one agent run, one task type on one day, its outcomes
 * spread over every tool and model (tools x models keys), the shape a node sees from an agent's
 * batch POST or an import. Batch b uses task type b mod taskTypes and day b mod days back.
 */
export function agentShapedBatches (next: () => OutcomeInput, shape: { taskTypes: number, days: number, nowMs: number }, batches: number, size: number): OutcomeInput[][] {
  return Array.from({ length: batches }, (_, b) => Array.from({ length: size }, () => {
    const o = next()
    o.task_type = `task_${b % shape.taskTypes}`
    o.at = new Date(shape.nowMs - (b % shape.days) * DAY_MS).toISOString()
    return o
  }))
}
