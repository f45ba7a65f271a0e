/**
 * One alarm run's worth of invocations: up to MaximumConcurrency workers, each taking a batch,
 * delivering it, and taking the next, within the run's budget of subrequests and wall time.
 */
import type { Env } from '../env';
import { invokeFunction, invokeFunctionAsync, type InvokeOutcome } from '../lambda/client';
import { INVOCATIONS_PER_ALARM_RUN, SIMULTANEOUS_CONNECTIONS } from '../shared/platform';
import { fitPayload, MAX_PAYLOAD_BYTES, planBatches } from './batching';
import type { RunBudget } from './budget';
import { type BatchRun, type ClaimedBatch, deliverBatch, type Invoke } from './deliver-batch';
import { invocationOf, type Mapping } from './mapping';

const CONNECTIONS_PER_RUN = SIMULTANEOUS_CONNECTIONS;
const DEFAULT_CONCURRENCY = CONNECTIONS_PER_RUN;
/** Beyond the function's Timeout, time for Lambda to answer that it timed out. */
export const INVOKE_MARGIN_MS = 5_000;
/** How long an asynchronous hand-off may wait for Lambda's 202 (it usually takes milliseconds). */
export const HANDOFF_TIMEOUT_MS = 10_000;

export interface WaveRun extends BatchRun {
  env: Env;
  fifo: boolean;
  /** read once at the start of the run */
  maxReceiveCount: number | undefined;
}

/** One batch's waits and lease, worked out once per batch (the worker checks it fits, the claim stores it). */
type BatchTiming = ReturnType<typeof batchTiming>;

/**
 * How long a batch may take. `invokeMs`: one call's wait, the function's Timeout and a margin (the queue's
 * visibility timeout when the registry has not told us the Timeout), never past the run's wall time. `leaseMs`:
 * how long its messages stay in flight, at least max(visibility timeout, function timeout), so a batch is never
 * invoked again while the function may still be running it — even on a queue whose visibility is the shorter.
 * Asynchronous delivery waits only for the hand-off (Lambda's 202), and its messages are leased for the visibility
 * timeout, as an event source mapping leases them: the function's Timeout does not hold the queue.
 */
export function batchTiming(mapping: Mapping, visibilityTimeoutSeconds: number, budget: RunBudget) {
  const visibilityMs = Math.max(1, visibilityTimeoutSeconds) * 1000;
  if (invocationOf(mapping).mode === 'async') return { invokeMs: Math.min(HANDOFF_TIMEOUT_MS, budget.wallMs), leaseMs: visibilityMs, visibilityMs };
  const functionMs = mapping.functionTimeoutSeconds ? mapping.functionTimeoutSeconds * 1000 + INVOKE_MARGIN_MS : visibilityMs;
  return { invokeMs: Math.min(functionMs, budget.wallMs), leaseMs: Math.max(visibilityMs, functionMs), visibilityMs };
}

/** Delivers due batches; returns true when the budget ran out with work perhaps left (the caller re-arms at once). */
export async function deliverWaves(run: WaveRun): Promise<boolean> {
  // Up to 6 invocations run from this alarm run itself; a higher MaximumConcurrency fans out to invoker objects.
  // Hand-offs take milliseconds: they never fan out, and MaximumConcurrency bounds only the calls at once.
  const limit = run.mode === 'async' ? CONNECTIONS_PER_RUN : INVOCATIONS_PER_ALARM_RUN;
  const concurrency = Math.min(run.mapping.maximumConcurrency ?? DEFAULT_CONCURRENCY, limit);
  const fanOut = concurrency > CONNECTIONS_PER_RUN;
  // A dead-letter move after a failure is one more subrequest: held in reserve while the batch is out.
  const reserve = run.maxReceiveCount === undefined ? 1 : 2;
  // Whole waves: the run ends when its last call does, so a partial last wave would leave slots idle meanwhile
  // (measured: N=6 fell from 5.90 to 5.50 invocations/s with 50 calls a run instead of 48).
  const affordable = Math.floor(run.budget.subrequests / reserve);
  let batchesLeft = affordable >= concurrency ? affordable - (affordable % concurrency) : affordable;
  const worker = async (slot: number): Promise<void> => {
    const invoke = invoker(run, fanOut, slot);
    for (;;) {
      const startedAt = Date.now();
      const timing = batchTiming(run.mapping, run.port.settings().visibilityTimeoutSeconds, run.budget);
      if (batchesLeft <= 0) {
        run.budget.exhausted = true;
        return;
      }
      // Start nothing that might not finish inside the alarm's wall time, or without subrequests to make and settle it.
      if (!run.budget.fits(timing.invokeMs, startedAt) || !run.budget.take(reserve)) return;
      batchesLeft--;
      const batch = await takeBatch(run, timing);
      if (!batch) {
        batchesLeft++;
        return run.budget.give(reserve);
      }
      try {
        await deliverBatch(run, batch, invoke, reserve);
      } catch (error) {
        // Settling failed (storage): the stored lease returns these messages when it ends. The other batches go on.
        console.error(`delivery of a batch failed: ${(error as Error).message}`);
      }
    }
  };
  // Every worker runs to its end whatever the others do: one failing never abandons a sibling's batch.
  await Promise.allSettled(Array.from({ length: concurrency }, (_, slot) => worker(slot)));
  return run.budget.exhausted;
}

