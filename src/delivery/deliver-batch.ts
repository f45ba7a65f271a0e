/** One batch: build the SQS event, invoke the function, and settle every message by the outcome. */
import type { InvokeOutcome } from '../lambda/client';
import { utf8Bytes } from '../shared/bytes';
import type { StoredMessage } from '../shared/messages';
import { parseBatchItemFailures } from './batching';
import type { RunBudget } from './budget';
import { buildRecord, type SqsEventRecord } from './event';
import type { CompiledFilter } from './filter';
import type { Mapping } from './mapping';
import type { Attempt, Claim, DeliveryPort } from './port';
import type { DeliveryLogEntry, DeliveryReport } from './report';

export type Invoke = (functionArn: string, payload: string, timeoutMs: number) => Promise<InvokeOutcome>;

/** What one alarm run's batches share. */
export interface BatchRun {
  port: DeliveryPort;
  mapping: Mapping;
  filter: CompiledFilter | null;
  report: DeliveryReport;
  awsRegion: string;
  budget: RunBudget;
}

export interface ClaimedMessage {
  message: StoredMessage;
  claim: Claim;
}

/**
 * A claimed batch: its messages, when it was taken, until when they are leased (the function may run that long),
 * when the queue's visibility timeout for this receive ends, and how long one call may wait.
 */
export interface ClaimedBatch {
  messages: ClaimedMessage[];
  takenAt: number;
  leaseUntil: number;
  visibleUntil: number;
  invokeMs: number;
}

const THROTTLE_BACKOFF_MS = [250, 500, 1000, 2000, 4000, 8000];
/** A retry needs at least this long (or the function's whole timeout, if shorter) before the lease ends. */
const MIN_ATTEMPT_MS = 1000;

/**
 * Invokes the function with one claimed batch and settles every message in it. `reserved`: the subrequests taken
 * for it (its first call, and a dead-letter move if one may follow); what it does not use goes back.
 */
export async function deliverBatch(run: BatchRun, claimed: ClaimedBatch, invoke: Invoke, reserved: number): Promise<void> {
  const { messages: batch, takenAt } = claimed;
  const settings = run.port.settings();
  const source = { eventSourceArn: settings.eventSourceArn, awsRegion: run.awsRegion, fifo: settings.fifo };
  const attempts = batch.map(({ message, claim }) => {
    const attempt: Attempt = { message, receiveCount: message.receiveCount + 1, firstReceivedAt: message.firstReceivedAt ?? takenAt };
    const record = buildRecord(source, message, run.port.issueReceipt(claim, takenAt), attempt.receiveCount, attempt.firstReceivedAt);
    return { attempt, record };
  });
  const budget = { spare: reserved - 1 };
  try {
    const dueAt = Math.min(...batch.map((b) => b.message.visibleAt));
    const matching = dropUnmatched(run, attempts, { at: takenAt, dueAt });
    if (matching.length === 0) return;
    const payload = JSON.stringify({ Records: matching.map((m) => m.record) });
    const outcome = await invokeWithThrottleRetry(run, invoke, payload, claimed);
    run.report.counters.invocations++;
    const entry: DeliveryLogEntry = {
      at: takenAt,
      functionArn: run.mapping.functionArn,
      messages: matching.length,
      // Lambda's 6 MB limit counts the request's bytes: logged as sent, in UTF-8.
      payloadBytes: utf8Bytes(payload).byteLength,
      durationMs: outcome.durationMs,
      outcome: outcome.kind === 'ok' ? 'success' : outcome.kind,
      dueAt,
    };
    if ('status' in outcome && outcome.status !== undefined) entry.status = outcome.status;
    await settle(run, matching.map((m) => m.attempt), outcome, entry, { visibleAt: returnAt(outcome, claimed), budget });
    run.report.record(entry);
  } finally {
    run.port.release(batch.map((b) => b.message));
    run.budget.give(budget.spare);
  }
}

/**
 * When failed messages are visible again. A known outcome (a function error, a 5xx or 429 answer, a partial batch
 * failure) means the function is not running them: back when the queue's visibility timeout for this receive ends,
 * as with an SQS event source mapping ("Lambda returns the batch to the queue after the visibility timeout"). A
 * timeout or a dropped connection leaves the function perhaps still running: not before the lease ends.
 */
function returnAt(outcome: InvokeOutcome, batch: ClaimedBatch): number {
  const stillRunning = outcome.kind === 'failed' && outcome.status === undefined;
  return stillRunning ? batch.leaseUntil : Math.min(batch.leaseUntil, Math.max(batch.visibleUntil, Date.now()));
}

/** Where failed messages go (see returnAt) and the batch's spare subrequests. */
interface SettleContext {
  visibleAt: number;
  budget: { spare: number };
}

