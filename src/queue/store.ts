/**
 * The queue's SQLite: the schema, and every statement on `messages` and `relocated`.
 *
 * Messages are clustered by (visible_at, seq) in a WITHOUT ROWID table, so finding due work is a
 * range scan with no secondary index to maintain: a message delivered without trouble costs one
 * row written to store and one to delete. Receipt handles carry the row key; when a received
 * message's row moves (ChangeMessageVisibility, a failed delivery), `relocated` records where it
 * went so older handles keep working. FIFO groups use a partial index on (group_id, seq) that only
 * FIFO (grouped) messages pay for: it finds a group's head in one step, whatever its backlog.
 */
import type { MessageAttributes, StoredMessage } from '../shared/messages';
import { SQL_MAX_BOUND_PARAMETERS } from '../shared/platform';
import type { SqlCounters } from '../shared/sql';
import { FifoHeads } from './fifo-heads';
import type { Receipt } from './receipt';

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

export interface MessageCounts {
  visible: number;
  inFlight: number;
  delayed: number;
}

export class MessageStore {
  #lastSeq = 0;
  /**
   * Rows in `messages`, kept up to date by every insert and delete made here; null until first needed, then
   * counted once. GetQueueAttributes' counts come from it, so they never read the visible backlog (a persisted
   * counter would cost one more billed row per send and per delete).
   */
  #total: number | null = null;
  readonly #fifo: FifoHeads;

  constructor(
    private readonly sql: SqlCounters,
    /** every message's SenderId: the account (sqsflare has one sender) */
    private readonly senderId: string,
  ) {
    this.#fifo = new FifoHeads(sql, (row) => this.#toStored(row));
  }

