/**
 * The queue's SQLite: the schema, and every statement on `messages` and `relocated`.
 *
 * Messages are clustered by (visible_at, seq) in a WITHOUT ROWID table, so finding due work is a
 * range scan with no secondary index to maintain: a message delivered without trouble costs one
 * row written to store and one to delete. Receipt handles carry the row key; when a received
 * message's row moves (ChangeMessageVisibility, a failed delivery), `relocated` records where it
 * went so older handles keep working. FIFO order uses a partial index on seq that only FIFO
 * (grouped) messages pay for.
 */
import type { MessageAttributes, StoredMessage } from '../shared/messages';
import type { SqlCounters } from '../shared/sql';
import type { Receipt } from './receipt';
import { addLeaseColumn, type DueKey, keyChunks, NOT_LEASED } from './store-leases';

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
CREATE INDEX IF NOT EXISTS messages_fifo_order ON messages (seq) WHERE group_id IS NOT NULL;
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

  constructor(
    private readonly sql: SqlCounters,
    /** every message's SenderId: the account (sqsflare has one sender) */
    private readonly senderId: string,
  ) {}

  /** Creates the tables; idempotent, and run again after DeleteQueue wiped storage. */
  migrate(): void {
    this.sql.exec(SCHEMA);
    addLeaseColumn(this.sql);
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

  deleteOne(message: RowKey, relocated: boolean): void {
    this.sql.exec('DELETE FROM messages WHERE visible_at = ? AND seq = ?', message.visibleAt, message.seq);
    if (relocated) this.sql.exec('DELETE FROM relocated WHERE seq = ?', message.seq);
  }

  /**
   * Deletes rows by key, in statements that stay under SQLite's 100 bound parameters. Only a
   * message received before (receiveCount > 0) can have a `relocated` entry to clear.
   */
  deleteRows(messages: (RowKey & { receiveCount: number })[]): void {
    for (const chunk of keyChunks(messages)) {
      this.sql.exec(
        `DELETE FROM messages WHERE (visible_at, seq) IN (VALUES ${chunk.map(() => '(?, ?)').join(', ')})`,
        ...chunk.flatMap((m) => [m.visibleAt, m.seq]),
      );
      const received = chunk.filter((m) => m.receiveCount > 0).map((m) => m.seq);
      if (received.length > 0) this.sql.exec(`DELETE FROM relocated WHERE seq IN (${received.map(() => '?').join(', ')})`, ...received);
    }
  }

  deleteAll(): void {
    this.sql.exec('DELETE FROM messages');
    this.sql.exec('DELETE FROM relocated');
  }

  /** Expired rows sit near the front of the due order: looks at the first thousand only. */
  deleteExpired(cutoff: number): void {
    this.sql.exec(
      'DELETE FROM messages WHERE (visible_at, seq) IN (SELECT visible_at, seq FROM messages ORDER BY visible_at LIMIT 1000) AND sent_at <= ?',
      cutoff,
    );
  }

  /**
   * Messages visible now, oldest due first, skipping `excluded` seqs (out for delivery). FIFO
   * (`busyGroups` given): grouped messages in seq order, never from a busy group.
   */
  selectDue(now: number, cutoff: number, limit: number, excluded: Set<number>, busyGroups?: string[]): StoredMessage[] {
    return this.#dueRows('*', now, cutoff, limit, excluded, busyGroups).map((row) => this.#toStored(row));
  }

  /** Rows due now and not leased (out for delivery), in delivery order: `columns` of each. */
  #dueRows(columns: string, now: number, cutoff: number, limit: number, excluded: Set<number>, busyGroups?: string[]): Row[] {
    const fetch = limit + excluded.size;
    let rows: Row[];
    if (busyGroups) {
      const groupFilter = busyGroups.length ? `AND group_id NOT IN (${busyGroups.map(() => '?').join(',')})` : '';
      rows = this.sql.all(
        `SELECT ${columns} FROM messages WHERE group_id IS NOT NULL AND visible_at <= ? AND sent_at > ? AND ${NOT_LEASED} ${groupFilter} ORDER BY seq LIMIT ?`,
        now,
        cutoff,
        now,
        ...busyGroups,
        fetch,
      );
    } else {
      rows = this.sql.all(
        `SELECT ${columns} FROM messages WHERE visible_at <= ? AND sent_at > ? AND ${NOT_LEASED} ORDER BY visible_at, seq LIMIT ?`,
        now,
        cutoff,
        now,
        fetch,
      );
    }
    return rows.filter((row) => !excluded.has(row.seq as number)).slice(0, limit);
  }

  /** Groups with a received message still invisible: FIFO holds them back until it is deleted or visible again. */
  receivedGroups(now: number): string[] {
    const received = this.sql.all('SELECT DISTINCT group_id FROM messages WHERE visible_at > ? AND receive_count > 0', now);
    return [...received, ...this.#leasedGroups(now)].map((r) => r.group_id as string);
  }

  /** The oldest messages still within retention, in due order, unchanged (peek, move tasks). */
  oldest(cutoff: number, limit: number): StoredMessage[] {
    return this.sql
      .all('SELECT * FROM messages WHERE sent_at > ? ORDER BY visible_at, seq LIMIT ?', cutoff, limit)
      .map((r) => this.#toStored(r));
  }

  oldestSentAt(cutoff: number): number | null {
    const row = this.sql.one('SELECT MIN(sent_at) AS t FROM messages WHERE sent_at > ?', cutoff);
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
    const lease = this.#nextLeaseEnd(now);
    return visible === null ? lease : lease === null ? visible : Math.min(visible, lease);
  }

  /** The three SQS counts; rows out for delivery are leased, so in flight. */
  counts(now: number, cutoff: number): MessageCounts {
    const row = this.sql.one(
      `SELECT COALESCE(SUM(visible_at <= ?1 AND NOT COALESCE(lease_until > ?1, 0)), 0) AS visible,
              COALESCE(SUM((visible_at > ?1 AND receive_count > 0) OR (visible_at <= ?1 AND lease_until > ?1)), 0) AS in_flight,
              COALESCE(SUM(visible_at > ?1 AND receive_count = 0), 0) AS delayed
       FROM messages WHERE sent_at > ?2`,
      now,
      cutoff,
    )!;
    return {
      visible: row.visible as number,
      inFlight: row.in_flight as number,
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

  // ── Delivery leases (issue 10). A message out for delivery keeps its key; its lease is non-key columns
  // (lease_until, raised receive_count, nonce, first_received_at) set by one UPDATE before the invoke: 1 row written
  // each (cursor counts; moving the key costs 2 for a FIFO row). Leased means in flight until lease_until, so a
  // restarted object neither re-invokes it early nor forgets the receive.

  /** Leases rows for one invocation: receive count + 1, the receive's nonce, in flight until `leaseUntil`. */
  claimRows(keys: RowKey[], lease: { leaseUntil: number; nonce: string; receivedAt: number }): void {
    for (const chunk of keyChunks(keys)) {
      this.sql.exec(
        `UPDATE messages SET lease_until = ?, nonce = ?, receive_count = receive_count + 1, first_received_at = COALESCE(first_received_at, ?)
         WHERE (visible_at, seq) IN (VALUES ${chunk.map(() => '(?, ?)').join(', ')})`,
        ...[lease.leaseUntil, lease.nonce, lease.receivedAt, ...chunk.flatMap((k) => [k.visibleAt, k.seq])],
      );
    }
  }

  /** Due, unleased messages as keys and UTF-8 sizes, no bodies: batches are planned on these, one batch's loaded. */
  selectDueKeys(now: number, cutoff: number, limit: number, excluded: Set<number>, busyGroups?: string[]): DueKey[] {
    const columns = 'visible_at, seq, group_id, receive_count, octet_length(body) + COALESCE(octet_length(attrs), 0) AS bytes';
    return this.#dueRows(columns, now, cutoff, limit, excluded, busyGroups).map((r) => ({
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
    let best: number | null = null;
    let after: [number, number] = [-1, -1];
    for (;;) {
      const rows = this.sql.all(
        'SELECT seq, visible_at, lease_until FROM messages WHERE (visible_at, seq) > (?, ?) ORDER BY visible_at, seq LIMIT 32',
        ...after,
      );
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

  /** Groups with a batch out for delivery (FIFO holds them back): leased rows are among the due rows. */
  #leasedGroups(now: number): Row[] {
    return this.sql.all('SELECT DISTINCT group_id FROM messages WHERE visible_at <= ?1 AND lease_until > ?1 AND group_id IS NOT NULL', now);
  }

  #nextLeaseEnd(now: number): number | null {
    const row = this.sql.one('SELECT MIN(lease_until) AS t FROM messages WHERE visible_at <= ?1 AND lease_until > ?1', now);
    return (row?.t as number | null) ?? null;
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
