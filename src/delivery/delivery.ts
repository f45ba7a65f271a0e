/**
 * The delivery engine inside a queue's Durable Object: on each alarm it takes due messages,
 * invokes the mapped function with the SQS event, and settles each message by the outcome.
 *
 * Messages out for delivery are held in memory only (not rewritten in SQLite): a success
 * deletes the row, so a delivered message costs one insert and one delete. If the runtime dies
 * mid-delivery the rows are still visible and a lease alarm set before invoking redelivers them.
 */
import type { Env } from '../env';
import { invokeFunction, type InvokeOutcome } from '../lambda/client';
import type { ReceivedMessage, StoredMessage } from '../shared/messages';
import type { RedrivePolicy } from '../queue/queue-attributes';
import { encodeReceipt, newNonce } from '../queue/receipt';
import type { SqlCounters } from '../shared/sql';
import { parseBatchItemFailures, planBatches } from './batching';
import { buildRecord } from './event';
import { compileFilterCriteria, type CompiledFilter } from './filter';
import type { Mapping } from './mapping';
import { INVOCATIONS_PER_ALARM_RUN, SIMULTANEOUS_CONNECTIONS } from '../shared/platform';

/** What the delivery engine needs from its queue. */
export interface DeliveryHost {
  readonly sql: SqlCounters;
  queueName(): string;
  isFifo(): boolean;
  visibilityTimeout(): number;
  redrivePolicy(): RedrivePolicy | undefined;
  selectDue(now: number, limit: number): StoredMessage[];
  nextVisibleAt(now: number): number | null;
  moveToDeadLetterQueue(messages: StoredMessage[], redrive: RedrivePolicy): Promise<void>;
  setAlarmAt(at: number): Promise<void>;
  wakeWaiters(): void;
  deleteRows(messages: { visibleAt: number; seq: number; receiveCount: number }[]): void;
  recordRelocation(seq: number, visibleAt: number): void;
}

type Invoke = (functionArn: string, payload: string, timeoutMs: number) => Promise<InvokeOutcome>;

const CONNECTIONS_PER_RUN = SIMULTANEOUS_CONNECTIONS;
const INVOCATIONS_PER_RUN = INVOCATIONS_PER_ALARM_RUN;
const DEFAULT_CONCURRENCY = CONNECTIONS_PER_RUN;
const LOG_SIZE = 50;
const THROTTLE_BACKOFF_MS = [250, 500, 1000, 2000, 4000, 8000];

export interface DeliveryLogEntry {
  at: number;
  functionArn: string;
  messages: number;
  payloadBytes: number;
  durationMs: number;
  outcome: 'success' | 'partial' | 'function-error' | 'throttled' | 'failed' | 'filtered';
  status?: number;
  error?: string;
  /** due time of the oldest message in the batch: lateness = at - dueAt */
  dueAt: number;
}

export interface DeliveryCounters {
  invocations: number;
  failures: number;
  throttles: number;
  deadLettered: number;
  delivered: number;
  filtered: number;
  alarmRuns: number;
}

interface InFlight {
  nonce: string;
  /** the row's key while it is out: rows are not rewritten to mark them in flight */
  visibleAt: number;
  groupId?: string;
  /** set when the function calls ChangeMessageVisibility on this message during its invocation */
  visibleAtOverride?: number;
}

export class Delivery {
  mapping: Mapping | null = null;
  private filter: CompiledFilter | null = null;
  private inFlight = new Map<number, InFlight>();
  private log: DeliveryLogEntry[] = [];
  counters: DeliveryCounters = emptyCounters();
  private reportSavedAt = 0;
  /** Report rows written by this instance: benchmarks tell them apart from the rows that messages cost. */
  reportRowsWritten = 0;
  private leaseUntil = 0;

  constructor(
    private readonly host: DeliveryHost,
    private readonly env: Env,
  ) {}

  /** Restores the mapping, log and counters after the object starts. */
  load(): void {
    for (const row of this.host.sql.all('SELECT key, value FROM delivery_state')) {
      const value = JSON.parse(row.value as string);
      if (row.key === 'mapping') this.applyMapping(value as Mapping | null);
      if (row.key === 'report') {
        const report = value as { log: DeliveryLogEntry[]; counters: DeliveryCounters };
        this.log = report.log;
        this.counters = { ...emptyCounters(), ...report.counters };
      }
    }
  }

  reset(): void {
    this.mapping = null;
    this.filter = null;
    this.inFlight.clear();
    this.log = [];
    this.counters = emptyCounters();
  }

  setMapping(mapping: Mapping | null): void {
    this.applyMapping(mapping);
    this.save('mapping', mapping);
  }

