import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'
import { OUTCOME_CLASSES } from '../core/types.js'
import type { RankedArm } from '../core/ranking.js'
import type { OutcomeInput } from '../core/outcome.js'
import { EXPLORE_SHARE_HELP, type RouteResult } from '../core/route.js'
import type { BestResult, OriginJson, StatsResult, StoreTracker } from '../tracker.js'
import { callDaemon, findDaemon } from './daemon-client.js'
import { recordOutcome } from './record-outcome.js'

/**
 * The MCP tools of `hivebench mcp`. Queries read the data dir's database (the same answers as
 * the daemon's API, without an HTTP round trip); record_outcome and peers go through the running
 * daemon when there is one (its group commit and metrics; its live peers), else embedded.
 * Every result carries a one-paragraph answer for the model and the JSON shape that the HTTP API
 * and `--json` share (as structuredContent and as a JSON text block).
 */
export interface McpContext {
  dataDir?: string
  /** the embedded tracker, opened on first use */
  tracker: () => StoreTracker
  version: string
}

const scope = z.enum(['local', 'hive']).optional().describe('local: this node only; hive: every origin, this node included (default)')
const query = {
  task_type: z.string().describe('the task type, e.g. bug_fix'),
  model: z.string().optional().describe('only arms with this model'),
  scope,
  window_days: z.number().int().optional().describe('only the last N UTC days (default 30)'),
  min_samples: z.number().int().optional().describe('samples an arm needs to be eligible as best (default 5)')
}
const nullable = <T extends z.ZodType>(t: T): z.ZodOptional<z.ZodNullable<T>> => t.nullable().optional()

// Types only: every bound and rule is the tracker's own (the same field, rule and message as
// HTTP); strict objects, so a misspelt field is an error instead of being dropped.
const outcomeInput = z.strictObject({
  task_type: z.string().describe('e.g. bug_fix (1..128 characters)'),
  tool: z.string().describe('the coding tool, e.g. aider, claude-code'),
  model: nullable(z.string()).describe('the model, e.g. gpt-5 (optional)'),
  outcome: z.enum(OUTCOME_CLASSES).optional().describe('pass | grader_fail | timeout | no_tool_calls | error (or give success)'),
  success: z.boolean().optional().describe('shorthand: true = pass, false = grader_fail'),
  duration_s: nullable(z.number()).describe('seconds, > 0; omit when unknown'),
  cost_usd: nullable(z.number()).describe('USD, >= 0'),
  offloaded: z.boolean().optional().describe('the task was run for the hive'),
  user_id: nullable(z.string()).describe('local user id (never leaves this node)'),
  id: nullable(z.string()).describe('idempotency key: the same id recorded twice counts once'),
  at: nullable(z.string()).describe('ISO 8601, default now')
})

const label = (arm: { tool: string, model: string }): string => arm.model === '' ? arm.tool : `${arm.tool} / ${arm.model}`
const pct = (x: number | null): string => x === null ? '-' : `${(x * 100).toFixed(1)}%`
const armFacts = (a: RankedArm): string =>
  `${a.pass} of ${a.n} passed (${pct(a.pass_rate)}, 95% lower bound ${pct(a.wilson_lower)})` +
  (a.p50_s === null ? '' : `, median ${a.p50_s.toFixed(1)} s`) + (a.mean_cost_usd === null ? '' : `, mean cost $${a.mean_cost_usd.toFixed(4)}`) +
  `, from ${a.origins} origin${a.origins === 1 ? '' : 's'}`

export function bestParagraph (r: BestResult): string {
  const where = `${r.scope} scope, last ${r.window_days} days`
  if (r.best === null) {
    const known = r.ranking.length === 0 ? 'nothing is recorded for it yet' : `${r.ranking.length} arm(s) are known: ${r.ranking.map(a => `${label(a)} (n=${a.n})`).join(', ')}`
    return `No tool has ${r.min_samples}+ samples for ${r.task_type} yet (${where}); ${known}.`
  }
  const next = r.ranking.filter(a => a.benchmarked)[1]
  return `For ${r.task_type} (${where}) the best arm is ${label(r.best)}: ${armFacts(r.best)}.` +
    (next === undefined ? ' It is the only benchmarked arm.' : ` Runner-up: ${label(next)}, ${armFacts(next)}.`) +
    ` Arms are ranked by the Wilson 95% lower bound of their pass rate; ${r.ranking.length} arm(s) known.`
}

export function routeParagraph (r: RouteResult): string {
  return r.arm === null ? `No arm is known for ${r.task_type}: ${r.reason}.` : `Use ${label(r.arm)} for ${r.task_type} now (${r.mode}). ${r.reason}.`
}

export function statsParagraph (r: StatsResult): string {
  if (r.task_types.length === 0) return `No outcomes in the last ${r.window_days} days (${r.scope} scope).`
  const each = r.task_types.map(({ task_type: t, ranking }) => {
    const best = ranking.find(a => a.benchmarked)
    return best === undefined ? `${t}: ${ranking.length} arm(s), none benchmarked yet` : `${t}: ${label(best)} leads, ${best.pass}/${best.n} passed`
  })
  return `${r.task_types.length} task type(s) in the last ${r.window_days} days (${r.scope} scope). ${each.join('; ')}.`
}

