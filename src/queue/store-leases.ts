/**
 * The parts of the message store that delivery leases add (issue 10): the condition that excludes leased rows (the
 * column itself is in store-schema.ts, which adds it to older tables), the shape of a due message planned without its body, and the two read-only timing statements over leases.
 * The statements that write leases are in store.ts, which tells its tally (store-counts.ts) of each.
 */
import { SQL_MAX_BOUND_PARAMETERS } from '../shared/platform';
import type { SqlCounters } from '../shared/sql';

/** A due message as a batch is planned on it: its key, group, receives so far and UTF-8 size (no body). */
export interface DueKey {
  visibleAt: number;
  seq: number;
  groupId?: string;
  receiveCount: number;
  bytes: number;
}

/** A row is leased while lease_until is ahead of now (bound as the statement's `now` parameter). */
export const NOT_LEASED = '(lease_until IS NULL OR lease_until <= ?)';

export function keyChunks<K>(keys: K[]): K[][] {
  const perStatement = Math.floor((SQL_MAX_BOUND_PARAMETERS - 10) / 2);
  const chunks: K[][] = [];
  for (let i = 0; i < keys.length; i += perStatement) chunks.push(keys.slice(i, i + perStatement));
  return chunks;
}

/** Earliest max(visible_at, lease_until) of rows not `excluded`: walks visible_at order, reading the leased front + 1. */
export function earliestDue(sql: SqlCounters, excluded: Set<number>): number | null {
  let best: number | null = null;
  let after: [number, number] = [-1, -1];
  for (;;) {
    const rows = sql.all('SELECT seq, visible_at, lease_until FROM messages WHERE (visible_at, seq) > (?, ?) ORDER BY visible_at, seq LIMIT 32', ...after);
    for (const r of rows) {
      const visibleAt = r.visible_at as number;
      if (best !== null && visibleAt >= best) return best;
      if (excluded.has(r.seq as number)) continue;
      const due = Math.max(visibleAt, (r.lease_until as number | null) ?? 0);
      best = best === null ? due : Math.min(best, due);
    }
    if (rows.length < 32) return best;
    const last = rows[rows.length - 1];
    after = [last.visible_at as number, last.seq as number];
  }
}

/** When the first live lease on a visible row ends (a leased row is due again then), or null. */
export function nextLeaseEnd(sql: SqlCounters, now: number): number | null {
  const row = sql.one('SELECT MIN(lease_until) AS t FROM messages WHERE visible_at <= ?1 AND lease_until > ?1', now);
  return (row?.t as number | null) ?? null;
}