/** One invocation attempt; a fan-out RPC that throws is a failed attempt like any other, never an exception. */
function invoker(run: WaveRun, fanOut: boolean, slot: number): Invoke {
  const direct = run.mode === 'async' ? invokeFunctionAsync : invokeFunction;
  const call: Invoke = fanOut
    ? (arn, payload, timeoutMs) => run.env.INVOKER.getByName(`${run.port.settings().queueName}#${slot}`).invoke(arn, payload, timeoutMs)
    : (arn, payload, timeoutMs) => direct(run.env, arn, payload, timeoutMs);
  return async (arn, payload, timeoutMs): Promise<InvokeOutcome> => {
    const started = Date.now();
    try {
      return await call(arn, payload, timeoutMs);
    } catch (error) {
      return { kind: 'failed', error: `invoker call failed: ${(error as Error).message}`, durationMs: Date.now() - started };
    }
  };
}

/**
 * The next batch to deliver, claimed; null when nothing is due or the batching window is still open. Keys are
 * selected first and only the planned batch's bodies are loaded: memory stays within one payload.
 */
async function takeBatch(run: WaveRun, timing: BatchTiming): Promise<ClaimedBatch | null> {
  const { mapping, port, maxReceiveCount } = run;
  let at = Date.now();
  let due = port.due(at, mapping.batchSize);
  // Messages already received maxReceiveCount times (e.g. by a consumer, or a run that died) go to the DLQ.
  const overLimit = maxReceiveCount === undefined ? [] : due.filter((m) => m.receiveCount >= maxReceiveCount);
  if (overLimit.length > 0) {
    if (!run.budget.take(1)) return null;
    const [chunk] = planBatches(overLimit, mapping.batchSize, 1, false);
    const moved = await port.deadLetter(chunk);
    run.report.counters.deadLettered += moved;
    // Moved: select again from the top, so messages past the limit that the new selection holds (more of them than
    // workers, or the rest of a packed row the other workers skipped) are moved too, never invoked. Each round takes
    // a subrequest, so this ends. Not moved (the DLQ is gone): they are delivered after all, as SQS keeps them.
    if (moved > 0) return takeBatch(run, timing);
    at = Date.now();
    due = port.due(at, mapping.batchSize);
  }
  if (due.length === 0) return null;
  const oldestDue = Math.min(...due.map((m) => m.visibleAt));
  const window = mapping.maximumBatchingWindowInSeconds * 1000;
  if (window > 0 && due.length < mapping.batchSize && at < oldestDue + window) return null;
  // Asynchronous batches are planned to the asynchronous limit; hand-off.ts measures the event exactly and splits.
  const maxBytes = run.mode === 'async' ? run.asyncPayloadLimit.bytes : MAX_PAYLOAD_BYTES;
  const [planned] = planBatches(due, mapping.batchSize, 1, run.fifo, maxBytes);
  if (!planned) return null;
  const messages = fitPayload(port.load(planned), maxBytes);
  if (messages.length === 0) return null;
  const { invokeMs, leaseMs, visibilityMs } = timing;
  // Claimed (and the lease stored) before any await, so concurrent workers never take the same messages.
  const claims = port.claim(messages, at + leaseMs, at);
  const batch = messages.map((message, i) => ({ message, claim: claims[i] }));
  return { messages: batch, takenAt: at, leaseUntil: at + leaseMs, visibleUntil: at + visibilityMs, invokeMs };
}