interface PeersView { daemon: string | null, peers: Array<Record<string, unknown>>, origins: OriginJson[] }

export function peersParagraph (v: PeersView): string {
  const others = v.origins.filter(o => !o.self).length
  const peers = v.daemon === null
    ? 'No daemon runs for this data dir, so connected peers are unknown'
    : `The daemon at ${v.daemon} has ${v.peers.length} connected peer(s)`
  return `${peers}; this node holds counters from ${v.origins.length} origin(s) (itself and ${others} other${others === 1 ? '' : 's'}).`
}

/** A tool result: the paragraph, then the JSON (as text for clients that only read text, and structured). */
const answer = (paragraph: string, json: object): { content: Array<{ type: 'text', text: string }>, structuredContent: Record<string, unknown> } =>
  ({ content: [{ type: 'text', text: paragraph }, { type: 'text', text: JSON.stringify(json) }], structuredContent: json as Record<string, unknown> })

const queryOptions = (a: { model?: string, scope?: 'local' | 'hive', window_days?: number, min_samples?: number }): { model?: string, scope?: 'local' | 'hive', windowDays?: number, minSamples?: number } =>
  ({ model: a.model, scope: a.scope, windowDays: a.window_days, minSamples: a.min_samples })

export function createMcpServer (ctx: McpContext): McpServer {
  const server = new McpServer({ name: 'hivebench', version: ctx.version })
  const readOnly = { readOnlyHint: true, openWorldHint: false }

  server.registerTool('best_tool', {
    title: 'Best tool for a task type',
    description: 'Which coding tool (and model) has the best record for a task type on this node or across the hive, with the evidence: pass counts, Wilson 95% bounds, latency, cost, outcome mix.',
    inputSchema: query,
    annotations: readOnly
  }, async (a) => {
    const r = ctx.tracker().best(a.task_type, queryOptions(a))
    return answer(bestParagraph(r), r)
  })

  server.registerTool('route', {
    title: 'Which tool to use now',
    description: 'Picks the arm to run now for a task type: usually the best estimate, sometimes (epsilon-exploring Thompson sampling) an arm that could still be best, so the ranking keeps learning; exploration fades as the arms separate. Give tools to choose among your own candidates.',
    inputSchema: {
      ...query,
      explore_share: z.number().optional().describe(EXPLORE_SHARE_HELP),
      seed: z.string().optional().describe('makes the decision reproducible'),
      tools: z.array(z.string()).optional().describe('only these tools are candidates; an unknown one counts as n = 0')
    },
    annotations: readOnly
  }, async (a) => {
    const r = ctx.tracker().route(a.task_type, { ...queryOptions(a), exploreShare: a.explore_share, seed: a.seed, tools: a.tools })
    return answer(routeParagraph(r), r)
  })

  server.registerTool('record_outcome', {
    title: 'Record a task outcome',
    description: 'Records how one coding-tool task ended (the same fields and rules as POST /v1/outcomes). Give an id so a retry counts once.',
    inputSchema: outcomeInput,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false }
  }, async (input) => {
    const r = await recordOutcome(ctx.dataDir, input as OutcomeInput, ctx.tracker)
    const arm = label({ tool: input.tool, model: input.model ?? '' })
    const what = input.outcome ?? (input.success === true ? 'pass' : 'grader_fail')
    return answer(r.recorded === 1
      ? `Recorded ${input.task_type} / ${arm}: ${what} (${r.summary}).`
      : `Not counted again: an outcome with id ${input.id ?? ''} was already recorded (${r.summary}).`, { recorded: r.recorded, duplicates: r.duplicates, via: r.via })
  })

  server.registerTool('stats', {
    title: 'Every arm of every task type',
    description: 'Per task type (or one): every arm with pass rate, Wilson bounds, latency, cost, outcome mix and origins.',
    inputSchema: { task_type: z.string().optional().describe('only this task type'), scope, window_days: query.window_days, min_samples: query.min_samples },
    annotations: readOnly
  }, async (a) => {
    const r = ctx.tracker().stats({ ...queryOptions(a), taskType: a.task_type })
    return answer(statsParagraph(r), r)
  })

  server.registerTool('peers', {
    title: 'Peers and origins',
    description: "The running daemon's connected peers and every origin whose counters this node holds.",
    inputSchema: {},
    annotations: readOnly
  }, async () => {
    const daemon = findDaemon(ctx.dataDir)
    let view: PeersView = { daemon: null, peers: [], origins: [] }
    if (daemon !== null) {
      try {
        view = { daemon: daemon.url, ...await callDaemon(ctx.dataDir, 'GET', '/v1/peers') as Omit<PeersView, 'daemon'> }
      } catch { /* gone since: answered from the database below */ }
    }
    if (view.daemon === null) view.origins = ctx.tracker().origins()
    return answer(peersParagraph(view), view)
  })

  return server
}
