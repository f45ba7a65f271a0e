/**
 * One alarm run's worth of invocations: up to MaximumConcurrency workers, each taking a batch,
 * delivering it, and taking the next, within the run's invocation budget.
 */
import type { Env } from '../env';
import { invokeFunction } from '../lambda/client';
import { INVOCATIONS_PER_ALARM_RUN, SIMULTANEOUS_CONNECTIONS } from '../shared/platform';
import { planBatches } from './batching';
import { type BatchRun, type ClaimedMessage, deliverBatch, type Invoke } from './deliver-batch';

const CONNECTIONS_PER_RUN = SIMULTANEOUS_CONNECTIONS;
const INVOCATIONS_PER_RUN = INVOCATIONS_PER_ALARM_RUN;
const DEFAULT_CONCURRENCY = CONNECTIONS_PER_RUN;

export interface WaveRun extends BatchRun {
  env: Env;
  fifo: boolean;
  /** read once at the start of the run */
  maxReceiveCount: number | undefined;
}

/** Delivers due batches; returns true when the budget ran out with work perhaps left (the caller re-arms at once). */
export async function deliverWaves(run: WaveRun): Promise<boolean> {
  // Up to 6 invocations run from this alarm run itself; a higher MaximumConcurrency fans out to invoker objects.
  const concurrency = Math.min(run.mapping.maximumConcurrency ?? DEFAULT_CONCURRENCY, INVOCATIONS_PER_RUN);
  const fanOut = concurrency > CONNECTIONS_PER_RUN;
  // Whole waves per run: the run ends when its last call does, so a partial last wave would leave slots idle.
  const budget = Math.floor(INVOCATIONS_PER_RUN / concurrency) * concurrency;
  let invocations = 0;
  let moreDue = false;
  const worker = async (slot: number): Promise<void> => {
    const invoke = invoker(run, fanOut, slot);
    for (;;) {
      if (invocations >= budget) {
        moreDue = true;
        return;
      }
      const batch = await takeBatch(run);
      if (!batch) return;
      invocations++;
      await deliverBatch(run, batch, invoke);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, slot) => worker(slot)));
  return moreDue;
}

function invoker(run: WaveRun, fanOut: boolean, slot: number): Invoke {
  return fanOut
    ? (arn, payload, timeoutMs) => run.env.INVOKER.getByName(`${run.port.settings().queueName}#${slot}`).invoke(arn, payload, timeoutMs)
    : (arn, payload, timeoutMs) => invokeFunction(run.env, arn, payload, timeoutMs);
}

/** The next batch to deliver, claimed; null when nothing is due or the batching window is still open. */
async function takeBatch(run: WaveRun): Promise<ClaimedMessage[] | null> {
  const { mapping, port, maxReceiveCount } = run;
  const at = Date.now();
  let due = port.due(at, mapping.batchSize);
  // Messages already received maxReceiveCount times (e.g. by a consumer) go to the DLQ, not the function.
  const overLimit = maxReceiveCount === undefined ? [] : due.filter((m) => m.receiveCount >= maxReceiveCount);
  if (overLimit.length > 0) {
    run.report.counters.deadLettered += await port.deadLetter(overLimit);
    due = port.due(at, mapping.batchSize);
  }
  if (due.length === 0) return null;
  const oldestDue = Math.min(...due.map((m) => m.visibleAt));
  const window = mapping.maximumBatchingWindowInSeconds * 1000;
  if (window > 0 && due.length < mapping.batchSize && at < oldestDue + window) return null;
  const [batch] = planBatches(due, mapping.batchSize, 1, run.fifo);
  if (!batch) return null;
  // Claimed before any await, so concurrent workers never take the same messages.
  const claims = port.claim(batch);
  return batch.map((message, i) => ({ message, claim: claims[i] }));
}