  /** Creates the tables; idempotent, and run again after DeleteQueue wiped storage. */
  migrate(): void {
    this.sql.exec(SCHEMA);
    this.#total = null;
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
    if (this.#total !== null) this.#total++;
    return seq;
  }

  /** Sequence numbers increase in send order: time-based, so they stay unique across restarts. */
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
      'UPDATE messages SET visible_at = ?, receive_count = ?, first_received_at = ?, nonce = ? WHERE visible_at = ? AND seq = ?',
      mark.visibleAt,
      mark.receiveCount,
      mark.firstReceivedAt,
      mark.nonce,
      message.visibleAt,
      message.seq,
    );
    this.#recordRelocation(message.seq, mark.visibleAt);
  }

  setReceiveCount(message: RowKey, receiveCount: number): void {
    this.sql.exec('UPDATE messages SET receive_count = ? WHERE visible_at = ? AND seq = ?', receiveCount, message.visibleAt, message.seq);
  }

  /** ChangeMessageVisibility: the row moves, and older handles follow it through `relocated`. */
  moveVisibility(message: RowKey, visibleAt: number): void {
    this.sql.exec('UPDATE messages SET visible_at = ? WHERE visible_at = ? AND seq = ?', visibleAt, message.visibleAt, message.seq);
    this.#recordRelocation(message.seq, visibleAt);
  }

  /** Where a moved row went, so receipt handles that name its old key stay valid. */
  #recordRelocation(seq: number, visibleAt: number): void {
    this.sql.exec('INSERT OR REPLACE INTO relocated (seq, visible_at) VALUES (?, ?)', seq, visibleAt);
  }

  /**
   * The row a receipt names, if it is still the receive that produced the handle: at the key the
   * handle carries, or where the row was relocated to.
   */
  findReceived(receipt: Receipt): { visibleAt: number; relocated: boolean } | undefined {
    const at = (visibleAt: number) =>
      this.sql.one('SELECT visible_at FROM messages WHERE visible_at = ? AND seq = ? AND nonce = ?', visibleAt, receipt.seq, receipt.nonce);
    if (at(receipt.visibleAt)) return { visibleAt: receipt.visibleAt, relocated: false };
    const moved = this.sql.one('SELECT visible_at FROM relocated WHERE seq = ?', receipt.seq);
    if (moved && at(moved.visible_at as number)) return { visibleAt: moved.visible_at as number, relocated: true };
    return undefined;
  }

  /**
   * Deletes one row and any relocation of it: a message received again after a move is deleted by a handle
   * that names its current key, while the old relocation still names it (`_relocated` says nothing then).
   */
  deleteOne(message: RowKey, _relocated?: boolean): void {
    this.#deleted(this.sql.exec('DELETE FROM messages WHERE visible_at = ? AND seq = ? RETURNING seq', message.visibleAt, message.seq).length);
    this.sql.exec('DELETE FROM relocated WHERE seq = ?', message.seq);
  }

  #deleted(n: number): void {
    if (this.#total !== null) this.#total = Math.max(0, this.#total - n);
  }

  /** Relocations of deleted messages: only a message received before (receiveCount > 0) can have one. */
  #forgetRelocations(seqs: number[]): void {
    const perStatement = SQL_MAX_BOUND_PARAMETERS - 10;
    for (let i = 0; i < seqs.length; i += perStatement) {
      const chunk = seqs.slice(i, i + perStatement);
      this.sql.exec(`DELETE FROM relocated WHERE seq IN (${chunk.map(() => '?').join(', ')})`, ...chunk);
    }
  }

  /**
   * Deletes rows by key, in statements that stay under SQLite's 100 bound parameters. Only a
   * message received before (receiveCount > 0) can have a `relocated` entry to clear.
   */
  deleteRows(messages: (RowKey & { receiveCount: number })[]): void {
    const perStatement = Math.floor((SQL_MAX_BOUND_PARAMETERS - 10) / 2);
    for (let i = 0; i < messages.length; i += perStatement) {
      const chunk = messages.slice(i, i + perStatement);
      const gone = this.sql.exec(
        `DELETE FROM messages WHERE (visible_at, seq) IN (VALUES ${chunk.map(() => '(?, ?)').join(', ')}) RETURNING seq`,
        ...chunk.flatMap((m) => [m.visibleAt, m.seq]),
      );
      this.#deleted(gone.length);
      this.#forgetRelocations(chunk.filter((m) => m.receiveCount > 0).map((m) => m.seq));
    }
  }

  /** PurgeQueue: every message and relocation goes. */
  deleteAll(): void {
    this.sql.exec('DELETE FROM messages');
    this.sql.exec('DELETE FROM relocated');
    this.#total = 0;
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
    this.#deleted(gone.length);
    this.#forgetRelocations(gone.filter((r) => (r.receive_count as number) > 0).map((r) => r.seq as number));
    return gone.length;
  }

  /** When the first row in due order was sent: the oldest message, but for ones received since (they moved back). */
  frontSentAt(): number | null {
    const row = this.sql.one('SELECT sent_at FROM messages ORDER BY visible_at, seq LIMIT 1');
    return row ? (row.sent_at as number) : null;
  }

  /**
   * Messages visible now, oldest due first, skipping `excluded` seqs (out for delivery). FIFO
   * (`busyGroups` given): grouped messages in seq order, never from a busy group.
   */
  selectDue(now: number, cutoff: number, limit: number, excluded: Set<number>, busyGroups?: string[]): StoredMessage[] {
    if (busyGroups) return this.#fifo.selectDue(now, cutoff, limit, excluded, new Set(busyGroups));
    const fetch = limit + excluded.size;
    const rows = this.sql.all('SELECT * FROM messages WHERE visible_at <= ? AND sent_at > ? ORDER BY visible_at, seq LIMIT ?', now, cutoff, fetch);
    const messages: StoredMessage[] = [];
    for (const row of rows) {
      if (excluded.has(row.seq as number)) continue;
      messages.push(this.#toStored(row));
      if (messages.length >= limit) break;
    }
    return messages;
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

  /** The earliest visible_at of a row not in `excluded`: reads at most excluded.size + 1 rows. */
  earliestExcept(excluded: Set<number>): number | null {
    const rows = this.sql.all('SELECT seq, visible_at FROM messages ORDER BY visible_at LIMIT ?', excluded.size + 1);
    const row = rows.find((r) => !excluded.has(r.seq as number));
    return row ? (row.visible_at as number) : null;
  }

  /** Rows due now, counted up to `cap` past the `excluded` ones, less those. */
  dueCount(now: number, cap: number, excluded: number): number {
    const row = this.sql.one('SELECT COUNT(*) AS n FROM (SELECT 1 FROM messages WHERE visible_at <= ? LIMIT ?)', now, cap + excluded);
    return Math.max(0, (row?.n as number) - excluded);
  }

  nextVisibleAt(now: number): number | null {
    const row = this.sql.one('SELECT MIN(visible_at) AS t FROM messages WHERE visible_at > ?', now);
    return (row?.t as number | null) ?? null;
  }

  /**
   * The three SQS counts; `delivering` messages are visible rows that are out for delivery, so in flight. Reads
   * only the invisible rows (a range of the primary key): visible = the kept total less those. Expired rows still
   * visible count until the retention clean-up deletes them (the names say Approximate).
   */
  counts(now: number, cutoff: number, delivering: number): MessageCounts {
    this.#total ??= this.sql.one('SELECT COUNT(*) AS n FROM messages')!.n as number;
    const row = this.sql.one(
      `SELECT COUNT(*) AS invisible,
              COALESCE(SUM(sent_at > ?2 AND receive_count > 0), 0) AS in_flight,
              COALESCE(SUM(sent_at > ?2 AND receive_count = 0), 0) AS delayed
       FROM messages WHERE visible_at > ?1`,
      now,
      cutoff,
    )!;
    return {
      visible: Math.max(0, this.#total - (row.invisible as number) - delivering),
      inFlight: (row.in_flight as number) + delivering,
      delayed: row.delayed as number,
    };
  }

  /** The delivery engine's saved state (mapping, report), as key and parsed value. */
  deliveryState(): [string, unknown][] {
    return this.sql.all('SELECT key, value FROM delivery_state').map((row) => [row.key as string, JSON.parse(row.value as string)]);
  }

  saveDeliveryState(key: string, value: unknown): void {
    this.sql.exec('INSERT OR REPLACE INTO delivery_state (key, value) VALUES (?, ?)', key, JSON.stringify(value));
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
