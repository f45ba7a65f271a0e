/** One batch: build the SQS event, invoke the function, and settle every message by the outcome. */
import type { InvokeOutcome } from '../lambda/client';
import type { StoredMessage } from '../shared/messages';
import { parseBatchItemFailures } from './batching';
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
}

export interface ClaimedMessage {
  message: StoredMessage;
  claim: Claim;
}

const THROTTLE_BACKOFF_MS = [250, 500, 1000, 2000, 4000, 8000];

/** Invokes the function with one claimed batch and settles every message in it. */
export async function deliverBatch(run: BatchRun, batch: ClaimedMessage[], invoke: Invoke): Promise<void> {
  const takenAt = Date.now();
  const settings = run.port.settings();
  const visibilityDeadline = takenAt + settings.visibilityTimeoutSeconds * 1000;
  const source = { eventSourceArn: settings.eventSourceArn, awsRegion: run.awsRegion, fifo: settings.fifo };
  const attempts = batch.map(({ message, claim }) => {
    const attempt: Attempt = { message, receiveCount: message.receiveCount + 1, firstReceivedAt: message.firstReceivedAt ?? takenAt };
    const record = buildRecord(source, message, run.port.issueReceipt(claim, takenAt), attempt.receiveCount, attempt.firstReceivedAt);
    return { attempt, record };
  });
  try {
    const dueAt = Math.min(...batch.map((b) => b.message.visibleAt));
    const matching = dropUnmatched(run, attempts, { at: takenAt, dueAt });
    if (matching.length === 0) return;
    const payload = JSON.stringify({ Records: matching.map((m) => m.record) });
    const outcome = await invokeWithThrottleRetry(run, invoke, payload, visibilityDeadline);
    run.report.counters.invocations++;
    const entry: DeliveryLogEntry = {
      at: takenAt,
      functionArn: run.mapping.functionArn,
      messages: matching.length,
      payloadBytes: payload.length,
      durationMs: outcome.durationMs,
      outcome: outcome.kind === 'ok' ? 'success' : outcome.kind,
      dueAt,
    };
    if ('status' in outcome && outcome.status !== undefined) entry.status = outcome.status;
    await settle(run, matching.map((m) => m.attempt), outcome, entry, settings.fifo, visibilityDeadline);
    run.report.record(entry);
  } finally {
    run.port.release(batch.map((b) => b.message));
  }
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
async function settle(run: BatchRun, attempts: Attempt[], outcome: InvokeOutcome, entry: DeliveryLogEntry, fifo: boolean, visibleAt: number): Promise<void> {
  const counters = run.report.counters;
  if (outcome.kind !== 'ok') {
    entry.error = outcome.error;
    if (outcome.kind === 'throttled') counters.throttles++;
    else counters.failures++;
    await settleFailed(run, attempts, visibleAt);
    return;
  }
  const ids = attempts.map((a) => a.message.messageId);
  const failed = run.mapping.reportBatchItemFailures
    ? parseBatchItemFailures(outcome.body, ids, fifo)
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
  await settleFailed(run, attempts.filter((a) => failed.failedIds.has(a.message.messageId)), visibleAt);
  if (failed.failedIds.size > 0) counters.failures++;
}

/** Throttles are retried with backoff until the visibility timeout would expire. */
async function invokeWithThrottleRetry(run: BatchRun, invoke: Invoke, payload: string, visibilityDeadline: number): Promise<InvokeOutcome> {
  for (let attempt = 0; ; attempt++) {
    const remaining = visibilityDeadline - Date.now();
    const outcome = await invoke(run.mapping.functionArn, payload, remaining);
    if (outcome.kind !== 'throttled') return outcome;
    const backoff = THROTTLE_BACKOFF_MS[Math.min(attempt, THROTTLE_BACKOFF_MS.length - 1)];
    if (Date.now() + backoff >= visibilityDeadline) return outcome;
    run.report.counters.throttles++;
    await new Promise((resolve) => setTimeout(resolve, backoff));
  }
}

/**
 * Failed messages stay in the queue, invisible until the visibility timeout passes, with their
 * receive count raised; past the redrive policy's maxReceiveCount they go to the DLQ.
 */
async function settleFailed(run: BatchRun, attempts: Attempt[], visibleAt: number): Promise<void> {
  if (attempts.length === 0) return;
  const maxReceiveCount = run.port.maxReceiveCount();
  const toDlq = maxReceiveCount === undefined ? [] : attempts.filter((a) => a.receiveCount >= maxReceiveCount);
  run.port.returnFailed(attempts.filter((a) => !toDlq.includes(a)), visibleAt);
  if (toDlq.length === 0) return;
  run.port.keepReceiveCounts(toDlq);
  run.report.counters.deadLettered += await run.port.deadLetter(toDlq.map((a) => ({ ...a.message, receiveCount: a.receiveCount })));
}
