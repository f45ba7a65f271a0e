/** The dashboard's and the index's reads: RPC calls to the registry and the queues, shaped by views.ts. */
import type { Env } from '../env';
import { asSqsError } from '../protocol/wire';
import { queueObject, registryObject } from '../shared/rpc';
import type { DayUsage } from '../shared/usage';
import { type FunctionView, functionView, type QueueDetail, type QueueSummary, queueDetail, queueSummary, type SyncStatus, unreadableQueue } from './views';

/** Queues whose live counts the overview fetches: each is one Durable Object call (a subrequest). */
export const OVERVIEW_QUEUE_LIMIT = 30;
const PEEK_LIMIT = 20;

export async function loadFunctions(env: Env): Promise<{ functions: FunctionView[]; sync: SyncStatus; usage: DayUsage }> {
  const state = await registryObject(env).registryState();
  const { lastAttemptAt, lastSuccessAt, lastError, progress, apiGateway } = state.sync;
  const functions = state.functions.map((f) => functionView(f, state.warmDays));
  const sync = { lastAttemptAt, lastSuccessAt, lastError, progress, apiGatewayNotes: apiGateway?.notes ?? [] };
  return { functions, sync, usage: state.usage };
}

export async function loadQueueSummaries(env: Env): Promise<{ queues: QueueSummary[]; more: boolean }> {
  const catalog = await registryObject(env).queues();
  const shown = catalog.slice(0, OVERVIEW_QUEUE_LIMIT);
  const queues = await Promise.all(
    shown.map(async (entry): Promise<QueueSummary> => {
      const base = { name: entry.name, fifo: entry.name.endsWith('.fifo'), deadLetterQueue: entry.deadLetterQueue };
      try {
        return queueSummary(base, await queueObject(env, entry.name).stats());
      } catch (error) {
        return unreadableQueue(base, asSqsError(error).message);
      }
    }),
  );
  return { queues, more: catalog.length > shown.length };
}

export async function loadQueueDetail(env: Env, name: string): Promise<QueueDetail> {
  const stub = queueObject(env, name);
  const stats = await stub.stats(); // throws QueueDoesNotExist before the other calls start
  const [messages, sources] = await Promise.all([stub.peek(PEEK_LIMIT), registryObject(env).deadLetterSources(name, 10)]);
  return queueDetail(stats, messages, sources);
}
