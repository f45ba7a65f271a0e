/** The warming pings' history (the `pings` table): the last PINGS_KEPT_PER_FUNCTION per function. */
import type { SqlCounters } from '../shared/sql';

export const PINGS_KEPT_PER_FUNCTION = 50;

/** One warming ping, as stored and as the pages show it. */
export interface PingView {
  at: number;
  status: number | null;
  latencyMs: number | null;
  error?: string;
  coldStartLikely: boolean;
}

/** A ping as warming returns it: which function it was for, and the outcome. */
export interface PingResult extends PingView {
  functionName: string;
}

const PINGS_SCHEMA = `
CREATE TABLE IF NOT EXISTS pings (id INTEGER PRIMARY KEY, function TEXT NOT NULL, at INTEGER NOT NULL, status INTEGER, latency_ms INTEGER, error TEXT, cold INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS pings_by_function ON pings (function, id);
`;

export class PingHistory {
  constructor(private readonly sql: SqlCounters) {
    sql.exec(PINGS_SCHEMA);
  }

  /** Stores the results, then trims each function they name to its last PINGS_KEPT_PER_FUNCTION. */
  record(results: PingResult[]): void {
    for (const r of results) {
      this.sql.exec(
        'INSERT INTO pings (function, at, status, latency_ms, error, cold) VALUES (?, ?, ?, ?, ?, ?)',
        r.functionName,
        r.at,
        r.status,
        r.latencyMs,
        r.error ?? null,
        r.coldStartLikely ? 1 : 0,
      );
    }
    for (const name of new Set(results.map((r) => r.functionName))) {
      this.sql.exec(
        'DELETE FROM pings WHERE function = ? AND id NOT IN (SELECT id FROM pings WHERE function = ? ORDER BY id DESC LIMIT ?)',
        name,
        name,
        PINGS_KEPT_PER_FUNCTION,
      );
    }
  }

  /** Oldest first. */
  of(name: string): PingView[] {
    return this.sql
      .all('SELECT * FROM pings WHERE function = ? ORDER BY id', name)
      .map((r) => ({
        at: r.at as number,
        status: (r.status as number | null) ?? null,
        latencyMs: (r.latency_ms as number | null) ?? null,
        error: (r.error as string | null) ?? undefined,
        coldStartLikely: r.cold === 1,
      }));
  }

  /** The median latency of the function's successful pings, or null before its first. */
  medianLatency(name: string): number | null {
    const values = this.of(name)
      .filter((p) => p.latencyMs !== null && !p.error)
      .map((p) => p.latencyMs as number)
      .sort((a, b) => a - b);
    return values.length ? values[Math.floor(values.length / 2)] : null;
  }

  /** Drops the history of functions the last sync no longer listed. */
  keepOnlyKnownFunctions(): void {
    this.sql.exec('DELETE FROM pings WHERE function NOT IN (SELECT name FROM functions)');
  }
}
