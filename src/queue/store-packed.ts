/**
 * Packed rows (issue 12 point 3): the messages of one SendMessageBatch (or one dead-letter move) that become visible
 * together share one row, so a batch of 10 costs one billed row to store, one to lease and one to delete instead of
 * ten each (BENCH_ONLY=billed, batches of 10 delivered in invocations of 10: 3.10 rows written per message before,
 * 0.42 after; README "Free-tier arithmetic").
 *
 * A row holds n messages: the first in the row's own columns, the other n − 1 in `pack`, a JSON array of their own
 * columns. Their seqs are the row's seq + 0 … n − 1 (reserved together), so every message keeps a key of its own,
 * (row's visible_at, its seq), and that key stays right when the row is split: splitting ("exploding") rewrites the
 * row to hold its first message only and inserts the others as single rows at exactly those keys, leases, nonces and
 * receive counts included. Receipt handles therefore name (visible_at, seq, nonce) whether the message is packed or
 * not, and stay valid across a split. Whole rows are leased, returned and deleted with one statement each; anything
 * that touches only part of a row (a consumer's receive, one DeleteMessage, ChangeMessageVisibility, a partial batch
 * failure, a dead-letter move of some) splits it first: writes are spent only in that mixed case, and every
 * per-message path works on single rows as before. FIFO messages are never packed (group heads are rows).
 */
import { SQL_MAX_ROW_BYTES } from '../shared/platform';
import type { SqlCounters } from '../shared/sql';
import type { MessageTally } from './store-counts';
import type { NewRow, RowKey } from './store-schema';

type Row = Record<string, SqlStorageValue>;

/** A SendMessageBatch holds at most 10 entries; seq ranges of packs are at most this long (receipt lookups rely on it). */
export const PACK_MAX = 10;
/**
 * A pack's bound on 3 × its characters — an upper bound of its UTF-8 bytes after JSON escaping (SQS bodies exclude
 * control characters other than tab, CR and LF, and lone surrogates): half SQLite's 2 MB row limit, so ten 1 MiB
 * messages never share a row (each goes alone) while ten messages of up to ~34 KiB always do.
 */
export const PACK_MAX_BYTES = SQL_MAX_ROW_BYTES / 2;

/** A packed message's own columns, in `pack` order; everything else (times, receives, lease, source) is the row's. */
const OWN_COLUMNS = ['id', 'body', 'md5', 'attrs', 'attrs_md5', 'trace', 'dedup_id'] as const;

/** Splits rows to store (in send order) into runs that may share a row. */
export function packGroups(rows: NewRow[]): NewRow[][] {
  const groups: NewRow[][] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = boundBytes(row);
    const last = groups[groups.length - 1];
    if (last && last.length < PACK_MAX && bytes + size <= PACK_MAX_BYTES && canShare(last[0], row)) {
      last.push(row);
      bytes += size;
    } else {
      groups.push([row]);
      bytes = size;
    }
  }
  return groups;
}

function canShare(a: NewRow, b: NewRow): boolean {
  return (
    a.groupId === undefined &&
    b.groupId === undefined &&
    a.visibleAt === b.visibleAt &&
    a.sentAt === b.sentAt &&
    a.deadLetterSourceArn === b.deadLetterSourceArn
  );
}

function boundBytes(row: NewRow): number {
  const attrs = row.messageAttributes ? JSON.stringify(row.messageAttributes).length : 0;
  return 3 * (row.body.length + attrs + (row.awsTraceHeader?.length ?? 0)) + 200;
}

/** The `pack` column of a row whose first message is `rows[0]`: the others' own columns, or null for a single. */
export function packColumn(rows: NewRow[]): string | null {
  if (rows.length <= 1) return null;
  return JSON.stringify(
    rows
      .slice(1)
      .map((r) => [
        r.messageId,
        r.body,
        r.md5OfBody,
        r.messageAttributes ? JSON.stringify(r.messageAttributes) : null,
        r.md5OfMessageAttributes ?? null,
        r.awsTraceHeader ?? null,
        r.deduplicationId ?? null,
      ]),
  );
}

/** A stored row (all columns) as the rows of its messages, each with its own seq and columns. */
export function expandRow(row: Row): Row[] {
  if (((row.n as number | null) ?? 1) <= 1 || !row.pack) return [row];
  const first = { ...row, n: 1, pack: null };
  const others = (JSON.parse(row.pack as string) as SqlStorageValue[][]).map((own, i) => {
    const message: Row = { ...first, seq: (row.seq as number) + i + 1 };
    OWN_COLUMNS.forEach((column, j) => {
      message[column] = own[j];
    });
    return message;
  });
  return [first, ...others];
}

/** A row's head: its key and how many messages it holds. */
export interface RowHead extends RowKey {
  n: number;
}

const keyId = (k: RowKey) => `${k.visibleAt}:${k.seq}`;

/** Finding the row that holds a message, and splitting packed rows before a per-message write. */
export class PackedRows {
  constructor(
    private readonly sql: SqlCounters,
    private readonly tally: MessageTally,
  ) {}

