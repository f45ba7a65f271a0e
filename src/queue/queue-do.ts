/**
 * One queue, one Durable Object. The alarm is the only timer and is set only while the mapped
 * function has work. The wire protocols never reach this class: it takes validated input and
 * returns plain data.
 *
 * Storage: messages are clustered by (visible_at, seq) in a WITHOUT ROWID table, so finding due
 * work is a range scan with no secondary index to maintain: a message delivered without trouble
 * costs one row written to store and one to delete. Receipt handles carry the row key; when a
 * received message's row moves (ChangeMessageVisibility, a failed delivery), `relocated` records
 * where it went so older handles keep working. FIFO order uses a partial index on seq that only
 * FIFO (grouped) messages pay for.
 */
import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env';
import { type BatchError, invalidParameter, sqsError, toBatchError } from '../shared/errors';
import { FIFO_DEDUP_WINDOW_MS } from '../shared/sqs-limits';
import type {
  MessageAttributes,
  NewMessage,
  QueueAttributes,
  ReceivedMessage,
  SendResult,
  StoredMessage,
} from '../shared/messages';
import { sequenceNumber } from '../shared/messages';
import {
  initialAttributes,
  parseRedrivePolicy,
  type RedrivePolicy,
} from './queue-attributes';
import { decodeReceipt, encodeReceipt, newNonce, type Receipt } from './receipt';
import { queueArn, queueNameFromArn } from '../shared/names';
import { Delivery, type DeliveryHost } from '../delivery/delivery';
import type { Mapping } from '../delivery/mapping';
import { SqlCounters } from '../shared/sql';
import { SQL_MAX_BOUND_PARAMETERS } from '../shared/platform';
import { sha256Hex } from '../shared/bytes';
import { queueObject, rpcSafe } from '../shared/rpc';

interface QueueConfig {
  name: string;
  attributes: QueueAttributes;
  tags: Record<string, string>;
  createdAt: number;
  modifiedAt: number;
  /** kept with the config so the 60 s PurgeQueue limit survives an eviction */
  lastPurgeAt?: number;
}

export interface ReceiveOptions {
  maxMessages: number;
  visibilityTimeout?: number;
  waitTimeSeconds?: number;
}

export interface MoveTask {
  TaskHandle: string;
  Status: 'RUNNING' | 'COMPLETED' | 'CANCELLING' | 'CANCELLED' | 'FAILED';
  SourceArn: string;
  DestinationArn?: string;
  MaxNumberOfMessagesPerSecond?: number;
  ApproximateNumberOfMessagesMoved: number;
  ApproximateNumberOfMessagesToMove: number;
  StartedTimestamp: number;
  FailureReason?: string;
}