  private applyMapping(mapping: Mapping | null): void {
    this.mapping = mapping;
    try {
      this.filter = mapping?.filterCriteria ? compileFilterCriteria(mapping.filterCriteria) : null;
    } catch (error) {
      // An invalid pattern would be rejected by AWS when the mapping is created; deliver nothing through it.
      console.warn(`invalid FilterCriteria for ${mapping?.functionArn}: ${(error as Error).message}`);
      this.filter = { matches: () => false };
    }
  }

  inFlightSeqs(): Set<number> {
    return new Set(this.inFlight.keys());
  }

  inFlightGroups(): string[] {
    const groups = new Set<string>();
    for (const entry of this.inFlight.values()) if (entry.groupId !== undefined) groups.add(entry.groupId);
    return [...groups];
  }

  /** A message out for delivery: the function itself may delete it by its receipt handle. */
  inFlightEntry(seq: number): InFlight | undefined {
    return this.inFlight.get(seq);
  }

  /** ChangeMessageVisibility by the function itself: where the message goes if the invocation fails. */
  overrideVisibility(seq: number, visibleAt: number): void {
    const entry = this.inFlight.get(seq);
    if (entry) entry.visibleAtOverride = visibleAt;
  }

  forgetInFlight(): void {
    this.inFlight.clear();
  }

  countDeadLettered(n: number): void {
    this.counters.deadLettered += n;
  }

  report() {
    return { counters: { ...this.counters }, log: [...this.log].reverse(), inFlight: this.inFlight.size };
  }

  /** When the alarm should next fire for messages that become visible at `visibleAt`. */
  dueFor(visibleAt: number): number {
    return visibleAt + (this.mapping?.maximumBatchingWindowInSeconds ?? 0) * 1000;
  }

  /**
   * Earliest time delivery has work, or null: no mapping, or nothing waiting. Messages out for
   * delivery are not waiting, but while any are, the lease keeps an alarm for crash recovery.
   */
  nextDue(now: number): number | null {
    if (!this.mapping) return null;
    let due: number | null = null;
    const earliest = this.earliestWaiting();
    if (earliest !== null) {
      const window = this.mapping.maximumBatchingWindowInSeconds * 1000;
      if (earliest <= now && this.host.isFifo() && this.host.selectDue(now, 1).length === 0) {
        // Every due message belongs to a group with a batch in flight: wake when something changes.
        due = this.host.nextVisibleAt(now);
      } else if (window === 0) {
        due = earliest;
      } else {
        // With a batching window: now if a full batch is waiting, else when the window closes.
        due = earliest <= now && this.dueCount(now, this.mapping.batchSize) >= this.mapping.batchSize ? now : earliest + window;
      }
    }
    if (this.inFlight.size > 0) due = Math.min(due ?? Infinity, this.leaseUntil);
    return due;
  }

  private earliestWaiting(): number | null {
    const rows = this.host.sql.all('SELECT seq, visible_at FROM messages ORDER BY visible_at LIMIT ?', this.inFlight.size + 1);
    const row = rows.find((r) => !this.inFlight.has(r.seq as number));
    return row ? (row.visible_at as number) : null;
  }

  private dueCount(now: number, cap: number): number {
    const row = this.host.sql.one('SELECT COUNT(*) AS n FROM (SELECT 1 FROM messages WHERE visible_at <= ? LIMIT ?)', now, cap + this.inFlight.size);
    return Math.max(0, (row?.n as number) - this.inFlight.size);
  }

