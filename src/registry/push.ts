/**
 * Pushing mappings to their queue objects, within the run's budget: new and changed mappings, mappings of queues
 * deleted and created again since the last push (their queue's createdAt differs), and removals. What does not fit
 * is left for the next run, and the dashboard shows how many are applied (SyncProgress).
 */
import { queueObject } from '../shared/rpc';
import { isSqsError } from '../shared/errors';
import { functionNameOf } from '../shared/names';
import { asyncTagged, type FunctionRecord } from './functions';
import { mappingKey, queueMapping, type SqsMapping } from './mappings';
import { describe, type SyncRun } from './sync-run';

export interface MappingChanges {
  queuesCreated: string[];
  /** queues whose mapping was pushed (new, changed, or a queue created again) */
  queuesUpdated: string[];
  mappingsRemoved: string[];
  /** queue updates left for the next sync, over the subrequest budget */
  pending: string[];
}

/** AWS's advice for a queue feeding a function: a visibility timeout of 6 × the function's timeout, at least the
 *  30 s default, at most SQS's 12 hours (Lambda developer guide, "Using Lambda with Amazon SQS"). */
export const visibilityFor = (functionTimeout: number | undefined) => Math.min(43_200, Math.max(30, 6 * (functionTimeout ?? 0)));

/** Each wanted mapping with its function's timeout, when the function is known. */
export function withTimeouts(wanted: Map<string, SqsMapping>, functions: Map<string, FunctionRecord>): SqsMapping[] {
  return [...wanted.values()].map((m) => {
    const fn = functions.get(functionNameOf(m.esm.FunctionArn) ?? '');
    return fn ? { ...m, functionTimeoutSeconds: fn.timeout, asyncTag: asyncTagged(fn.description) } : m;
  });
}

export async function applyMappings(run: SyncRun, wanted: SqsMapping[]): Promise<MappingChanges & { applied: number }> {
  const changes: MappingChanges = { queuesCreated: [], queuesUpdated: [], mappingsRemoved: [], pending: [] };
  const pushed = run.stores.mappings.pushed();
  let applied = 0;
  for (const m of wanted) {
    const last = pushed.get(m.queue);
    const createdAt = run.stores.catalog.createdAt(m.queue);
    if (last && mappingKey(last) === mappingKey(m) && createdAt !== undefined && last.queueCreatedAt === createdAt) {
      applied++;
      continue;
    }
    // A queue the catalog lacks costs 2 calls (create, setMapping), a known one 1.
    if (run.budget.remaining < (createdAt === undefined ? 2 : 1)) changes.pending.push(m.queue);
    else if (await pushMapping(run, m, createdAt, changes).catch((error) => void run.warnings.push(`queue ${m.queue}: ${describe(error)}`)) !== undefined) applied++;
  }
  const queues = new Set(wanted.map((m) => m.queue));
  for (const queue of pushed.keys()) {
    if (queues.has(queue)) continue;
    if (run.budget.remaining < 1) changes.pending.push(queue);
    else {
      await dropMapping(run, queue);
      changes.mappingsRemoved.push(queue);
    }
  }
  if (changes.pending.length) run.warnings.push(`${changes.pending.length} queue updates left for the next sync (subrequest budget)`);
  return { ...changes, applied };
}

async function pushMapping(run: SyncRun, m: SqsMapping, knownCreatedAt: number | undefined, changes: MappingChanges): Promise<true> {
  const stub = queueObject(run.env, m.queue);
  let queueCreatedAt = knownCreatedAt;
  if (queueCreatedAt === undefined) {
    const { created, createdAt } = await createMappedQueue(run, m);
    if (created) changes.queuesCreated.push(m.queue);
    // Upsert keeps a known queue's DLQ; it only adds a queue the catalog lost or never had.
    run.stores.catalog.upsert(m.queue, createdAt, null);
    queueCreatedAt = createdAt;
  }
  run.budget.take();
  await stub.setMapping(queueMapping(m));
  run.stores.mappings.put({ ...m, queueCreatedAt });
  changes.queuesUpdated.push(m.queue);
  return true;
}

/**
 * Creates a mapped queue with the visibility timeout its function needs. A queue that exists with other attributes
 * answers QueueNameExists: then it is only looked up (create() without attributes is idempotent).
 */
async function createMappedQueue(run: SyncRun, m: SqsMapping): Promise<{ created: boolean; createdAt: number }> {
  const fifo = m.queue.endsWith('.fifo');
  const stub = queueObject(run.env, m.queue);
  const attributes: Record<string, string> = { VisibilityTimeout: String(visibilityFor(m.functionTimeoutSeconds)), ...(fifo ? { FifoQueue: 'true' } : {}) };
  run.budget.take();
  try {
    return await stub.create(m.queue, attributes, {}, run.now);
  } catch (error) {
    if (!isSqsError(error, 'QueueNameExists')) throw error;
    run.budget.take();
    return stub.create(m.queue, fifo ? { FifoQueue: 'true' } : {}, {}, run.now);
  }
}

async function dropMapping(run: SyncRun, queue: string): Promise<void> {
  try {
    run.budget.take();
    await queueObject(run.env, queue).setMapping(null);
  } catch (error) {
    // A queue deleted since keeps no mapping anyway.
    run.warnings.push(`queue ${queue}: ${describe(error)}`);
  }
  run.stores.mappings.remove(queue);
}