type Row = Record<string, SqlStorageValue>;

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
CREATE INDEX IF NOT EXISTS messages_fifo_order ON messages (seq) WHERE group_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS relocated (seq INTEGER PRIMARY KEY, visible_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS dedup (key TEXT PRIMARY KEY, message_id TEXT NOT NULL, seq INTEGER NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS move_tasks (handle TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS delivery_state (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
`;

/** A message stays invisible at most 12 hours from the receive that took it, however often it is extended. */
const MAX_TOTAL_VISIBILITY_MS = 43_200 * 1000;

/** SQS allows one PurgeQueue per queue every 60 seconds. */
const PURGE_INTERVAL_MS = 60_000;

export class QueueDO extends DurableObject<Env> implements DeliveryHost {
  private config: QueueConfig | null = null;
  readonly sql: SqlCounters;
  private alarmAt: number | null = null;
  private waiters = new Set<() => void>();
  private lastCleanup = 0;
  private lastSeq = 0;
  readonly delivery: Delivery;
  /** This instance's own activity, in memory: a restart begins at zero, so benchmarks can tell an eviction apart. */
  private readonly instance = { startedAt: Date.now(), alarmRuns: 0 };
  private startupRows = { rowsRead: 0, rowsWritten: 0 };

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = new SqlCounters(ctx.storage.sql);
    this.delivery = new Delivery(this, env);
    ctx.blockConcurrencyWhile(async () => {
      this.sql.exec(SCHEMA);
      const row = this.sql.one('SELECT value FROM config WHERE id = 1');
      this.config = row ? (JSON.parse(row.value as string) as QueueConfig) : null;
      this.alarmAt = await ctx.storage.getAlarm();
      this.delivery.load();
      this.startupRows = this.sql.totals();
    });
  }

  // ---- queue lifecycle ----------------------------------------------------------------

  /** Creates the queue, or checks that the given attributes match the existing one. */
  async create(name: string, given: QueueAttributes, tags: Record<string, string>, now: number): Promise<{ created: boolean; createdAt: number }> {
    const fifo = name.endsWith('.fifo');
    if (this.config) {
      for (const [key, value] of Object.entries(given)) {
        const current = this.config.attributes[key] ?? initialAttributes({}, fifo)[key] ?? '';
        if (normaliseAttribute(key, current) !== normaliseAttribute(key, value)) {
          throw sqsError('QueueNameExists', `A queue already exists with the same name and a different value for attribute ${key}`);
        }
      }
      return { created: false, createdAt: this.config.createdAt };
    }
    this.config = { name, attributes: initialAttributes(given, fifo), tags, createdAt: now, modifiedAt: now };
    this.saveConfig();
    return { created: true, createdAt: now };
  }

  async exists(): Promise<boolean> {
    return this.config !== null;
  }

  async deleteQueue(): Promise<void> {
    this.requireQueue();
    this.config = null;
    this.delivery.reset();
    await this.ctx.storage.deleteAlarm();
    this.alarmAt = null;
    await this.ctx.storage.deleteAll();
    this.sql.exec(SCHEMA);
    this.wakeWaiters();
  }

  async getAttributes(names: string[], now = Date.now()): Promise<QueueAttributes> {
    const config = this.requireQueue();
    const wantAll = names.includes('All');
    const want = (n: string) => wantAll || names.includes(n);
    const out: QueueAttributes = {};
    if (want('QueueArn')) out.QueueArn = queueArn(this.env, config.name);
    if (want('ApproximateNumberOfMessages') || want('ApproximateNumberOfMessagesNotVisible') || want('ApproximateNumberOfMessagesDelayed')) {
      const counts = this.counts(now);
      if (want('ApproximateNumberOfMessages')) out.ApproximateNumberOfMessages = String(counts.visible);
      if (want('ApproximateNumberOfMessagesNotVisible')) out.ApproximateNumberOfMessagesNotVisible = String(counts.inFlight);
      if (want('ApproximateNumberOfMessagesDelayed')) out.ApproximateNumberOfMessagesDelayed = String(counts.delayed);
    }
    if (want('CreatedTimestamp')) out.CreatedTimestamp = String(Math.floor(config.createdAt / 1000));
    if (want('LastModifiedTimestamp')) out.LastModifiedTimestamp = String(Math.floor(config.modifiedAt / 1000));
    for (const [key, value] of Object.entries(config.attributes)) if (want(key)) out[key] = value;
    return out;
  }

  async setAttributes(attributes: QueueAttributes, now: number): Promise<void> {
    const config = this.requireQueue();
    for (const [key, value] of Object.entries(attributes)) {
      if (value === '' && (key === 'RedrivePolicy' || key === 'RedriveAllowPolicy' || key === 'Policy')) delete config.attributes[key];
      else config.attributes[key] = value;
    }
    config.modifiedAt = now;
    this.saveConfig();
    await this.scheduleAlarm();
  }

  async tag(tags: Record<string, string>): Promise<void> {
    const config = this.requireQueue();
    const merged = { ...config.tags, ...tags };
    if (Object.keys(merged).length > 50) throw invalidParameter('Too many tags added for queue. Maximum 50.');
    config.tags = merged;
    this.saveConfig();
  }

  async untag(keys: string[]): Promise<void> {
    const config = this.requireQueue();
    for (const key of keys) delete config.tags[key];
    this.saveConfig();
  }

  async listTags(): Promise<Record<string, string>> {
    return { ...this.requireQueue().tags };
  }

  async purge(now = Date.now()): Promise<void> {
    const config = this.requireQueue();
    if (now - (config.lastPurgeAt ?? 0) < PURGE_INTERVAL_MS) {
      throw sqsError('PurgeQueueInProgress', 'Only one PurgeQueue operation on the queue is allowed every 60 seconds.');
    }
    config.lastPurgeAt = now;
    this.saveConfig();
    this.sql.exec('DELETE FROM messages');
    this.sql.exec('DELETE FROM relocated');
    this.sql.exec('DELETE FROM dedup');
    this.delivery.forgetInFlight();
    await this.scheduleAlarm();
  }

  // ---- messages -------------------------------------------------------------------------

  /** Stores a batch of validated messages; one RPC for a whole SendMessageBatch. */
  async send(messages: NewMessage[], now = Date.now()): Promise<(SendResult | BatchError)[]> {
    const config = this.requireQueue();
    const fifo = this.isFifo();
    const maxSize = Number(config.attributes.MaximumMessageSize);
    const queueDelay = Number(config.attributes.DelaySeconds ?? 0);
    const contentDedup = config.attributes.ContentBasedDeduplication === 'true';
    const dedupByGroup = config.attributes.DeduplicationScope === 'messageGroup';
    if (fifo) this.sql.exec('DELETE FROM dedup WHERE expires_at <= ?', now);
    const results: (SendResult | BatchError)[] = [];
    let earliest = Infinity;
    for (const message of messages) {
      const entryId = message.entryId ?? '';
      try {
        if (message.size !== undefined && message.size > maxSize) {
          throw invalidParameter(`One or more parameters are invalid. Reason: Message must be shorter than ${maxSize} bytes.`);
        }
        let dedupKey: string | undefined;
        if (fifo) {
          if (!message.groupId) throw sqsError('MissingParameter', 'The request must contain the parameter MessageGroupId.');
          if (message.delaySeconds !== undefined && message.delaySeconds !== 0) {
            throw invalidParameter(
              `Value ${message.delaySeconds} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.`,
            );
          }
          const dedupId = message.deduplicationId ?? (contentDedup ? await sha256Hex(message.body) : undefined);
          if (!dedupId) {
            throw invalidParameter(
              'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
            );
          }
          message.deduplicationId = dedupId;
          dedupKey = dedupByGroup ? `${message.groupId}\u0000${dedupId}` : dedupId;
          const seen = this.sql.one('SELECT message_id, seq FROM dedup WHERE key = ?', dedupKey);
          if (seen) {
            results.push(this.sendResult(message, seen.message_id as string, seen.seq as number, true));
            continue;
          }
        } else if (message.deduplicationId !== undefined) {
          throw invalidParameter(
            'Value for parameter MessageDeduplicationId is invalid. Reason: The request include parameter that is not valid for this queue type.',
          );
        }
        const messageId = crypto.randomUUID();
        const delay = message.delaySeconds ?? queueDelay;
        // Only the extended delay (sqsflare.DelaySeconds) can outlive retention; SQS's own ≤ 900 s delays are as AWS has them.
        if (delay > 900 && delay * 1000 >= this.retentionMs()) {
          throw invalidParameter(`Value ${delay} for the delay is invalid. Reason: a message cannot be delayed past the queue's MessageRetentionPeriod.`);
        }
        const visibleAt = now + delay * 1000;
        const seq = this.nextSeq(now);
        this.sql.exec(
          `INSERT INTO messages (seq, id, body, md5, attrs, attrs_md5, trace, group_id, dedup_id, sent_at, visible_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          seq,
          messageId,
          message.body,
          message.md5OfBody,
          message.messageAttributes ? JSON.stringify(message.messageAttributes) : null,
          message.md5OfMessageAttributes ?? null,
          message.awsTraceHeader ?? null,
          message.groupId ?? null,
          message.deduplicationId ?? null,
          now,
          visibleAt,
        );
        if (dedupKey) {
          this.sql.exec('INSERT INTO dedup (key, message_id, seq, expires_at) VALUES (?, ?, ?, ?)', dedupKey, messageId, seq, now + FIFO_DEDUP_WINDOW_MS);
        }
        earliest = Math.min(earliest, visibleAt);
        results.push(this.sendResult(message, messageId, seq, fifo));
      } catch (error) {
        results.push(toBatchError(entryId, error));
      }
    }
    if (earliest !== Infinity) {
      this.wakeWaiters();
      await this.noteDue(earliest);
    }
    return results;
  }

  /** Sequence numbers increase in send order: time-based, so they stay unique across restarts. */
  private nextSeq(now: number): number {
    this.lastSeq = Math.max(this.lastSeq + 1, now * 1000);
    return this.lastSeq;
  }

  private sendResult(message: NewMessage, messageId: string, seq: number, fifo: boolean): SendResult {
    const result: SendResult = { entryId: message.entryId, MessageId: messageId, MD5OfMessageBody: message.md5OfBody };
    if (message.md5OfMessageAttributes) result.MD5OfMessageAttributes = message.md5OfMessageAttributes;
    if (message.md5OfMessageSystemAttributes) result.MD5OfMessageSystemAttributes = message.md5OfMessageSystemAttributes;
    if (fifo) result.SequenceNumber = sequenceNumber(seq);
    return result;
  }

  /**
   * ReceiveMessage. Long polling waits inside the object: a send wakes it at once, and a
   * delayed or in-flight message becoming visible wakes it when due.
   */
  async receive(options: ReceiveOptions): Promise<ReceivedMessage[]> {
    const config = this.requireQueue();
    const waitSeconds = options.waitTimeSeconds ?? Number(config.attributes.ReceiveMessageWaitTimeSeconds ?? 0);
    const deadline = Date.now() + waitSeconds * 1000;
    for (;;) {
      const now = Date.now();
      const messages = await this.receiveNow(options, now);
      if (messages.length > 0 || now >= deadline || !this.config) return messages;
      const next = this.nextVisibleAt(now);
      await this.waitForWork(Math.min(deadline, next ?? Infinity) - now);
    }
  }

  private async receiveNow(options: ReceiveOptions, now: number): Promise<ReceivedMessage[]> {
    const config = this.requireQueue();
    this.cleanupExpired(now);
    const visibility = options.visibilityTimeout ?? Number(config.attributes.VisibilityTimeout);
    const candidates = this.selectDue(now, options.maxMessages);
    if (candidates.length === 0) return [];
    const redrive = parseRedrivePolicy(config.attributes.RedrivePolicy);
    const out: ReceivedMessage[] = [];
    const toDlq: StoredMessage[] = [];
    for (const message of candidates) {
      if (redrive && message.receiveCount >= redrive.maxReceiveCount) {
        toDlq.push(message);
        continue;
      }
      out.push(this.markReceived(message, now, now + visibility * 1000));
    }
    if (toDlq.length > 0) await this.moveToDeadLetterQueue(toDlq, redrive!);
    await this.scheduleAlarm();
    return out;
  }

  /** Takes a message in flight: new receipt, receive count + 1, invisible until `visibleAt`. */
  markReceived(message: StoredMessage, now: number, visibleAt: number): ReceivedMessage {
    const nonce = newNonce();
    const firstReceivedAt = message.firstReceivedAt ?? now;
    this.sql.exec(
      'UPDATE messages SET visible_at = ?, receive_count = receive_count + 1, first_received_at = ?, nonce = ? WHERE visible_at = ? AND seq = ?',
      visibleAt,
      firstReceivedAt,
      nonce,
      message.visibleAt,
      message.seq,
    );
    return {
      ...message,
      receiveCount: message.receiveCount + 1,
      firstReceivedAt,
      visibleAt,
      receiptHandle: encodeReceipt(this.requireQueue().name, { seq: message.seq, visibleAt, nonce, receivedAt: now }),
    };
  }

  /**
   * Messages visible now, oldest due first. FIFO: in order within each group, and never from a
   * group that has a message in flight (one batch per group at a time).
   */
  selectDue(now: number, limit: number): StoredMessage[] {
    const cutoff = this.retentionCutoff(now);
    const excluded = this.delivery.inFlightSeqs();
    const fetch = limit + excluded.size;
    let rows: Row[];
    if (this.isFifo()) {
      const busyGroups = [
        ...this.sql.all('SELECT DISTINCT group_id FROM messages WHERE visible_at > ? AND receive_count > 0', now).map((r) => r.group_id as string),
        ...this.delivery.inFlightGroups(),
      ];
      const groupFilter = busyGroups.length ? `AND group_id NOT IN (${busyGroups.map(() => '?').join(',')})` : '';
      rows = this.sql.all(
        `SELECT * FROM messages WHERE group_id IS NOT NULL AND visible_at <= ? AND sent_at > ? ${groupFilter} ORDER BY seq LIMIT ?`,
        now,
        cutoff,
        ...busyGroups,
        fetch,
      );
    } else {
      rows = this.sql.all('SELECT * FROM messages WHERE visible_at <= ? AND sent_at > ? ORDER BY visible_at, seq LIMIT ?', now, cutoff, fetch);
    }
    const messages: StoredMessage[] = [];
    for (const row of rows) {
      if (excluded.has(row.seq as number)) continue;
      messages.push(this.toStored(row));
      if (messages.length >= limit) break;
    }
    return messages;
  }

  async deleteMessages(entries: { Id: string; ReceiptHandle: unknown }[], now = Date.now()): Promise<({ Id: string } | BatchError)[]> {
    const config = this.requireQueue();
    const fifo = this.isFifo();
    const results = entries.map((entry) => {
      try {
        const receipt = decodeReceipt(config.name, entry.ReceiptHandle);
        // A stale handle (the message was received again since) succeeds without deleting on a standard queue, as
        // in SQS. A FIFO queue refuses a handle whose visibility has run out (checked against AWS by localstack#12442):
        // its consumer would otherwise process a duplicate without knowing. A repeated delete in time succeeds.
        const row = this.findByReceipt(receipt);
        const expired = row ? row.visible_at <= now && !row.delivering : receipt.visibleAt <= now;
        if (fifo && expired) {
          throw invalidParameter(`Value ${String(entry.ReceiptHandle)} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`);
        }
        if (row) {
          this.sql.exec('DELETE FROM messages WHERE visible_at = ? AND seq = ?', row.visible_at, receipt.seq);
          if (row.relocated) this.sql.exec('DELETE FROM relocated WHERE seq = ?', receipt.seq);
        }
        return { Id: entry.Id };
      } catch (error) {
        return toBatchError(entry.Id, error);
      }
    });
    await this.scheduleAlarm();
    return results;
  }

  async changeVisibility(entries: { Id: string; ReceiptHandle: unknown; VisibilityTimeout: number }[], now = Date.now()): Promise<({ Id: string } | BatchError)[]> {
    const config = this.requireQueue();
    const results = entries.map((entry) => {
      try {
        const receipt = decodeReceipt(config.name, entry.ReceiptHandle);
        const row = this.findByReceipt(receipt);
        // A well-formed handle whose message was deleted or received again: SQS's own wording for this case.
        if (!row) {
          throw invalidParameter(
            `Value ${String(entry.ReceiptHandle)} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
          );
        }
        const visibleAt = now + entry.VisibilityTimeout * 1000;
        if (receipt.receivedAt !== undefined && visibleAt - receipt.receivedAt > MAX_TOTAL_VISIBILITY_MS) {
          throw invalidParameter(
            `Value ${entry.VisibilityTimeout} for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds].`,
          );
        }
        if (row.delivering) {
          // The function changes its own message's visibility (a common backoff): it applies if the invocation fails.
          this.delivery.overrideVisibility(receipt.seq, visibleAt);
          return { Id: entry.Id };
        }
        if (row.visible_at <= now) {
          throw sqsError('MessageNotInflight', 'The message referred to is not in flight.');
        }
        this.sql.exec('UPDATE messages SET visible_at = ? WHERE visible_at = ? AND seq = ?', visibleAt, row.visible_at, receipt.seq);
        this.recordRelocation(receipt.seq, visibleAt);
        return { Id: entry.Id };
      } catch (error) {
        return toBatchError(entry.Id, error);
      }
    });
    this.wakeWaiters();
    await this.scheduleAlarm();
    return results;
  }

  /**
   * The row a receipt handle names, if the handle is still current: at the key the handle
   * carries, where the row was relocated to, or out for delivery right now.
   */
  private findByReceipt(receipt: Receipt): { visible_at: number; relocated: boolean; delivering: boolean } | undefined {
    const delivering = this.delivery.inFlightEntry(receipt.seq);
    if (delivering) return delivering.nonce === receipt.nonce ? { visible_at: delivering.visibleAt, relocated: false, delivering: true } : undefined;
    const at = (visibleAt: number) =>
      this.sql.one('SELECT visible_at FROM messages WHERE visible_at = ? AND seq = ? AND nonce = ?', visibleAt, receipt.seq, receipt.nonce);
    const direct = at(receipt.visibleAt);
    if (direct) return { visible_at: receipt.visibleAt, relocated: false, delivering: false };
    const moved = this.sql.one('SELECT visible_at FROM relocated WHERE seq = ?', receipt.seq);
    if (moved && at(moved.visible_at as number)) return { visible_at: moved.visible_at as number, relocated: true, delivering: false };
    return undefined;
  }

  /**
   * Deletes rows by key, in statements that stay under SQLite's 100 bound parameters. Only a
   * message received before (receiveCount > 0) can have a `relocated` entry to clear.
   */
  deleteRows(messages: { visibleAt: number; seq: number; receiveCount: number }[]): void {
    const perStatement = Math.floor((SQL_MAX_BOUND_PARAMETERS - 10) / 2);
    for (let i = 0; i < messages.length; i += perStatement) {
      const chunk = messages.slice(i, i + perStatement);
      this.sql.exec(
        `DELETE FROM messages WHERE (visible_at, seq) IN (VALUES ${chunk.map(() => '(?, ?)').join(', ')})`,
        ...chunk.flatMap((m) => [m.visibleAt, m.seq]),
      );
      const received = chunk.filter((m) => m.receiveCount > 0).map((m) => m.seq);
      if (received.length > 0) this.sql.exec(`DELETE FROM relocated WHERE seq IN (${received.map(() => '?').join(', ')})`, ...received);
    }
  }

  /**
   * Messages arriving from another queue: ids and sent timestamps kept. `deadLetterSourceArn` is
   * the queue they failed in (a dead-letter move); absent for a redrive back to a source.
   */
  async moveIn(messages: StoredMessage[], deadLetterSourceArn?: string, now = Date.now()): Promise<number> {
    this.requireQueue();
    for (const m of messages) {
      this.sql.exec(
        `INSERT INTO messages (seq, id, body, md5, attrs, attrs_md5, trace, group_id, dedup_id, sent_at, visible_at, dlq_source)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        this.nextSeq(now),
        m.messageId,
        m.body,
        m.md5OfBody,
        m.messageAttributes ? JSON.stringify(m.messageAttributes) : null,
        m.md5OfMessageAttributes ?? null,
        m.awsTraceHeader ?? null,
        m.groupId ?? null,
        m.deduplicationId ?? null,
        m.sentAt,
        now,
        deadLetterSourceArn ?? null,
      );
    }
    if (messages.length > 0) {
      this.wakeWaiters();
      await this.noteDue(now);
    }
    return messages.length;
  }

  /** Sends messages past maxReceiveCount to the dead-letter queue; deletes them here only once stored there. */
  /** Where a moved row went, so receipt handles that name its old key stay valid. */
  recordRelocation(seq: number, visibleAt: number): void {
    this.sql.exec('INSERT OR REPLACE INTO relocated (seq, visible_at) VALUES (?, ?)', seq, visibleAt);
  }

  async moveToDeadLetterQueue(messages: StoredMessage[], redrive: RedrivePolicy): Promise<void> {
    const dlqName = queueNameFromArn(redrive.deadLetterTargetArn);
    try {
      await queueObject(this.env, dlqName).moveIn(messages, queueArn(this.env, this.queueName()));
    } catch (error) {
      // The DLQ is missing: SQS keeps the message in the source queue.
      console.warn(`dead-letter move to ${dlqName} failed: ${(error as Error).message}`);
      return;
    }
    this.deleteRows(messages);
    this.delivery.countDeadLettered(messages.length);
  }

  /** Peek for the dashboard: does not change visibility or receive counts. */
  async peek(limit: number, now = Date.now()): Promise<StoredMessage[]> {
    this.requireQueue();
    return this.sql
      .all('SELECT * FROM messages WHERE sent_at > ? ORDER BY visible_at, seq LIMIT ?', this.retentionCutoff(now), limit)
      .map((r) => this.toStored(r));
  }

  // ---- message move tasks (redrive from this queue as a DLQ) ----------------------------------

  async startMoveTask(sourceArn: string, destinationArn: string | undefined, rate: number | undefined, now = Date.now()): Promise<string> {
    this.requireQueue();
    const running = this.listMoveTaskRecords().find((t) => t.Status === 'RUNNING');
    if (running) throw sqsError('UnsupportedOperation', 'There is already a task running. Only one active task is allowed for a source queue arn at a given time.');
    const toMove = this.counts(now);
    const task: MoveTask = {
      TaskHandle: btoa(JSON.stringify({ taskId: crypto.randomUUID(), sourceArn })),
      Status: 'RUNNING',
      SourceArn: sourceArn,
      DestinationArn: destinationArn,
      MaxNumberOfMessagesPerSecond: rate,
      ApproximateNumberOfMessagesMoved: 0,
      ApproximateNumberOfMessagesToMove: toMove.visible + toMove.inFlight + toMove.delayed,
      StartedTimestamp: now,
    };
    this.saveMoveTask(task);
    await this.setAlarmAt(now);
    return task.TaskHandle;
  }

  async listMoveTasks(limit: number): Promise<MoveTask[]> {
    this.requireQueue();
    return this.listMoveTaskRecords()
      .sort((a, b) => b.StartedTimestamp - a.StartedTimestamp)
      .slice(0, limit);
  }

  async cancelMoveTask(handle: string): Promise<number> {
    const task = this.listMoveTaskRecords().find((t) => t.TaskHandle === handle);
    if (!task) throw sqsError('ResourceNotFoundException', 'The resource that you specified for the TaskHandle parameter does not exist.');
    if (task.Status !== 'RUNNING') throw sqsError('UnsupportedOperation', 'Only active tasks can be cancelled.');
    task.Status = 'CANCELLED';
    this.saveMoveTask(task);
    return task.ApproximateNumberOfMessagesMoved;
  }

  private listMoveTaskRecords(): MoveTask[] {
    return this.sql.all('SELECT value FROM move_tasks').map((r) => JSON.parse(r.value as string) as MoveTask);
  }

  private saveMoveTask(task: MoveTask): void {
    this.sql.exec('INSERT OR REPLACE INTO move_tasks (handle, value) VALUES (?, ?)', task.TaskHandle, JSON.stringify(task));
  }

  /** Moves one chunk of a running move task; returns true while the task has more to do. */
  private async runMoveTask(now: number): Promise<boolean> {
    const task = this.listMoveTaskRecords().find((t) => t.Status === 'RUNNING');
    if (!task) return false;
    const chunk = Math.min(task.MaxNumberOfMessagesPerSecond ?? 500, 500);
    const rows = this.sql.all('SELECT * FROM messages WHERE sent_at > ? ORDER BY visible_at, seq LIMIT ?', this.retentionCutoff(now), chunk);
    const messages = rows.map((r) => this.toStored(r));
    // Messages go back to where they came from: the explicit destination, or each message's source.
    const byDestination = new Map<string, StoredMessage[]>();
    for (const m of messages) {
      const arn = task.DestinationArn ?? m.deadLetterSourceArn;
      if (!arn) continue; // never dead-lettered here: nowhere to return it, so it stays
      byDestination.set(arn, [...(byDestination.get(arn) ?? []), m]);
    }
    try {
      for (const [arn, group] of byDestination) {
        await queueObject(this.env, queueNameFromArn(arn)).moveIn(group);
        this.deleteRows(group);
      }
    } catch (error) {
      task.Status = 'FAILED';
      task.FailureReason = `Destination queue unavailable: ${(error as Error).message}`;
      this.saveMoveTask(task);
      return false;
    }
    task.ApproximateNumberOfMessagesMoved += [...byDestination.values()].reduce((n, g) => n + g.length, 0);
    if (messages.length < chunk || byDestination.size === 0) task.Status = 'COMPLETED';
    this.saveMoveTask(task);
    return task.Status === 'RUNNING';
  }

  // ---- mapping and delivery -------------------------------------------------------------------

  async setMapping(mapping: Mapping | null): Promise<void> {
    this.delivery.setMapping(mapping);
    await this.scheduleAlarm();
  }

  async getMapping(): Promise<Mapping | null> {
    return this.delivery.mapping;
  }

  async stats(now = Date.now()) {
    const config = this.requireQueue();
    const rowsBeforeThisLook = this.sql.totals(); // so a look does not count itself
    const counts = this.counts(now);
    const oldest = this.sql.one('SELECT MIN(sent_at) AS t FROM messages WHERE sent_at > ?', this.retentionCutoff(now));
    return {
      name: config.name,
      arn: queueArn(this.env, config.name),
      fifo: this.isFifo(),
      attributes: config.attributes,
      ...counts,
      oldestMessageAgeSeconds: oldest?.t ? Math.floor((now - (oldest.t as number)) / 1000) : null,
      alarmAt: this.alarmAt,
      mapping: this.delivery.mapping,
      delivery: this.delivery.report(),
      instance: {
        ...this.instance,
        rowsRead: rowsBeforeThisLook.rowsRead - this.startupRows.rowsRead,
        rowsWritten: rowsBeforeThisLook.rowsWritten - this.startupRows.rowsWritten,
        reportRowsWritten: this.delivery.reportRowsWritten,
      },
    };
  }

  override async alarm(): Promise<void> {
    this.alarmAt = null;
    this.instance.alarmRuns++;
    if (!this.config) return;
    const now = Date.now();
    this.cleanupExpired(now);
    let again = await this.runMoveTask(now);
    again = (await this.delivery.run(now)) || again;
    if (again) await this.setAlarmAt(Date.now());
    else await this.scheduleAlarm();
  }

  /**
   * Keeps the invariant: an alarm is set iff there is due-able work, at the earliest due time.
   * Work is a running move task, or messages for a mapped function.
   */
  async scheduleAlarm(): Promise<void> {
    const now = Date.now();
    let due: number | null = null;
    if (this.listMoveTaskRecords().some((t) => t.Status === 'RUNNING')) due = now;
    const deliveryDue = this.delivery.nextDue(now);
    if (deliveryDue !== null) due = due === null ? deliveryDue : Math.min(due, deliveryDue);
    if (due === this.alarmAt) return;
    if (due === null) {
      await this.ctx.storage.deleteAlarm();
      this.alarmAt = null;
    } else {
      await this.setAlarmAt(due);
    }
  }

  /** A message became due at `at`: pull the alarm earlier if delivery needs it. */
  private async noteDue(at: number): Promise<void> {
    if (!this.delivery.mapping) return;
    // A batching window may close early when the batch fills: that needs the full computation.
    if (this.delivery.mapping.maximumBatchingWindowInSeconds > 0) return this.scheduleAlarm();
    const due = this.delivery.dueFor(at);
    if (this.alarmAt === null || due < this.alarmAt) await this.setAlarmAt(due);
  }

  async setAlarmAt(at: number): Promise<void> {
    if (this.alarmAt === at) return;
    this.alarmAt = at;
    await this.ctx.storage.setAlarm(at);
  }

  // ---- helpers ------------------------------------------------------------------------------

  requireQueue(): QueueConfig {
    if (!this.config) throw sqsError('QueueDoesNotExist', 'The specified queue does not exist.');
    return this.config;
  }

  isFifo(): boolean {
    return this.config?.attributes.FifoQueue === 'true';
  }

  queueName(): string {
    return this.requireQueue().name;
  }

  redrivePolicy(): RedrivePolicy | undefined {
    return parseRedrivePolicy(this.config?.attributes.RedrivePolicy);
  }

  visibilityTimeout(): number {
    return Number(this.requireQueue().attributes.VisibilityTimeout);
  }

  private saveConfig(): void {
    this.sql.exec('INSERT OR REPLACE INTO config (id, value) VALUES (1, ?)', JSON.stringify(this.config));
  }

  retentionMs(): number {
    return Number(this.config?.attributes.MessageRetentionPeriod ?? 345600) * 1000;
  }

  retentionCutoff(now: number): number {
    return now - this.retentionMs();
  }

  /** Drops messages past retention, at most once a minute and a bounded amount at a time. */
  private cleanupExpired(now: number): void {
    if (now - this.lastCleanup < 60_000) return;
    this.lastCleanup = now;
    this.sql.exec(
      // Expired rows sit near the front of the due order: look at the first thousand only.
      'DELETE FROM messages WHERE (visible_at, seq) IN (SELECT visible_at, seq FROM messages ORDER BY visible_at LIMIT 1000) AND sent_at <= ?',
      this.retentionCutoff(now),
    );
  }

  counts(now: number): { visible: number; inFlight: number; delayed: number } {
    const row = this.sql.one(
      `SELECT COALESCE(SUM(visible_at <= ?1), 0) AS visible,
              COALESCE(SUM(visible_at > ?1 AND receive_count > 0), 0) AS in_flight,
              COALESCE(SUM(visible_at > ?1 AND receive_count = 0), 0) AS delayed
       FROM messages WHERE sent_at > ?2`,
      now,
      this.retentionCutoff(now),
    )!;
    const delivering = this.delivery.inFlightSeqs().size;
    return {
      visible: Math.max(0, (row.visible as number) - delivering),
      inFlight: (row.in_flight as number) + delivering,
      delayed: row.delayed as number,
    };
  }

  nextVisibleAt(now: number): number | null {
    const row = this.sql.one('SELECT MIN(visible_at) AS t FROM messages WHERE visible_at > ?', now);
    return (row?.t as number | null) ?? null;
  }

  private waitForWork(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.waiters.add(done);
    });
  }

  wakeWaiters(): void {
    for (const wake of [...this.waiters]) wake();
  }

  toStored(row: Row): StoredMessage {
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
      senderId: this.env.AWS_ACCOUNT_ID,
      deadLetterSourceArn: (row.dlq_source as string | null) ?? undefined,
    };
  }
}

function normaliseAttribute(key: string, value: string): string {
  if (key === 'RedrivePolicy' || key === 'RedriveAllowPolicy') {
    try {
      return JSON.stringify(JSON.parse(value));
    } catch {
      return value;
    }
  }
  return value.toLowerCase();
}



rpcSafe(QueueDO, [
  'create', 'deleteQueue', 'getAttributes', 'setAttributes', 'tag', 'untag', 'listTags', 'purge', 'send', 'receive',
  'deleteMessages', 'changeVisibility', 'moveIn', 'peek', 'startMoveTask', 'listMoveTasks', 'cancelMoveTask', 'stats',
]);