/** FilterCriteria: records that match no filter are deleted without invoking, as AWS does. Returns the rest. */
function dropUnmatched<T extends { attempt: Attempt; record: SqsEventRecord }>(run: BatchRun, attempts: T[], times: { at: number; dueAt: number }): T[] {
  const filter = run.filter;
  if (!filter) return attempts;
  const matching = attempts.filter((a) => filter.matches(a.record));
  if (matching.length === attempts.length) return matching;
  const dropped = attempts.filter((a) => !matching.includes(a)).map((a) => a.attempt.message);
  run.port.deleteDelivered(dropped);
  run.report.counters.filtered += dropped.length;
  if (matching.length === 0) {
    const { at, dueAt } = times;
    run.report.record({ at, functionArn: run.mapping.functionArn, messages: dropped.length, payloadBytes: 0, durationMs: 0, outcome: 'filtered', dueAt });
  }
  return matching;
}

/** Settles by the outcome: success deletes (all, or all the function did not list as failed); failures return. */
async function settle(run: BatchRun, attempts: Attempt[], outcome: InvokeOutcome, entry: DeliveryLogEntry, ctx: SettleContext): Promise<void> {
  const counters = run.report.counters;
  if (outcome.kind !== 'ok') {
    entry.error = outcome.error;
    if (outcome.kind === 'throttled') counters.throttles++;
    else counters.failures++;
    await settleFailed(run, attempts, ctx);
    return;
  }
  const ids = attempts.map((a) => a.message.messageId);
  const failed = run.mapping.reportBatchItemFailures
    ? parseBatchItemFailures(outcome.body, ids)
    : { failedIds: new Set<string>(), wholeBatchFailed: false };
  if (failed.wholeBatchFailed) {
    entry.outcome = 'failed';
    entry.error = 'invalid batchItemFailures response: whole batch retried';
  } else if (failed.failedIds.size > 0) {
    entry.outcome = 'partial';
  }
  const succeeded = attempts.filter((a) => !failed.failedIds.has(a.message.messageId));
  run.port.deleteDelivered(succeeded.map((a) => a.message));
  counters.delivered += succeeded.length;
  await settleFailed(run, attempts.filter((a) => failed.failedIds.has(a.message.messageId)), ctx);
  if (failed.failedIds.size > 0) counters.failures++;
}

/**
 * Throttles are retried with backoff while the lease holds (Lambda retries them until the visibility timeout
 * expires). Each attempt waits as long as the function may run, and starts only if it can end before the lease
 * does (so the batch is never out twice at once) and inside the run's wall time; each retry is a subrequest.
 */
async function invokeWithThrottleRetry(run: BatchRun, invoke: Invoke, payload: string, batch: ClaimedBatch): Promise<InvokeOutcome> {
  const end = Math.min(batch.leaseUntil, run.budget.deadline);
  for (let attempt = 0; ; attempt++) {
    const timeoutMs = Math.min(batch.invokeMs, end - Date.now());
    const outcome = await invoke(run.mapping.functionArn, payload, timeoutMs);
    if (outcome.kind !== 'throttled') return outcome;
    const backoff = THROTTLE_BACKOFF_MS[Math.min(attempt, THROTTLE_BACKOFF_MS.length - 1)];
    const next = Date.now() + backoff;
    // Retried until the visibility timeout expires, as Lambda does, and only while an attempt can end inside the lease.
    if (next >= batch.visibleUntil || end - next < Math.min(batch.invokeMs, MIN_ATTEMPT_MS) || !run.budget.take(1)) return outcome;
    run.report.counters.throttles++;
    await new Promise((resolve) => setTimeout(resolve, backoff));
  }
}

/**
 * Failed messages stay in the queue, invisible until the lease ends, with their receive count
 * raised (the claim stored it); past the redrive policy's maxReceiveCount they go to the DLQ —
 * and when the move fails or no subrequest is left for it, they return like the others and are
 * moved when next taken.
 */
async function settleFailed(run: BatchRun, attempts: Attempt[], ctx: SettleContext): Promise<void> {
  if (attempts.length === 0) return;
  const maxReceiveCount = run.port.maxReceiveCount();
  const overLimit = maxReceiveCount === undefined ? [] : attempts.filter((a) => a.receiveCount >= maxReceiveCount);
  let moved = 0;
  if (overLimit.length > 0 && (ctx.budget.spare > 0 || run.budget.take(1))) {
    if (ctx.budget.spare > 0) ctx.budget.spare--;
    moved = await run.port.deadLetter(overLimit.map((a) => a.message));
    run.report.counters.deadLettered += moved;
  }
  run.port.returnFailed(moved > 0 ? attempts.filter((a) => !overLimit.includes(a)) : attempts, ctx.visibleAt);
}
