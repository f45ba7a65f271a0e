/** One batch: build the SQS event, invoke the function, and settle every message by the outcome. */
import { utf8Bytes } from '../shared/bytes';
import { buildRecord, type SqsEventRecord } from './event';
import { handOff } from './hand-off';
import type { Attempt } from './port';
import type { DeliveryLogEntry } from './report';
import { type BatchRun, type ClaimedBatch, type Invoke, invokeWithThrottleRetry, type Prepared, returnAt, settle } from './settle';

export type { BatchRun, ClaimedBatch, Invoke } from './settle';

/**
 * Invokes the function with one claimed batch and settles every message in it. `reserved`: the subrequests taken
 * for it (its first call, and a dead-letter move if one may follow); what it does not use goes back.
 */
export async function deliverBatch(run: BatchRun, claimed: ClaimedBatch, invoke: Invoke, reserved: number): Promise<void> {
  const { messages: batch, takenAt } = claimed;
  const settings = run.port.settings();
  const source = { eventSourceArn: settings.eventSourceArn, awsRegion: run.awsRegion, fifo: settings.fifo };
  const attempts: Prepared[] = batch.map(({ message, claim }) => {
    const attempt: Attempt = { message, receiveCount: message.receiveCount + 1, firstReceivedAt: message.firstReceivedAt ?? takenAt };
    const record = buildRecord(source, message, run.port.issueReceipt(claim, takenAt), attempt.receiveCount, attempt.firstReceivedAt);
    return { attempt, record };
  });
  const budget = { spare: reserved - 1 };
  try {
    const dueAt = Math.min(...batch.map((b) => b.message.visibleAt));
    const matching = dropUnmatched(run, attempts, { at: takenAt, dueAt });
    if (matching.length === 0) return;
    if (run.mode === 'async') return await handOff(run, matching, claimed, invoke, budget);
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

