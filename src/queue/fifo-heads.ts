/**
 * FIFO selection by group heads, over the messages_fifo_groups index (group_id, seq) that store.ts creates: a
 * group's head and its run are one index range, so neither a busy group's backlog nor the number of busy groups
 * (never bound as parameters) makes a selection read more.
 *
 * A group is busy while its head (lowest seq) is invisible (received by a consumer, in flight), leased (stored in the
 * row: out for delivery to the function, also after a restart, until lease_until) or held here in `excluded` (out for
 * delivery, or being moved to the dead-letter queue). All three are read off the head row itself, so busy groups are
 * never listed.
 */
import type { SqlCounters } from '../shared/sql';
import { NOT_LEASED } from './store-leases';

type Row = Record<string, SqlStorageValue>;

/** Rows one FIFO selection looks at in due order before it asks the group index instead (a busy hot group's backlog). */
const FIFO_FRONT_ROWS_PER_MESSAGE = 3;

/**
 * Every group's head (lowest seq) that is visible and not leased, oldest first: one index step per group (a loose
 * scan of messages_fifo_groups), so a group's backlog is never read.
 */
const FIFO_FREE_HEADS = `
WITH RECURSIVE g(id) AS (
  SELECT MIN(group_id) FROM messages WHERE group_id IS NOT NULL
  UNION ALL
  SELECT (SELECT MIN(group_id) FROM messages WHERE group_id IS NOT NULL AND group_id > g.id) FROM g WHERE g.id IS NOT NULL
)
SELECT h.group_id FROM g JOIN messages h ON h.group_id = g.id
  AND h.seq = (SELECT MIN(seq) FROM messages WHERE group_id = g.id)
WHERE h.visible_at <= ?1 AND (h.lease_until IS NULL OR h.lease_until <= ?1) ORDER BY h.seq LIMIT ?2`;

export class FifoHeads {
  constructor(private readonly sql: SqlCounters) {}

  /**
   * FIFO: each free group's run from its head up to the first message not visible, leased or excluded, oldest
   * first; `columns` of each row (they must include seq, visible_at, sent_at and lease_until). Groups are found among
   * the first unleased rows in due order, which is cheap when groups are many and short; when those are all busy
   * groups' backlog, by the free heads of every group through the index (one step per group, never one per message).
   */
  selectDue(columns: string, now: number, cutoff: number, limit: number, excluded: Set<number>): Row[] {
    const front = limit * FIFO_FRONT_ROWS_PER_MESSAGE;
    const rows = this.sql.all(
      `SELECT group_id FROM messages WHERE visible_at <= ? AND group_id IS NOT NULL AND ${NOT_LEASED} ORDER BY visible_at, seq LIMIT ?`,
      now,
      now,
      front,
    );
    const taken = this.#takeGroups(columns, [...new Set(rows.map((r) => r.group_id as string))], now, cutoff, limit, excluded);
    if (taken.length >= limit || rows.length < front) return taken;
    // Heads held in memory (excluded) may come first: ask for that many more.
    const heads = this.sql.all(FIFO_FREE_HEADS, now, limit + excluded.size).map((r) => r.group_id as string);
    return this.#takeGroups(columns, heads, now, cutoff, limit, excluded);
  }

  /** The runs of the first `limit` free groups among `groups`, merged in send order (within a group, always). */
  #takeGroups(columns: string, groups: string[], now: number, cutoff: number, limit: number, excluded: Set<number>): Row[] {
    const taken: Row[] = [];
    let free = 0;
    for (const groupId of groups) {
      if (free >= limit) break;
      const run = this.#groupRun(columns, groupId, now, cutoff, limit, excluded);
      if (run.length > 0) free++;
      taken.push(...run);
    }
    return taken.sort((a, b) => (a.seq as number) - (b.seq as number)).slice(0, limit);
  }

  /**
   * A group's messages from its head on while visible, unleased and not excluded; expired ones are skipped (hidden,
   * deleted later). A busy head thus gives an empty run: the group waits.
   */
  #groupRun(columns: string, groupId: string, now: number, cutoff: number, limit: number, excluded: Set<number>): Row[] {
    const run: Row[] = [];
    for (const row of this.sql.all(`SELECT ${columns} FROM messages WHERE group_id = ? ORDER BY seq LIMIT ?`, groupId, limit)) {
      if ((row.sent_at as number) <= cutoff) continue;
      const leased = ((row.lease_until as number | null) ?? 0) > now;
      if ((row.visible_at as number) > now || leased || excluded.has(row.seq as number)) break;
      run.push(row);
    }
    return run;
  }
}
