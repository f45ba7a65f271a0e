/**
 * The queue's SQLite: the schema, and every statement on `messages` and `relocated`.
 * (Helpers it alone uses hold a few: FIFO selection in fifo-heads.ts, counts in store-counts.ts, lease timing in
 * store-leases.ts.)
 *
 * Messages are clustered by (visible_at, seq) in a WITHOUT ROWID table, so finding due work is a
 * range scan with no secondary index to maintain: a message delivered without trouble costs one
 * row written to store and one to delete. Receipt handles carry the row key; when a received
 * message's row moves (ChangeMessageVisibility, a failed delivery), `relocated` records where it
 * went so older handles keep working. FIFO groups use a partial index on (group_id, seq) that only
 * FIFO (grouped) messages pay for: it finds a group's head in one step, whatever its backlog.
 */
import type { MessageAttributes, StoredMessage } from '../shared/messages';
import type { SqlCounters } from '../shared/sql';
import { FifoHeads } from './fifo-heads';
import type { Receipt } from './receipt';
import { type MessageCounts, MessageTally } from './store-counts';
import { addLeaseColumn, type DueKey, earliestDue, keyChunks, NOT_LEASED, nextLeaseEnd } from './store-leases';

export type { MessageCounts } from './store-counts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS config (id INTEGER PRIMARY KEY CHECK (id = 1), value TEXT NOT NULL);
-- Text-keyed tables are WITHOUT ROWID: in a rowid table a TEXT key is a second index, and every insert or replace
-- writes two billed rows instead of one (measured: rowsWritten 2 vs 1).
CREATE TABLE IF NOT EXISTS messages (
  visible_at INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  id TEXT NOT NULL,
  body TEXT NOT NULL,
  md5 TEXT NOT NULL,
  attrs TEXT,
  attrs_md5 TEXT,
  trace TEXT,
  group_id TEXT,
  dedup_id TEXT,
  sent_at INTEGER NOT NULL,
  first_received_at INTEGER,
  receive_count INTEGER NOT NULL DEFAULT 0,
  nonce TEXT,
  dlq_source TEXT,
  lease_until INTEGER,
  PRIMARY KEY (visible_at, seq)
) WITHOUT ROWID;
-- FIFO selection goes by group heads: (group_id, seq) replaces the earlier index on (seq) alone, at the same cost
-- (one index row per grouped message). A table of groups with their heads would cost a write per send and per delete.
DROP INDEX IF EXISTS messages_fifo_order;
CREATE INDEX IF NOT EXISTS messages_fifo_groups ON messages (group_id, seq) WHERE group_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS relocated (seq INTEGER PRIMARY KEY, visible_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS dedup (key TEXT PRIMARY KEY, message_id TEXT NOT NULL, seq INTEGER NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS move_tasks (handle TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS delivery_state (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
`;

type Row = Record<string, SqlStorageValue>;

/** A message row's key: receipts and deletes name rows by it. */
export interface RowKey {
  visibleAt: number;
  seq: number;
}

/** What a new row holds, whether sent here or moved in from another queue. */
export type NewRow = Pick<
  StoredMessage,
  | 'messageId'
  | 'body'
  | 'md5OfBody'
  | 'messageAttributes'
  | 'md5OfMessageAttributes'
  | 'awsTraceHeader'
  | 'groupId'
  | 'deduplicationId'
  | 'sentAt'
  | 'visibleAt'
  | 'deadLetterSourceArn'
>;

/** What a receive or a failed delivery leaves on the row. */
export interface ReceiveMark {
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt: number | null;
  nonce: string | null;
}

export class MessageStore {
  #lastSeq = 0;
  /** The rows and the stored leases, in memory: told of every insert, delete and lease made here (counts). */
  readonly #tally: MessageTally;
  readonly #fifo: FifoHeads;

  constructor(
    private readonly sql: SqlCounters,
    /** every message's SenderId: the account (sqsflare has one sender) */
    private readonly senderId: string,
  ) {
    this.#tally = new MessageTally(sql);
    this.#fifo = new FifoHeads(sql);
  }

  /** Creates the tables; idempotent, and run again after DeleteQueue wiped storage. */
  migrate(): void {
    this.sql.exec(SCHEMA);
    addLeaseColumn(this.sql);
    this.#tally.forget();
  }

  /** The one INSERT of a message, for SendMessage and for moves between queues. Returns its seq. */
  insert(row: NewRow, now: number): number {
    const seq = this.#nextSeq(now);
    this.sql.exec(
      `INSERT INTO messages (seq, id, body, md5, attrs, attrs_md5, trace, group_id, dedup_id, sent_at, visible_at, dlq_source)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      seq,
      row.messageId,
      row.body,
      row.md5OfBody,
      row.messageAttributes ? JSON.stringify(row.messageAttributes) : null,
      row.md5OfMessageAttributes ?? null,
      row.awsTraceHeader ?? null,
      row.groupId ?? null,
      row.deduplicationId ?? null,
      row.sentAt,
      row.visibleAt,
      row.deadLetterSourceArn ?? null,
    );
    this.#tally.inserted();
    return seq;
  }

  /** Time-based, so unique across restarts. */
  #nextSeq(now: number): number {
    this.#lastSeq = Math.max(this.#lastSeq + 1, now * 1000);
    return this.#lastSeq;
  }

  /** A consumer's receive: receive count + 1, the receive's nonce, invisible until `visibleAt`. */
  markReceived(message: RowKey, visibleAt: number, firstReceivedAt: number, nonce: string): void {
    this.sql.exec(
      'UPDATE messages SET visible_at = ?, receive_count = receive_count + 1, first_received_at = ?, nonce = ? WHERE visible_at = ? AND seq = ?',
      visibleAt,
      firstReceivedAt,
      nonce,
      message.visibleAt,
      message.seq,
    );
  }

  /** A failed delivery: the row moves to its new visibility; the relocation keeps the function's receipt handle valid. */
  markFailedDelivery(message: RowKey, mark: ReceiveMark): void {
    this.sql.exec(
      'UPDATE messages SET visible_at = ?, receive_count = ?, first_received_at = ?, nonce = ?, lease_until = NULL WHERE visible_at = ? AND seq = ?',
      mark.visibleAt,
      mark.receiveCount,
      mark.firstReceivedAt,
      mark.nonce,
      message.visibleAt,
      message.seq,
    );
    this.#tally.unleased([message.seq]);
    this.#recordRelocation(message.seq, mark.visibleAt);
  }

  /** ChangeMessageVisibility: the row moves, and older handles follow it through `relocated`. */
  moveVisibility(message: RowKey, visibleAt: number): void {
    this.sql.exec('UPDATE messages SET visible_at = ? WHERE visible_at = ? AND seq = ?', visibleAt, message.visibleAt, message.seq);
    this.#recordRelocation(message.seq, visibleAt);
  }

  #recordRelocation(seq: number, visibleAt: number): void {
    this.sql.exec('INSERT OR REPLACE INTO relocated (seq, visible_at) VALUES (?, ?)', seq, visibleAt);
  }

  /**
   * The row a receipt names, if it is still the receive that produced the handle: at the key the
   * handle carries, or where the row was relocated to.
   */
  findReceived(receipt: Receipt): { visibleAt: number; relocated: boolean; leaseUntil: number | null } | undefined {
    const at = (visibleAt: number) =>
      this.sql.one('SELECT lease_until FROM messages WHERE visible_at = ? AND seq = ? AND nonce = ?', visibleAt, receipt.seq, receipt.nonce);
    const here = at(receipt.visibleAt);
    if (here) return { visibleAt: receipt.visibleAt, relocated: false, leaseUntil: here.lease_until as number | null };
    const moved = this.sql.one('SELECT visible_at FROM relocated WHERE seq = ?', receipt.seq);
    const there = moved && at(moved.visible_at as number);
    if (there) return { visibleAt: moved.visible_at as number, relocated: true, leaseUntil: there.lease_until as number | null };
    return undefined;
  }

  /**
   * Deletes one row and any relocation of it: a message received again after a move is deleted by a handle
   * that names its current key, while the old relocation still names it (`_relocated` says nothing then).
   */
  deleteOne(message: RowKey, _relocated?: boolean): void {
    this.#deleted(this.sql.exec('DELETE FROM messages WHERE visible_at = ? AND seq = ? RETURNING seq', message.visibleAt, message.seq));
    this.sql.exec('DELETE FROM relocated WHERE seq = ?', message.seq);
  }

  /** Every DELETE FROM messages returns the seqs it removed, and the tally hears of them here. */
  #deleted(gone: Row[]): void {
    this.#tally.deleted(gone.map((r) => r.seq as number));
  }

  /** Relocations of deleted messages: only a message received before (receiveCount > 0) can have one. */
  #forgetRelocations(seqs: number[]): void {
    for (const chunk of keyChunks(seqs)) this.sql.exec(`DELETE FROM relocated WHERE seq IN (${chunk.map(() => '?').join(', ')})`, ...chunk);
  }

  /**
   * Deletes rows by key, in statements that stay under SQLite's 100 bound parameters. Only a
   * message received before (receiveCount > 0) can have a `relocated` entry to clear.
   */
  deleteRows(messages: (RowKey & { receiveCount: number })[]): void {
    for (const chunk of keyChunks(messages)) {
      const gone = this.sql.exec(
        `DELETE FROM messages WHERE (visible_at, seq) IN (VALUES ${chunk.map(() => '(?, ?)').join(', ')}) RETURNING seq`,
        ...chunk.flatMap((m) => [m.visibleAt, m.seq]),
      );
      this.#deleted(gone);
      this.#forgetRelocations(chunk.filter((m) => m.receiveCount > 0).map((m) => m.seq));
    }
  }

  deleteAll(): void {
    this.sql.exec('DELETE FROM messages');
    this.sql.exec('DELETE FROM relocated');
    this.#tally.emptied();
  }

  /**
   * Expired rows sit at the front of the due order (sent first, due first): deletes those among the first
   * `max` rows, with their relocations. Returns how many went; `max` means more may follow.
   */
  deleteExpired(cutoff: number, max = 1000): number {
    const gone = this.sql.exec(
      `DELETE FROM messages WHERE (visible_at, seq) IN (SELECT visible_at, seq FROM messages ORDER BY visible_at, seq LIMIT ?)
       AND sent_at <= ? RETURNING seq, receive_count`,
      max,
      cutoff,
    );
    this.#deleted(gone);
    this.#forgetRelocations(gone.filter((r) => (r.receive_count as number) > 0).map((r) => r.seq as number));
    return gone.length;
  }

  /** When the first row in due order was sent: the oldest message, but for ones received since (they moved back). */
  frontSentAt(): number | null {
    const row = this.sql.one('SELECT sent_at FROM messages ORDER BY visible_at, seq LIMIT 1');
    return row ? (row.sent_at as number) : null;
  }

  /**
   * Messages visible now and not leased, oldest due first, skipping `excluded` seqs (held here: out for delivery,
   * being dead-lettered). FIFO: by group heads (fifo-heads.ts), in seq order, never from a busy group.
   */
  selectDue(now: number, cutoff: number, limit: number, excluded: Set<number>, fifo = false): StoredMessage[] {
    return this.#dueRows('*', now, cutoff, limit, excluded, fifo).map((row) => this.#toStored(row));
  }

  /** Rows due now and not leased (out for delivery), in delivery order: `columns` of each. */
  #dueRows(columns: string, now: number, cutoff: number, limit: number, excluded: Set<number>, fifo: boolean): Row[] {
    if (fifo) return this.#fifo.selectDue(columns, now, cutoff, limit, excluded);
    const rows = this.sql.all(
      `SELECT ${columns} FROM messages WHERE visible_at <= ? AND sent_at > ? AND ${NOT_LEASED} ORDER BY visible_at, seq LIMIT ?`,
      now,
      cutoff,
      now,
      limit + excluded.size,
    );
    return rows.filter((row) => !excluded.has(row.seq as number)).slice(0, limit);
  }

  /** A FIFO group's head (lowest seq), or undefined when the group has no message. */
  groupHead(groupId: string): RowKey | undefined {
    const row = this.sql.one('SELECT seq, visible_at FROM messages WHERE group_id = ? ORDER BY seq LIMIT 1', groupId);
    return row ? { seq: row.seq as number, visibleAt: row.visible_at as number } : undefined;
  }

  /** The oldest messages still within retention, in due order, unchanged (peek, move tasks). */
  oldest(cutoff: number, limit: number): StoredMessage[] {
    return this.sql
      .all('SELECT * FROM messages WHERE sent_at > ? ORDER BY visible_at, seq LIMIT ?', cutoff, limit)
      .map((r) => this.#toStored(r));
  }

  /** Approximately the oldest message's send time: among the first hundred rows in due order, never a whole-table scan. */
  oldestSentAt(cutoff: number): number | null {
    const row = this.sql.one(
      'SELECT MIN(sent_at) AS t FROM (SELECT sent_at FROM messages ORDER BY visible_at, seq LIMIT 100) WHERE sent_at > ?',
      cutoff,
    );
    return (row?.t as number | null) ?? null;
  }

  /** Unleased rows due now, counted up to `cap` past the `excluded` ones, less those. */
  dueCount(now: number, cap: number, excluded: number): number {
    const row = this.sql.one(
      `SELECT COUNT(*) AS n FROM (SELECT 1 FROM messages WHERE visible_at <= ? AND ${NOT_LEASED} LIMIT ?)`,
      now,
      now,
      cap + excluded,
    );
    return Math.max(0, (row?.n as number) - excluded);
  }

  /** The next time a message becomes visible or its lease ends, after `now`. */
  nextVisibleAt(now: number): number | null {
    const row = this.sql.one('SELECT MIN(visible_at) AS t FROM messages WHERE visible_at > ?', now);
    const visible = (row?.t as number | null) ?? null;
    const lease = nextLeaseEnd(this.sql, now);
    return visible === null ? lease : lease === null ? visible : Math.min(visible, lease);
  }

  /**
   * The three SQS counts, leased rows (out for delivery) in flight, once. Reads only the invisible rows (a range of
   * the primary key), never the visible backlog: see store-counts.ts.
   */
  counts(now: number, cutoff: number): MessageCounts {
    return this.#tally.counts(now, cutoff);
  }

  /** The delivery engine's saved state (mapping, report), as key and parsed value. */
  deliveryState(): [string, unknown][] {
    return this.sql.all('SELECT key, value FROM delivery_state').map((row) => [row.key as string, JSON.parse(row.value as string)]);
  }

  saveDeliveryState(key: string, value: unknown): void {
    this.sql.exec('INSERT OR REPLACE INTO delivery_state (key, value) VALUES (?, ?)', key, JSON.stringify(value));
  }

  // ── Delivery leases (issue 10). A message out for delivery keeps its key; its lease is non-key columns
  // (lease_until, raised receive_count, nonce, first_received_at) set by one UPDATE before the invoke: 1 row written
  // each (cursor counts; moving the key costs 2 for a FIFO row). Leased means in flight until lease_until, so a
  // restarted object neither re-invokes it early nor forgets the receive.

  /** Leases rows for one invocation: receive count + 1, the receive's nonce, in flight until `leaseUntil`. */
  claimRows(keys: RowKey[], lease: { leaseUntil: number; nonce: string; receivedAt: number }): void {
    for (const chunk of keyChunks(keys)) {
      const leased = this.sql.exec(
        `UPDATE messages SET lease_until = ?, nonce = ?, receive_count = receive_count + 1, first_received_at = COALESCE(first_received_at, ?)
         WHERE (visible_at, seq) IN (VALUES ${chunk.map(() => '(?, ?)').join(', ')}) RETURNING seq`,
        ...[lease.leaseUntil, lease.nonce, lease.receivedAt, ...chunk.flatMap((k) => [k.visibleAt, k.seq])],
      );
      this.#tally.leased(leased.map((r) => r.seq as number), lease.leaseUntil);
    }
  }

  /** Due, unleased messages as keys and UTF-8 sizes, no bodies: batches are planned on these, one batch's loaded. */
  selectDueKeys(now: number, cutoff: number, limit: number, excluded: Set<number>, fifo = false): DueKey[] {
    // sent_at and lease_until: what a FIFO group run is judged on (fifo-heads.ts)
    const columns = 'visible_at, seq, group_id, receive_count, sent_at, lease_until, octet_length(body) + COALESCE(octet_length(attrs), 0) AS bytes';
    return this.#dueRows(columns, now, cutoff, limit, excluded, fifo).map((r) => ({
      visibleAt: r.visible_at as number,
      seq: r.seq as number,
      groupId: (r.group_id as string | null) ?? undefined,
      receiveCount: r.receive_count as number,
      bytes: r.bytes as number,
    }));
  }

  /** The rows of one planned batch, in the order given; rows gone meanwhile are left out. */
  loadRows(keys: RowKey[]): StoredMessage[] {
    const found = new Map<number, StoredMessage>();
    for (const chunk of keyChunks(keys)) {
      const rows = this.sql.all(
        `SELECT * FROM messages WHERE (visible_at, seq) IN (VALUES ${chunk.map(() => '(?, ?)').join(', ')})`,
        ...chunk.flatMap((k) => [k.visibleAt, k.seq]),
      );
      for (const row of rows) found.set(row.seq as number, this.#toStored(row));
    }
    return keys.flatMap((k) => found.get(k.seq) ?? []);
  }

  /** Earliest max(visible_at, lease_until) of rows not `excluded`: walks visible_at order, reading the leased front + 1. */
  earliestDue(excluded: Set<number>): number | null {
    return earliestDue(this.sql, excluded);
  }

  #toStored(row: Row): StoredMessage {
    return {
      seq: row.seq as number,
      messageId: row.id as string,
      body: row.body as string,
      md5OfBody: row.md5 as string,
      messageAttributes: row.attrs ? (JSON.parse(row.attrs as string) as MessageAttributes) : undefined,
      md5OfMessageAttributes: (row.attrs_md5 as string | null) ?? undefined,
      awsTraceHeader: (row.trace as string | null) ?? undefined,
      groupId: (row.group_id as string | null) ?? undefined,
      deduplicationId: (row.dedup_id as string | null) ?? undefined,
      sentAt: row.sent_at as number,
      firstReceivedAt: (row.first_received_at as number | null) ?? undefined,
      receiveCount: row.receive_count as number,
      visibleAt: row.visible_at as number,
      senderId: this.senderId,
      deadLetterSourceArn: (row.dlq_source as string | null) ?? undefined,
    };
  }
}
