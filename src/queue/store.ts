/**
 * The queue's SQLite: the schema, and every statement on `messages` and `relocated`.
 * (Helpers it alone uses hold a few: FIFO selection in fifo-heads.ts, counts in store-counts.ts, lease timing in
 * store-leases.ts.)
 *
 * Messages are clustered by (visible_at, seq) in a WITHOUT ROWID table, so finding due work is a
 * range scan with no secondary index to maintain: a message delivered without trouble costs one
 * row written to store and one to delete, and the messages of one batch that share a row (store-packed.ts) one
 * for them all. Receipt handles carry the message's key; when a received
 * message's row moves (ChangeMessageVisibility, a failed delivery), `relocated` records where it
 * went so older handles keep working. FIFO groups use a partial index on (group_id, seq) that only
 * FIFO (grouped) messages pay for: it finds a group's head in one step, whatever its backlog.
 */
import type { MessageAttributes, StoredMessage } from '../shared/messages';
import type { SqlCounters } from '../shared/sql';
import { FifoHeads } from './fifo-heads';
import type { Receipt } from './receipt';
import { type MessageCounts, MessageTally } from './store-counts';
import { type DueKey, earliestDue, keyChunks, NOT_LEASED, nextLeaseEnd } from './store-leases';
import { expandRow, PACK_MAX, PackedRows, packColumn, packGroups } from './store-packed';
import { migrateSchema, type NewRow, type ReceiveMark, type RowKey } from './store-schema';

export type { MessageCounts } from './store-counts';
export type { NewRow, ReceiveMark, RowKey } from './store-schema';

type Row = Record<string, SqlStorageValue>;

export class MessageStore {
  #lastSeq = 0;
  /** The rows and the stored leases, in memory: told of every insert, delete and lease made here (counts). */
  readonly #tally: MessageTally;
  readonly #fifo: FifoHeads;
  readonly #packed: PackedRows;

  constructor(
    private readonly sql: SqlCounters,
    /** every message's SenderId: the account (sqsflare has one sender) */
    private readonly senderId: string,
  ) {
    this.#tally = new MessageTally(sql);
    this.#fifo = new FifoHeads(sql);
    this.#packed = new PackedRows(sql, this.#tally);
  }

  /** Creates the tables; idempotent, and run again after DeleteQueue wiped storage. */
  migrate(): void {
    migrateSchema(this.sql);
    this.#tally.forget();
  }

  /** The one INSERT of a message, for SendMessage and for moves between queues. Returns its seq. */
  insert(row: NewRow, now: number): number {
    return this.insertMany([row], now)[0];
  }

