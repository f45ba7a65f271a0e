/**
 * What the synchronous and asynchronous paths share: the run a batch belongs to, the throttle retries of one call,
 * and settling messages by an outcome (deleted, returned with their receive counted, or dead-lettered).
 */
import type { InvokeOutcome } from '../lambda/client';
import { parseBatchItemFailures } from './batching';
import type { RunBudget } from './budget';
import type { SqsEventRecord } from './event';
import type { CompiledFilter } from './filter';
import type { InvocationMode, Mapping } from './mapping';
import type { Attempt, Claim, DeliveryPort } from './port';
import type { DeliveryLogEntry, DeliveryReport } from './report';
import type { StoredMessage } from '../shared/messages';

export type Invoke = (functionArn: string, payload: string, timeoutMs: number) => Promise<InvokeOutcome>;

/** What one alarm run's batches share. */
export interface BatchRun {
  port: DeliveryPort;
  mapping: Mapping;
  filter: CompiledFilter | null;
  report: DeliveryReport;
  awsRegion: string;
  budget: RunBudget;
  /** 'async': batches are handed over with Event invocations (src/delivery/hand-off.ts) */
  mode: InvocationMode;
  /** the asynchronous payload limit as last learnt (a 413 naming a lower one lowers it for this instance) */
  asyncPayloadLimit: { bytes: number };
}

/** A claimed message as it goes out: what this receive made of it, and its record in the SQS event. */
export interface Prepared {
  attempt: Attempt;
  record: SqsEventRecord;
}

export interface ClaimedMessage {
  message: StoredMessage;
  claim: Claim;
}

/** A claimed batch: its messages, when it was taken, until when they are leased, how long one call may wait. */
export interface ClaimedBatch {
  messages: ClaimedMessage[];
  takenAt: number;
  /** until when its messages are leased: the function may run that long */
  leaseUntil: number;
  /** when the queue's visibility timeout for this receive ends */
  visibleUntil: number;
  invokeMs: number;
}

const THROTTLE_BACKOFF_MS = [250, 500, 1000, 2000, 4000, 8000];
/** A retry needs at least this long (or the function's whole timeout, if shorter) before the lease ends. */
export const MIN_ATTEMPT_MS = 1000;

/**
 * When failed messages are visible again. A known outcome (a function error, a 5xx or 429 answer, a partial batch
 * failure) means the function is not running them: back when the queue's visibility timeout for this receive ends,
 * as with an SQS event source mapping ("Lambda returns the batch to the queue after the visibility timeout"). A
 * timeout or a dropped connection leaves the function perhaps still running: not before the lease ends.
 */
export function returnAt(outcome: InvokeOutcome, batch: ClaimedBatch): number {
  const stillRunning = outcome.kind === 'failed' && outcome.status === undefined;
  return stillRunning ? batch.leaseUntil : Math.min(batch.leaseUntil, Math.max(batch.visibleUntil, Date.now()));
}

/** Where failed messages go (see returnAt) and the batch's spare subrequests. */
export interface SettleContext {
  visibleAt: number;
  budget: { spare: number };
}

/** Settles by the outcome: success deletes (all, or all the function did not list as failed); failures return. */
export async function settle(run: BatchRun, attempts: Attempt[], outcome: InvokeOutcome, entry: DeliveryLogEntry, ctx: SettleContext): Promise<void> {
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
export async function invokeWithThrottleRetry(run: BatchRun, invoke: Invoke, payload: string, batch: ClaimedBatch): Promise<InvokeOutcome> {
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
 * Failed messages stay in the queue, invisible until `ctx.visibleAt` (see returnAt), with their
 * receive count raised (the claim stored it); past the redrive policy's maxReceiveCount they go to the DLQ —
 * and when the move fails or no subrequest is left for it, they return like the others and are
 * moved when next taken.
 */
export async function settleFailed(run: BatchRun, attempts: Attempt[], ctx: SettleContext): Promise<void> {
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
