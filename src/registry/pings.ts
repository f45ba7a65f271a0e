/**
 * The warming history, bounded and compact (issue 12: the cron's rows written). Two small tables, each written once
 * per warming run whatever the number of functions:
 * - `warm_runs`: a ring of the last RUNS_KEPT runs, one row per run holding every result of that run as tuples
 *   (slot = seq mod RUNS_KEPT, rewritten in place: one row written a run, the oldest run overwritten);
 * - `warm_days`: per UTC day and function, warming invocations, cold starts, init and billed durations (one row a day,
 *   rewritten by each run of that day; days older than DAYS_KEPT are dropped when a new day starts).
 * Cold starts of direct invokes are measured (the REPORT line's Init Duration, src/lambda/warmup.ts); those of URL
 * pings are guessed from latency.
 */
import type { SqlCounters } from '../shared/sql';

/** 48 runs: 4 hours of history at the cron's 5 minutes (the old table kept 50 pings per function, one row each). */
export const RUNS_KEPT = 48;
export const DAYS_KEPT = 30;

/** One warming ping or invocation, as stored and as the pages show it. */
export interface PingView {
  at: number;
  status: number | null;
  latencyMs: number | null;
  error?: string;
  /** URL pings: a guess from latency; invokes: the REPORT line had Init Duration */
  coldStartLikely: boolean;
  /** 'invoke' when warmed by direct Invoke (measured), absent for a URL ping */
  via?: 'invoke';
  initDurationMs?: number;
  billedDurationMs?: number;
}

/** A ping as warming returns it: which function it was for, and the outcome. */
export interface PingResult extends PingView {
  functionName: string;
}

/** One function's warming on one UTC day. */
export interface DayCounts {
  invocations: number;
  coldStarts: number;
  initMsSum: number;
  initMsMax: number;
  billedMsSum: number;
  billedCount: number;
}

export interface WarmDay {
  day: string;
  functions: Record<string, DayCounts>;
}

type Tuple = [string, 0 | 1, number | null, number | null, 0 | 1, number | null, number | null, string | null];

const encode = (r: PingResult): Tuple => [
  r.functionName,
  r.via === 'invoke' ? 1 : 0,
  r.status,
  r.latencyMs,
  r.coldStartLikely ? 1 : 0,
  r.initDurationMs ?? null,
  r.billedDurationMs ?? null,
  r.error ? r.error.slice(0, 200) : null,
];

function decode(at: number, [functionName, via, status, latencyMs, cold, init, billed, error]: Tuple): PingResult {
  return {
    functionName,
    at,
    status,
    latencyMs,
    coldStartLikely: cold === 1,
    ...(via === 1 ? { via: 'invoke' as const } : {}),
    ...(init !== null ? { initDurationMs: init } : {}),
    ...(billed !== null ? { billedDurationMs: billed } : {}),
    ...(error !== null ? { error } : {}),
  };
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS warm_runs (slot INTEGER PRIMARY KEY, seq INTEGER NOT NULL, at INTEGER NOT NULL, results TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS warm_days (day TEXT PRIMARY KEY, counts TEXT NOT NULL);
DROP TABLE IF EXISTS pings;
`;

export const dayOf = (at: number) => new Date(at).toISOString().slice(0, 10);

export class PingHistory {
  constructor(private readonly sql: SqlCounters) {
    sql.exec(SCHEMA);
  }

  /** Stores one run's results: one ring row and one day row (plus, once a day, the expired day's delete). */
  record(at: number, results: PingResult[]): void {
    if (results.length === 0) return;
    const last = this.sql.one('SELECT seq FROM warm_runs ORDER BY seq DESC LIMIT 1');
    const seq = ((last?.seq as number | undefined) ?? -1) + 1;
    this.sql.exec(
      'INSERT INTO warm_runs (slot, seq, at, results) VALUES (?, ?, ?, ?) ON CONFLICT (slot) DO UPDATE SET seq = excluded.seq, at = excluded.at, results = excluded.results',
      seq % RUNS_KEPT,
      seq,
      at,
      JSON.stringify(results.map(encode)),
    );
    this.addToDay(dayOf(at), results);
  }

  private addToDay(day: string, results: PingResult[]): void {
    const row = this.sql.one('SELECT counts FROM warm_days WHERE day = ?', day);
    if (!row) this.sql.exec('DELETE FROM warm_days WHERE day <= ?', dayOf(Date.parse(`${day}T00:00:00Z`) - DAYS_KEPT * 86_400_000));
    const counts = row ? (JSON.parse(row.counts as string) as Record<string, DayCounts>) : {};
    for (const r of results) {
      const c = (counts[r.functionName] ??= { invocations: 0, coldStarts: 0, initMsSum: 0, initMsMax: 0, billedMsSum: 0, billedCount: 0 });
      c.invocations++;
      if (r.via === 'invoke' && r.initDurationMs !== undefined) {
        c.coldStarts++;
        c.initMsSum += r.initDurationMs;
        c.initMsMax = Math.max(c.initMsMax, r.initDurationMs);
      }
      if (r.billedDurationMs !== undefined) {
        c.billedMsSum += r.billedDurationMs;
        c.billedCount++;
      }
    }
    this.sql.exec('INSERT INTO warm_days (day, counts) VALUES (?, ?) ON CONFLICT (day) DO UPDATE SET counts = excluded.counts', day, JSON.stringify(counts));
  }

  /** Every result of the kept runs, oldest first (at most RUNS_KEPT rows read). */
  recent(): PingResult[] {
    return this.sql
      .all('SELECT at, results FROM warm_runs ORDER BY seq')
      .flatMap((row) => (JSON.parse(row.results as string) as Tuple[]).map((t) => decode(row.at as number, t)));
  }

  /** Oldest first (at most DAYS_KEPT rows read). */
  days(): WarmDay[] {
    return this.sql.all('SELECT day, counts FROM warm_days ORDER BY day').map((r) => ({ day: r.day as string, functions: JSON.parse(r.counts as string) }));
  }
}

/** Per function, its results among `recent`, oldest first. */
export function byFunction(recent: PingResult[]): Map<string, PingView[]> {
  const map = new Map<string, PingView[]>();
  for (const { functionName, ...ping } of recent) map.set(functionName, [...(map.get(functionName) ?? []), ping]);
  return map;
}

/** The median latency of each function's successful URL pings (the cold-start guess compares with it). */
export function medianLatencies(recent: PingResult[]): Map<string, number> {
  const medians = new Map<string, number>();
  for (const [name, pings] of byFunction(recent)) {
    const values = pings
      .filter((p) => p.via !== 'invoke' && p.latencyMs !== null && !p.error)
      .map((p) => p.latencyMs as number)
      .sort((a, b) => a - b);
    if (values.length) medians.set(name, values[Math.floor(values.length / 2)]);
  }
  return medians;
}