  /**
   * One alarm run: deliver due batches with bounded concurrency and a bounded number of
   * invocations. Returns true when due work remains (the caller re-arms the alarm at once).
   */
  async run(now: number): Promise<boolean> {
    const mapping = this.mapping;
    if (!mapping) return false;
    this.counters.alarmRuns++;
    const fifo = this.host.isFifo();
    // Up to 6 invocations run from this alarm run itself; a higher MaximumConcurrency fans out to invoker objects.
    const concurrency = Math.min(mapping.maximumConcurrency ?? DEFAULT_CONCURRENCY, INVOCATIONS_PER_RUN);
    const fanOut = concurrency > CONNECTIONS_PER_RUN;
    // Whole waves per run: the run ends when its last call does, so a partial last wave would leave slots idle.
    const budget = Math.floor(INVOCATIONS_PER_RUN / concurrency) * concurrency;
    const window = mapping.maximumBatchingWindowInSeconds * 1000;
    let invocations = 0;
    let moreDue = false;

    const redrive = this.host.redrivePolicy();
    const takeBatch = async (): Promise<StoredMessage[] | null> => {
      const at = Date.now();
      let due = this.host.selectDue(at, mapping.batchSize);
      // Messages already received maxReceiveCount times (e.g. by a consumer) go to the DLQ, not the function.
      const overLimit = redrive ? due.filter((m) => m.receiveCount >= redrive.maxReceiveCount) : [];
      if (overLimit.length > 0) {
        await this.host.moveToDeadLetterQueue(overLimit, redrive!);
        due = this.host.selectDue(at, mapping.batchSize);
      }
      if (due.length === 0) return null;
      const oldestDue = Math.min(...due.map((m) => m.visibleAt));
      if (window > 0 && due.length < mapping.batchSize && at < oldestDue + window) return null;
      const [batch] = planBatches(due, mapping.batchSize, 1, fifo);
      if (!batch) return null;
      // Claimed before any await, so concurrent workers never take the same messages.
      for (const message of batch) {
        this.inFlight.set(message.seq, { nonce: newNonce(), visibleAt: message.visibleAt, groupId: fifo ? message.groupId : undefined });
      }
      return batch;
    };

    const worker = async (slot: number): Promise<void> => {
      const invoke: Invoke = fanOut
        ? (arn, payload, timeoutMs) => this.env.INVOKER.getByName(`${this.host.queueName()}#${slot}`).invoke(arn, payload, timeoutMs)
        : (arn, payload, timeoutMs) => invokeFunction(this.env, arn, payload, timeoutMs);
      for (;;) {
        if (invocations >= budget) {
          moreDue = true;
          return;
        }
        const batch = await takeBatch();
        if (!batch) return;
        invocations++;
        await this.deliver(batch, mapping, fifo, invoke);
      }
    };

    // Lease: if the runtime dies mid-delivery, the alarm comes back after the visibility timeout.
    if (this.host.selectDue(now, 1).length > 0) {
      this.leaseUntil = now + Math.max(1, this.host.visibilityTimeout()) * 1000;
      await this.host.setAlarmAt(this.leaseUntil);
    }
    await Promise.all(Array.from({ length: concurrency }, (_, slot) => worker(slot)));
    this.saveReport(false);
    return moreDue;
  }

  /** Invokes the function with one batch and settles every message in it. */
  private async deliver(batch: StoredMessage[], mapping: Mapping, fifo: boolean, invoke: Invoke): Promise<void> {
    const takenAt = Date.now();
    const queueName = this.host.queueName();
    const visibilityMs = this.host.visibilityTimeout() * 1000;
    const received: ReceivedMessage[] = batch.map((message) => ({
      ...message,
      receiveCount: message.receiveCount + 1,
      firstReceivedAt: message.firstReceivedAt ?? takenAt,
      receiptHandle: encodeReceipt(queueName, { seq: message.seq, visibleAt: message.visibleAt, nonce: this.inFlight.get(message.seq)!.nonce, receivedAt: takenAt }),
    }));
    try {
      const records = received.map((m) => buildRecord(this.env, queueName, m, m.receiptHandle, m.receiveCount, m.firstReceivedAt!));
      // FilterCriteria: records that match no filter are deleted without invoking, as AWS does.
      const matching = this.filter ? records.filter((r) => this.filter!.matches(r)) : records;
      const dueAt = Math.min(...batch.map((m) => m.visibleAt));
      if (matching.length < records.length) {
        const kept = new Set(matching.map((r) => r.messageId));
        const dropped = received.filter((m) => !kept.has(m.messageId));
        this.deleteDelivered(dropped);
        this.counters.filtered += dropped.length;
        if (matching.length === 0) {
          this.record({ at: takenAt, functionArn: mapping.functionArn, messages: dropped.length, payloadBytes: 0, durationMs: 0, outcome: 'filtered', dueAt });
          return;
        }
      }
      const deliverable = received.filter((m) => matching.some((r) => r.messageId === m.messageId));
      const payload = JSON.stringify({ Records: matching });
      const outcome = await this.invokeWithThrottleRetry(invoke, mapping.functionArn, payload, takenAt + visibilityMs);
      this.counters.invocations++;
      const entry: DeliveryLogEntry = {
        at: takenAt,
        functionArn: mapping.functionArn,
        messages: deliverable.length,
        payloadBytes: payload.length,
        durationMs: outcome.durationMs,
        outcome: outcome.kind === 'ok' ? 'success' : outcome.kind,
        dueAt,
      };
      if ('status' in outcome && outcome.status !== undefined) entry.status = outcome.status;
      if (outcome.kind === 'ok') {
        const failed = mapping.reportBatchItemFailures
          ? parseBatchItemFailures(outcome.body, deliverable.map((m) => m.messageId), fifo)
          : { failedIds: new Set<string>(), wholeBatchFailed: false };
        if (failed.wholeBatchFailed) {
          entry.outcome = 'failed';
          entry.error = 'invalid batchItemFailures response: whole batch retried';
        } else if (failed.failedIds.size > 0) {
          entry.outcome = 'partial';
        }
        const succeeded = deliverable.filter((m) => !failed.failedIds.has(m.messageId));
        this.deleteDelivered(succeeded);
        this.counters.delivered += succeeded.length;
        await this.settleFailed(deliverable.filter((m) => failed.failedIds.has(m.messageId)), takenAt + visibilityMs);
        if (failed.failedIds.size > 0) this.counters.failures++;
      } else {
        entry.error = outcome.error;
        if (outcome.kind === 'throttled') this.counters.throttles++;
        else this.counters.failures++;
        await this.settleFailed(deliverable, takenAt + visibilityMs);
      }
      this.record(entry);
    } finally {
      for (const message of batch) this.inFlight.delete(message.seq);
      this.host.wakeWaiters();
    }
  }

