import type Database from 'better-sqlite3'
import { v3OutcomeBatch, v5BatchKeys, type V3Outcome } from './frozen-codecs.js'

/**
 * Versioned schema (PRAGMA user_version = number of migrations applied). Append only:
 * a released migration is never edited, so every node upgrades the same way. Migrations are
 * frozen history: they spell out their columns, meta keys and encodings (frozen-codecs.ts)
 * rather than importing the live ones, which may change.
 */

/** The 11 counter columns as migrations 1 and 6 created them. */
const V1_COUNTER_COLUMNS = ['n', 'c_pass', 'c_grader_fail', 'c_timeout', 'c_no_tool_calls', 'c_error', 'offloaded',
  'sum_duration_ms', 'n_duration', 'sum_cost_micros', 'n_cost'].map(c => `${c} INTEGER NOT NULL DEFAULT 0`).join(', ')
const MIGRATIONS: Array<string | ((db: Database.Database) => void)> = [
  // 1: raw outcomes, per-origin day counters, local change marks, window rollup, metadata.
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;

   -- Raw outcomes never leave the node. client_id is the client's idempotency key; the unique
   -- index is partial so outcomes without one cost no index write. No day index: pruning
   -- scans once a day, recording runs all the time.
   CREATE TABLE outcomes (
     seq INTEGER PRIMARY KEY,
     client_id TEXT,
     task_type TEXT NOT NULL, tool TEXT NOT NULL, model TEXT NOT NULL,
     outcome TEXT NOT NULL CHECK (outcome IN ('pass','grader_fail','timeout','no_tool_calls','error')),
     duration_s REAL, cost_usd REAL, offloaded INTEGER NOT NULL, user_id TEXT,
     at_ms INTEGER NOT NULL, day INTEGER NOT NULL);
   CREATE UNIQUE INDEX outcomes_client_id ON outcomes (client_id) WHERE client_id IS NOT NULL;

   -- Day counters per origin (0 = this node, >0 = a peer origin from the origins table).
   CREATE TABLE counters (
     task_type TEXT NOT NULL, origin INTEGER NOT NULL, tool TEXT NOT NULL, model TEXT NOT NULL, day INTEGER NOT NULL,
     ${V1_COUNTER_COLUMNS}, hist BLOB,
     PRIMARY KEY (task_type, origin, tool, model, day)) WITHOUT ROWID;
   CREATE INDEX counters_day ON counters (day);

   -- Keys of this node's counters changed since the last export (the change marks).
   CREATE TABLE changed_keys (
     task_type TEXT NOT NULL, tool TEXT NOT NULL, model TEXT NOT NULL, day INTEGER NOT NULL,
     PRIMARY KEY (task_type, tool, model, day)) WITHOUT ROWID;

   -- Rollup of the default window per (task type, origin, arm); origin -1 holds the sum over
   -- peer origins and its 'origins' column counts them. Kept in the same transaction as the
   -- counters so best() reads one or two rows per arm whatever the data size.
   CREATE TABLE arm_window (
     task_type TEXT NOT NULL, origin INTEGER NOT NULL, tool TEXT NOT NULL, model TEXT NOT NULL,
     ${V1_COUNTER_COLUMNS}, hist BLOB, origins INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (task_type, origin, tool, model)) WITHOUT ROWID;`,

  // 2: origins (id 0 = this node) and the signed envelopes kept per origin for relay and sync.
  `CREATE TABLE origins (
     id INTEGER PRIMARY KEY,
     peer_id TEXT UNIQUE,
     -- highest sequence number merged, and the newest snapshot's (envelopes before it are dropped)
     last_seq INTEGER NOT NULL DEFAULT 0,
     snapshot_seq INTEGER NOT NULL DEFAULT 0,
     first_seen_ms INTEGER, last_seen_ms INTEGER);
   INSERT INTO origins (id, peer_id) VALUES (0, NULL);

   -- Per origin: the newest snapshot and the deltas after it, as received (signed bytes).
   CREATE TABLE envelopes (
     origin INTEGER NOT NULL REFERENCES origins (id),
     seq INTEGER NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('delta', 'snapshot')),
     bytes BLOB NOT NULL,
     received_ms INTEGER NOT NULL,
     PRIMARY KEY (origin, seq)) WITHOUT ROWID;`,

  // 3: raw outcomes stored per recorded batch (raw-outcomes.ts), idempotency keys in their own table.
  db => {
    db.exec(`CREATE TABLE outcome_batches (
       seq INTEGER PRIMARY KEY,
       -- days of the batch's oldest and newest outcomes, for retention pruning
       first_day INTEGER NOT NULL,
       last_day INTEGER NOT NULL,
       count INTEGER NOT NULL,
       body BLOB NOT NULL);
     CREATE TABLE outcome_ids (client_id TEXT PRIMARY KEY, day INTEGER NOT NULL) WITHOUT ROWID;
     INSERT INTO outcome_ids (client_id, day) SELECT client_id, day FROM outcomes WHERE client_id IS NOT NULL;`)
    moveOutcomeRowsToBatches(db)
    db.exec('DROP TABLE outcomes')
  },

  // 4: this node's window totals move to memory (local-window.ts), loaded from its day counters.
  // The day index gains the origin, so that load reads only this node's rows in full. (A partial
  // index on origin = 0 cost merges two thirds of their speed.)
  `DELETE FROM arm_window WHERE origin = 0;
   DROP INDEX counters_day;
   CREATE INDEX counters_day ON counters (day, origin);`,

  // 5: the change marks become the keys of each raw batch (raw-outcomes.ts): a delta exports the
  // keys of the batches after meta.exported_batch_seq. Pending marks move into one empty batch.
  db => {
    db.exec('ALTER TABLE outcome_batches ADD COLUMN keys BLOB')
    const exported = db.prepare('SELECT COALESCE(MAX(seq), 0) FROM outcome_batches').pluck().get() as number
    db.prepare("INSERT INTO meta (key, value) VALUES ('exported_batch_seq', ?)").run(exported)
    const marks = db.prepare('SELECT task_type AS taskType, tool, model, day FROM changed_keys').all() as Array<{ taskType: string, tool: string, model: string, day: number }>
    if (marks.length > 0) {
      // first_day = last_day: the row is never rewritten by pruning, only dropped with its newest day
      const day = marks.reduce((newest, k) => Math.max(newest, k.day), 0)
      db.prepare('INSERT INTO outcome_batches (first_day, last_day, count, body, keys) VALUES (?, ?, 0, ?, ?)')
        .run(day, day, v3OutcomeBatch([]), v5BatchKeys(marks))
    }
    db.exec('DROP TABLE changed_keys')
  },

  // 6: baselines (baselines.ts): named, frozen per-arm counters and histograms of one scope and
  // window, local only (never gossiped), with the last gate result judged against each.
  `CREATE TABLE baselines (
     name TEXT PRIMARY KEY,
     created_ms INTEGER NOT NULL,
     scope TEXT NOT NULL CHECK (scope IN ('local', 'hive')),
     window_days INTEGER NOT NULL,
     -- the UTC days the frozen counters cover (end_day = the capture day)
     start_day INTEGER NOT NULL,
     end_day INTEGER NOT NULL,
     task_types TEXT, note TEXT, git_sha TEXT,
     last_gate TEXT, last_gate_ms INTEGER) WITHOUT ROWID;
   CREATE TABLE baseline_arms (
     baseline TEXT NOT NULL,
     task_type TEXT NOT NULL, tool TEXT NOT NULL, model TEXT NOT NULL,
     ${V1_COUNTER_COLUMNS}, hist BLOB, origins INTEGER NOT NULL,
     PRIMARY KEY (baseline, task_type, tool, model)) WITHOUT ROWID;`,

  // 7: the newest day of each stored envelope's entries (NULL: unknown, or no entries), so
  // retention drops envelopes whose days it pruned (retention.ts) and sync can bring back a
  // day pruned by mistake; and each origin's key count, which MAX_KEYS_PER_ORIGIN bounds.
  `ALTER TABLE envelopes ADD COLUMN last_day INTEGER;
   ALTER TABLE origins ADD COLUMN key_count INTEGER NOT NULL DEFAULT 0;
   UPDATE origins SET key_count = COALESCE((SELECT COUNT(*) FROM counters WHERE counters.origin = origins.id), 0);`,

  // 8: each stored envelope's batch (its first seq and parts; NULL: stored before), so an
  // envelope whose batch disagrees with a stored one is ignored (protocol/README.md, R27).
  `ALTER TABLE envelopes ADD COLUMN first_seq INTEGER;
   ALTER TABLE envelopes ADD COLUMN parts INTEGER;`
]

/** Migration 3: the v1 outcome rows become one batch per day and 10,000 rows, in recording order. */
function moveOutcomeRowsToBatches (db: Database.Database): void {
  const page = db.prepare<[number], Record<string, unknown>>('SELECT * FROM outcomes WHERE seq > ? ORDER BY seq LIMIT 10000')
  const insert = db.prepare<[number, number, number, Buffer]>('INSERT INTO outcome_batches (first_day, last_day, count, body) VALUES (?, ?, ?, ?)')
  for (let rows = page.all(0); rows.length > 0; rows = page.all(Number(rows.at(-1)?.seq))) {
    const byDay = new Map<number, V3Outcome[]>()
    for (const r of rows) {
      const list = byDay.get(Number(r.day)) ?? []
      list.push({
        taskType: String(r.task_type), tool: String(r.tool), model: String(r.model),
        outcome: String(r.outcome), // migration 1's CHECK constraint admits only the classes
        durationS: r.duration_s as number | null, costUsd: r.cost_usd as number | null, offloaded: r.offloaded === 1,
        userId: r.user_id as string | null, id: r.client_id as string | null, atMs: Number(r.at_ms)
      })
      byDay.set(Number(r.day), list)
    }
    for (const [day, outcomes] of byDay) insert.run(day, day, outcomes.length, v3OutcomeBatch(outcomes))
  }
}

/** The schema version this code writes and reads. */
export const SCHEMA_VERSION = MIGRATIONS.length

/** Brings the schema to version `target` (tests stop early to build an old database). */
export function migrate (db: Database.Database, target = MIGRATIONS.length): void {
  const current = db.pragma('user_version', { simple: true }) as number
  if (current > MIGRATIONS.length) {
    throw new Error(`database schema version ${current} is newer than this hivebench (${MIGRATIONS.length}); upgrade hivebench`)
  }
  for (const [i, step] of MIGRATIONS.slice(current, target).entries()) {
    db.transaction(() => {
      if (typeof step === 'string') db.exec(step)
      else step(db)
      db.pragma(`user_version = ${current + i + 1}`)
    })()
  }
}