  /**
   * Stores messages in send order, those that may share a row (store-packed.ts) one INSERT for each run of them:
   * one billed row for a SendMessageBatch of 10 small messages. Returns each message's seq.
   */
  insertMany(rows: NewRow[], now: number): number[] {
    const seqs: number[] = [];
    for (const group of packGroups(rows)) {
      const row = group[0];
      const seq = this.#nextSeq(now, group.length);
      this.sql.exec(
        `INSERT INTO messages (seq, id, body, md5, attrs, attrs_md5, trace, group_id, dedup_id, sent_at, visible_at, dlq_source, n, pack)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ...[seq, row.messageId, row.body, row.md5OfBody, row.messageAttributes ? JSON.stringify(row.messageAttributes) : null],
        ...[row.md5OfMessageAttributes ?? null, row.awsTraceHeader ?? null, row.groupId ?? null, row.deduplicationId ?? null],
        ...[row.sentAt, row.visibleAt, row.deadLetterSourceArn ?? null, group.length, packColumn(group)],
      );
      this.#tally.inserted(group.length);
      for (let i = 0; i < group.length; i++) seqs.push(seq + i);
    }
    return seqs;
  }

  /** Time-based, so unique across restarts. */
  #nextSeq(now: number, count: number): number {
    const seq = Math.max(this.#lastSeq + 1, now * 1000);
    this.#lastSeq = seq + count - 1;
    return seq;
  }

  /** A consumer's receive: receive count + 1, the receive's nonce, invisible until `visibleAt`. */
  markReceived(message: RowKey, visibleAt: number, firstReceivedAt: number, nonce: string): void {
    this.#packed.single(message);
    this.sql.exec(
      'UPDATE messages SET visible_at = ?, receive_count = receive_count + 1, first_received_at = ?, nonce = ? WHERE visible_at = ? AND seq = ?',
      visibleAt,
      firstReceivedAt,
      nonce,
      message.visibleAt,
      message.seq,
    );
  }

  /**
   * Failed deliveries: each row moves to its new visibility; the relocation keeps the function's receipt handles
   * valid. Messages with the same mark that fill a packed row move with it: one UPDATE and one relocation.
   */
  markFailedDelivery(messages: RowKey | RowKey[], mark: ReceiveMark): void {
    if (!Array.isArray(messages)) messages = [messages];
    for (const row of this.#packed.covering(messages)) {
      const moved = this.sql.exec(
        'UPDATE messages SET visible_at = ?, receive_count = ?, first_received_at = ?, nonce = ?, lease_until = NULL WHERE visible_at = ? AND seq = ? RETURNING seq',
        ...[mark.visibleAt, mark.receiveCount, mark.firstReceivedAt, mark.nonce, row.visibleAt, row.seq],
      );
      this.#tally.unleased(moved.map((r) => r.seq as number));
      this.#recordRelocation(row.seq, mark.visibleAt);
    }
  }

  /** ChangeMessageVisibility: the row moves, and older handles follow it through `relocated`. */
  moveVisibility(message: RowKey, visibleAt: number): void {
    this.#packed.single(message);
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
    const here = this.#packed.holder(receipt, receipt.nonce);
    if (here) return { visibleAt: receipt.visibleAt, relocated: false, leaseUntil: here.leaseUntil };
    // A packed row moved as a whole has its relocation under its first message's seq, at most PACK_MAX − 1 below.
    const moves = this.sql.all('SELECT visible_at FROM relocated WHERE seq BETWEEN ? AND ? ORDER BY seq DESC', receipt.seq - PACK_MAX + 1, receipt.seq);
    for (const moved of moves) {
      const visibleAt = moved.visible_at as number;
      const there = this.#packed.holder({ visibleAt, seq: receipt.seq }, receipt.nonce);
      if (there) return { visibleAt, relocated: true, leaseUntil: there.leaseUntil };
    }
    return undefined;
  }

  /**
   * Deletes one row and any relocation of it: a message received again after a move is deleted by a handle
   * that names its current key, while the old relocation still names it (`_relocated` says nothing then).
   */
  deleteOne(message: RowKey, _relocated?: boolean): void {
    this.#packed.single(message);
    this.#deleted(this.sql.exec('DELETE FROM messages WHERE visible_at = ? AND seq = ? RETURNING seq, n', message.visibleAt, message.seq));
    this.sql.exec('DELETE FROM relocated WHERE seq = ?', message.seq);
  }

  /** Every DELETE FROM messages returns the seqs (and sizes) it removed, and the tally hears of them here. */
  #deleted(gone: Row[]): void {
    this.#tally.deleted(gone);
  }

  /** Relocations of deleted messages: only a message received before (receiveCount > 0) can have one. */
  #forgetRelocations(seqs: number[]): void {
    for (const chunk of keyChunks(seqs)) this.sql.exec(`DELETE FROM relocated WHERE seq IN (${chunk.map(() => '?').join(', ')})`, ...chunk);
  }

  /**
   * Deletes messages by key, in statements that stay under SQLite's 100 bound parameters: a packed row all of whose
   * messages go is one row deleted. Only a message received before (receiveCount > 0) can have a `relocated`
   * entry to clear (a packed row's is under its first seq).
   */
  deleteRows(messages: (RowKey & { receiveCount: number })[]): void {
    for (const chunk of keyChunks(this.#packed.covering(messages))) {
      const gone = this.sql.exec(
        `DELETE FROM messages WHERE (visible_at, seq) IN (VALUES ${chunk.map(() => '(?, ?)').join(', ')}) RETURNING seq, n`,
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
       AND sent_at <= ? RETURNING seq, n, receive_count`,
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
    const messages = this.#dueRows('*', now, cutoff, limit, excluded, fifo).flatMap(expandRow);
    return messages.filter((row) => !excluded.has(row.seq as number)).slice(0, limit).map((row) => this.#toStored(row));
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
    return rows.filter((row) => !excluded.has(row.seq as number));
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
      .flatMap(expandRow)
      .slice(0, limit)
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

  /** Unleased messages due now, counted up to about `cap` past the `excluded` ones, less those. */
  dueCount(now: number, cap: number, excluded: number): number {
    const row = this.sql.one(
      `SELECT COALESCE(SUM(n), 0) AS n FROM (SELECT n FROM messages WHERE visible_at <= ? AND ${NOT_LEASED} LIMIT ?)`,
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
    // A packed row all of whose messages are claimed is one row written; one claimed in part is split first.
    for (const chunk of keyChunks(this.#packed.covering(keys))) {
      const leased = this.sql.exec(
        `UPDATE messages SET lease_until = ?, nonce = ?, receive_count = receive_count + 1, first_received_at = COALESCE(first_received_at, ?)
         WHERE (visible_at, seq) IN (VALUES ${chunk.map(() => '(?, ?)').join(', ')}) RETURNING seq, n`,
        ...[lease.leaseUntil, lease.nonce, lease.receivedAt, ...chunk.flatMap((k) => [k.visibleAt, k.seq])],
      );
      this.#tally.leased(leased, lease.leaseUntil);
    }
  }

  /**
   * Due, unleased messages as keys and UTF-8 sizes, no bodies: batches are planned on these, one batch's loaded.
   * Whole rows only, unless the first row alone holds more than `limit`: a batch that ended inside a packed row
   * would split it (n rows written), and the next batch the row after, and so on.
   */
  selectDueKeys(now: number, cutoff: number, limit: number, excluded: Set<number>, fifo = false): DueKey[] {
    // sent_at and lease_until: what a FIFO group run is judged on (fifo-heads.ts)
    const columns =
      'visible_at, seq, n, group_id, receive_count, sent_at, lease_until, octet_length(body) + COALESCE(octet_length(attrs), 0) + COALESCE(octet_length(pack), 0) AS bytes';
    const keys: DueKey[] = [];
    for (const r of this.#dueRows(columns, now, cutoff, limit, excluded, fifo)) {
      const n = r.n as number;
      if (keys.length > 0 && keys.length + n > limit) break;
      for (let i = 0; i < n && keys.length < limit; i++) {
        if (excluded.has((r.seq as number) + i)) continue;
        const key = { visibleAt: r.visible_at as number, seq: (r.seq as number) + i, receiveCount: r.receive_count as number };
        keys.push({ ...key, groupId: (r.group_id as string | null) ?? undefined, bytes: Math.ceil((r.bytes as number) / n) });
      }
    }
    return keys;
  }

  /** The messages of one planned batch, in the order given; those gone meanwhile are left out. */
  loadRows(keys: RowKey[]): StoredMessage[] {
    const found = new Map<number, StoredMessage>();
    for (const chunk of keyChunks(this.#packed.holders(keys))) {
      const rows = this.sql.all(
        `SELECT * FROM messages WHERE (visible_at, seq) IN (VALUES ${chunk.map(() => '(?, ?)').join(', ')})`,
        ...chunk.flatMap((k) => [k.visibleAt, k.seq]),
      );
      for (const row of rows.flatMap(expandRow)) found.set(row.seq as number, this.#toStored(row));
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