  /** Throttles are retried with backoff until the visibility timeout would expire. */
  private async invokeWithThrottleRetry(invoke: Invoke, functionArn: string, payload: string, visibilityDeadline: number): Promise<InvokeOutcome> {
    for (let attempt = 0; ; attempt++) {
      const remaining = visibilityDeadline - Date.now();
      const outcome = await invoke(functionArn, payload, remaining);
      if (outcome.kind !== 'throttled') return outcome;
      const backoff = THROTTLE_BACKOFF_MS[Math.min(attempt, THROTTLE_BACKOFF_MS.length - 1)];
      if (Date.now() + backoff >= visibilityDeadline) return outcome;
      this.counters.throttles++;
      await new Promise((resolve) => setTimeout(resolve, backoff));
    }
  }

  /** Rows are deleted at the key they had when taken; one the function deleted itself is already gone. */
  private deleteDelivered(messages: ReceivedMessage[]): void {
    // receiveCount here includes this delivery: only a message received before can have moved.
    this.host.deleteRows(messages.map((m) => ({ ...m, receiveCount: m.receiveCount - 1 })));
  }

  /**
   * Failed messages stay in the queue, invisible until the visibility timeout passes, with their
   * receive count raised; past the redrive policy's maxReceiveCount they go to the DLQ.
   */
  private async settleFailed(messages: ReceivedMessage[], visibleAt: number): Promise<void> {
    if (messages.length === 0) return;
    const redrive = this.host.redrivePolicy();
    const toDlq = redrive ? messages.filter((m) => m.receiveCount >= redrive.maxReceiveCount) : [];
    const dlqSeqs = new Set(toDlq.map((m) => m.seq));
    for (const m of messages) {
      if (dlqSeqs.has(m.seq)) continue;
      const inFlight = this.inFlight.get(m.seq);
      const at = inFlight?.visibleAtOverride ?? visibleAt;
      // The row moves to its new visibility; the relocation keeps the function's receipt handle valid.
      this.host.sql.exec(
        'UPDATE messages SET visible_at = ?, receive_count = ?, first_received_at = ?, nonce = ? WHERE visible_at = ? AND seq = ?',
        at,
        m.receiveCount,
        m.firstReceivedAt ?? null,
        inFlight?.nonce ?? null,
        m.visibleAt,
        m.seq,
      );
      this.host.recordRelocation(m.seq, at);
    }
    if (toDlq.length > 0) {
      // Stored with the raised count, so a failed DLQ move still counts this receive.
      for (const m of toDlq) {
        this.host.sql.exec('UPDATE messages SET receive_count = ? WHERE visible_at = ? AND seq = ?', m.receiveCount, m.visibleAt, m.seq);
      }
      await this.host.moveToDeadLetterQueue(toDlq, redrive!);
    }
  }

  private record(entry: DeliveryLogEntry): void {
    this.log.push(entry);
    if (this.log.length > LOG_SIZE) this.log.splice(0, this.log.length - LOG_SIZE);
  }

  /** The log and counters are persisted at most every 10 s: they are diagnostics, not messages. */
  saveReport(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.reportSavedAt < 10_000) return;
    this.reportSavedAt = now;
    this.reportRowsWritten++;
    this.save('report', { log: this.log, counters: this.counters });
  }

  private save(key: string, value: unknown): void {
    this.host.sql.exec('INSERT OR REPLACE INTO delivery_state (key, value) VALUES (?, ?)', key, JSON.stringify(value));
  }
}

function emptyCounters(): DeliveryCounters {
  return { invocations: 0, failures: 0, throttles: 0, deadLettered: 0, delivered: 0, filtered: 0, alarmRuns: 0 };
}
