/**
 * Asynchronous delivery: a batch is handed to Lambda with `X-Amz-Invocation-Type: Event`, and Lambda's 202 means
 * it took the event into its own queue ("Invoking a Lambda function asynchronously",
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html): the messages are deleted and counted as
 * delivered. What happens next (the function's errors, its 0–2 retries, maximum event age, on-failure destinations)
 * is Lambda's ("How Lambda handles errors and retries with asynchronous invocation",
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html). Anything before the 202 — 429,
 * 5xx, a network error, a timeout — is a failed delivery like a synchronous one: back after the lease, receive
 * counted, dead-lettered past maxReceiveCount. A 413 is not: the records go again in smaller calls.
 */
import { payloadLimitOf } from '../lambda/client';
import { utf8Bytes } from '../shared/bytes';
import { packRecords } from './batching';
import type { DeliveryLogEntry } from './report';
import { type BatchRun, type ClaimedBatch, type Invoke, invokeWithThrottleRetry, MIN_ATTEMPT_MS, type Prepared, returnAt, settle } from './settle';

/** A record with its JSON's UTF-8 size in the event. */
type Sized = Prepared & { bytes: number };

/**
 * Hands a claimed batch over in as many Event calls as its size needs, in order. The first call spends the
 * subrequest reserved for the batch; each further call takes one from the run, and starts only with room left in
 * the lease. What cannot start (no subrequest, no time, or on FIFO after a part failed) goes back untouched.
 */
export async function handOff(run: BatchRun, prepared: Prepared[], claimed: ClaimedBatch, invoke: Invoke, budget: { spare: number }): Promise<void> {
  const sized: Sized[] = prepared.map((p) => ({ ...p, bytes: utf8Bytes(JSON.stringify(p.record)).byteLength }));
  const parts = packRecords(sized, run.asyncPayloadLimit.bytes);
  const fifo = run.port.settings().fifo;
  let calls = 0;
  let stopped = false;
  while (parts.length > 0) {
    const part = parts.shift() as Sized[];
    if (stopped || !mayStart(run, claimed, calls)) {
      giveBack(run, part);
      continue;
    }
    calls++;
    const payload = JSON.stringify({ Records: part.map((p) => p.record) });
    const started = Date.now();
    const outcome = await invokeWithThrottleRetry(run, invoke, payload, claimed);
    run.report.counters.invocations++;
    const entry = logEntry(run, part, payload, outcome, started);
    if (outcome.kind === 'failed' && outcome.status === 413 && part.length > 1) {
      parts.unshift(...split(run, part, utf8Bytes(payload).byteLength, outcome.error));
      entry.outcome = 'split';
      run.report.record(entry);
      continue;
    }
    await settle(run, part.map((p) => p.attempt), outcome, entry, { visibleAt: returnAt(outcome, claimed), budget });
    run.report.record(entry);
    // FIFO: a later part of the batch must not overtake one that goes back.
    if (fifo && outcome.kind !== 'ok') stopped = true;
  }
}

/** The first call is the batch's own; a later one needs a subrequest and time in the lease for a whole attempt. */
function mayStart(run: BatchRun, claimed: ClaimedBatch, calls: number): boolean {
  if (calls === 0) return true;
  const room = Math.min(claimed.leaseUntil, run.budget.deadline) - Date.now();
  if (room < Math.min(claimed.invokeMs, MIN_ATTEMPT_MS)) {
    run.budget.exhausted = true;
    return false;
  }
  return run.budget.take(1);
}

/**
 * A 413 names Lambda's limit ("… (limit 262144 bytes)"): this instance plans with it from now on. The part is packed
 * again under it, or halved when the answer names no lower limit.
 */
function split(run: BatchRun, part: Sized[], bytes: number, error: string): Sized[][] {
  const named = payloadLimitOf(error);
  const limit = named !== null && named < bytes ? named : Math.floor(bytes / 2);
  run.asyncPayloadLimit.bytes = Math.min(run.asyncPayloadLimit.bytes, limit);
  const parts = packRecords(part, limit);
  if (parts.length > 1) return parts;
  const half = Math.ceil(part.length / 2);
  return [part.slice(0, half), part.slice(half)];
}

/**
 * Records that were never sent: back in the queue at once, with the receive count and first-receive time they had,
 * as if never taken; the run reports its budget spent so the alarm comes back at once for them.
 */
function giveBack(run: BatchRun, part: Sized[]): void {
  run.budget.exhausted = true;
  run.port.returnFailed(
    part.map(({ attempt }) => ({ ...attempt, receiveCount: attempt.message.receiveCount, firstReceivedAt: (attempt.message.firstReceivedAt ?? null) as number })),
    Date.now(),
  );
}

function logEntry(run: BatchRun, part: Sized[], payload: string, outcome: Awaited<ReturnType<Invoke>>, at: number): DeliveryLogEntry {
  const entry: DeliveryLogEntry = {
    at,
    functionArn: run.mapping.functionArn,
    messages: part.length,
    payloadBytes: utf8Bytes(payload).byteLength,
    durationMs: outcome.durationMs,
    outcome: outcome.kind === 'ok' ? 'success' : outcome.kind,
    dueAt: Math.min(...part.map((p) => p.attempt.message.visibleAt)),
    invocationType: 'Event',
  };
  if (outcome.status !== undefined) entry.status = outcome.status;
  return entry;
}