  /** The row holding the message at `key`: itself, or the packed row whose seq range covers it (≤ PACK_MAX rows read). */
  holder(key: RowKey, nonce?: string): (RowHead & { leaseUntil: number | null }) | undefined {
    const row = this.sql.one(
      `SELECT seq, n, lease_until FROM messages WHERE visible_at = ? AND seq BETWEEN ? AND ?${nonce === undefined ? '' : ' AND nonce = ?'}
       ORDER BY seq DESC LIMIT 1`,
      ...[key.visibleAt, key.seq - PACK_MAX + 1, key.seq, ...(nonce === undefined ? [] : [nonce])],
    );
    if (!row || (row.seq as number) + (row.n as number) <= key.seq) return undefined;
    return { visibleAt: key.visibleAt, seq: row.seq as number, n: row.n as number, leaseUntil: row.lease_until as number | null };
  }

  /** Makes the message at `key` a single row (splits its packed row, if any) before a write that touches it alone. */
  single(key: RowKey): void {
    const head = this.holder(key);
    if (head && head.n > 1) this.split(head);
  }

  /**
   * Splits a packed row into single rows at the keys its messages already have: n − 1 inserts and one update (n rows
   * written). Leases, nonces, receive counts and a relocation of the row carry over, so receipt handles stay valid.
   */
  split(head: RowHead): void {
    const where = 'm.visible_at = ? AND m.seq = ?';
    const own = OWN_COLUMNS.map((_c, i) => `json_extract(j.value, '$[${i}]')`).join(', ');
    const shared = 'group_id, sent_at, first_received_at, receive_count, nonce, dlq_source, lease_until';
    this.sql.exec(
      `INSERT INTO messages (visible_at, seq, ${OWN_COLUMNS.join(', ')}, ${shared})
       SELECT m.visible_at, m.seq + j.key + 1, ${own}, ${shared.replace(/(\w+)/g, 'm.$1')} FROM messages m, json_each(m.pack) j WHERE ${where}`,
      head.visibleAt,
      head.seq,
    );
    this.sql.exec('UPDATE messages SET n = 1, pack = NULL WHERE visible_at = ? AND seq = ?', head.visibleAt, head.seq);
    const moved = this.sql.one('SELECT visible_at FROM relocated WHERE seq = ?', head.seq);
    for (let i = 1; moved && i < head.n; i++) {
      this.sql.exec('INSERT OR REPLACE INTO relocated (seq, visible_at) VALUES (?, ?)', head.seq + i, moved.visible_at);
    }
    this.tally.split(head.seq, head.n);
  }

  /**
   * The rows to write for messages `keys`, one statement each: a packed row all of whose messages are among them
   * stands for them all (its first message's entry is returned); a packed row only partly among them is split and
   * its messages among them returned. Messages gone meanwhile are left out.
   */
  covering<K extends RowKey>(keys: K[]): K[] {
    const byKey = new Map(keys.map((k) => [keyId(k), k]));
    const heads = this.#heads(keys);
    const done = new Set<string>();
    const rows: K[] = [];
    for (const key of keys) {
      if (done.has(keyId(key))) continue;
      const head = heads.get(keyId(key)) ?? this.holder(key);
      if (!head) {
        done.add(keyId(key));
        continue;
      }
      if (head.n === 1) {
        rows.push(key);
        done.add(keyId(key));
        continue;
      }
      const members = Array.from({ length: head.n }, (_, i) => byKey.get(keyId({ visibleAt: head.visibleAt, seq: head.seq + i })));
      const present = members.filter((m): m is K => m !== undefined);
      for (const m of present) done.add(keyId(m));
      if (present.length === head.n) rows.push(present[0]);
      else {
        this.split(head);
        rows.push(...present);
      }
    }
    return rows;
  }

  /** The rows holding messages `keys`, each once, without splitting any (to read them). */
  holders(keys: RowKey[]): RowHead[] {
    const heads = this.#heads(keys);
    const rows = new Map<string, RowHead>();
    const covered = new Set<string>();
    for (const key of keys) {
      if (covered.has(keyId(key))) continue;
      const head = heads.get(keyId(key)) ?? this.holder(key);
      if (!head) continue;
      rows.set(keyId(head), head);
      for (let i = 0; i < head.n; i++) covered.add(keyId({ visibleAt: head.visibleAt, seq: head.seq + i }));
    }
    return [...rows.values()];
  }

  /** Rows whose first message is one of `keys`, with their sizes: one read per 45 keys (SQLite's 100 parameters). */
  #heads(keys: RowKey[]): Map<string, RowHead> {
    const heads = new Map<string, RowHead>();
    for (let i = 0; i < keys.length; i += 45) {
      const chunk = keys.slice(i, i + 45);
      const rows = this.sql.all(
        `SELECT visible_at, seq, n FROM messages WHERE (visible_at, seq) IN (VALUES ${chunk.map(() => '(?, ?)').join(', ')})`,
        ...chunk.flatMap((k) => [k.visibleAt, k.seq]),
      );
      for (const r of rows) {
        const head = { visibleAt: r.visible_at as number, seq: r.seq as number, n: r.n as number };
        heads.set(keyId(head), head);
      }
    }
    return heads;
  }
}
