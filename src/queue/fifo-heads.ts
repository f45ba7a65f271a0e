/**
 * FIFO selection by group heads, over the messages_fifo_groups index (group_id, seq) that store.ts creates: a
 * group's head and its run are one index range, so neither a busy group's backlog nor the number of busy groups
 * (never bound as parameters) makes a selection read more.
 */
import type { StoredMessage } from '../shared/messages';
import type { SqlCounters } from '../shared/sql';

type Row = Record<string, SqlStorageValue>;

/** Rows one FIFO selection looks at in due order before it asks the group index instead (a busy hot group's backlog). */
const FIFO_FRONT_ROWS_PER_MESSAGE = 3;

/**
 * Every group's head (lowest seq) that is visible, oldest first: one index step per group (a loose scan of
 * messages_fifo_groups), so a group's backlog is never read.
 */
const FIFO_VISIBLE_HEADS = `
WITH RECURSIVE g(id) AS (
  SELECT MIN(group_id) FROM messages WHERE group_id IS NOT NULL
  UNION ALL
  SELECT (SELECT MIN(group_id) FROM messages WHERE group_id IS NOT NULL AND group_id > g.id) FROM g WHERE g.id IS NOT NULL
)
SELECT h.group_id FROM g JOIN messages h ON h.group_id = g.id
  AND h.seq = (SELECT MIN(seq) FROM messages WHERE group_id = g.id)
WHERE h.visible_at <= ? ORDER BY h.seq LIMIT ?`;

export class FifoHeads {
  constructor(
    private readonly sql: SqlCounters,
    private readonly toStored: (row: Row) => StoredMessage,
  ) {}

  /**
   * FIFO: each free group's run from its head (lowest seq) up to the first message not visible, oldest first. A
   * group whose head is invisible (received, in flight) or that is in `busy` (out for delivery) waits. Busy groups
   * are never bound as parameters (a Durable Object's SQLite takes at most 100). Groups are found among the first
   * rows in due order, which is cheap when groups are many and short; when those are all one busy group's backlog,
   * by the visible heads of every group through the index (one step per group, never one per message).
   */
  selectDue(now: number, cutoff: number, limit: number, excluded: Set<number>, busy: Set<string>): StoredMessage[] {
    const front = limit * FIFO_FRONT_ROWS_PER_MESSAGE;
    const rows = this.sql.all('SELECT group_id FROM messages WHERE visible_at <= ? AND group_id IS NOT NULL ORDER BY visible_at, seq LIMIT ?', now, front);
    const taken = this.#takeGroups([...new Set(rows.map((r) => r.group_id as string))], now, cutoff, limit, excluded, busy);
    if (taken.length >= limit || rows.length < front) return taken;
    const heads = this.sql.all(FIFO_VISIBLE_HEADS, now, limit + busy.size).map((r) => r.group_id as string);
    return this.#takeGroups(heads, now, cutoff, limit, excluded, busy);
  }

  /** The runs of the first `limit` free groups among `groups`, merged in send order (within a group, always). */
  #takeGroups(groups: string[], now: number, cutoff: number, limit: number, excluded: Set<number>, busy: Set<string>): StoredMessage[] {
    const taken: StoredMessage[] = [];
    let free = 0;
    for (const groupId of groups) {
      if (free >= limit) break;
      if (busy.has(groupId)) continue;
      const run = this.#groupRun(groupId, now, cutoff, limit, excluded);
      if (run.length > 0) free++;
      taken.push(...run);
    }
    return taken.sort((a, b) => a.seq - b.seq).slice(0, limit);
  }

  /** A group's messages from its head on while visible; expired ones are skipped (hidden, deleted later). */
  #groupRun(groupId: string, now: number, cutoff: number, limit: number, excluded: Set<number>): StoredMessage[] {
    const run: StoredMessage[] = [];
    for (const row of this.sql.all('SELECT * FROM messages WHERE group_id = ? ORDER BY seq LIMIT ?', groupId, limit)) {
      if ((row.sent_at as number) <= cutoff) continue;
      if ((row.visible_at as number) > now || excluded.has(row.seq as number)) break;
      run.push(this.toStored(row));
    }
    return run;
  }
}
