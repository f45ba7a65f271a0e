/**
 * One sync with the Lambda API. Reads functions and event source mappings (every page), pushes changed mappings to
 * their queues (creating mapped queues that are missing), then refreshes URL configs stalest first with what is left
 * of the budget. A failed list call changes nothing but the recorded error: the last good state stays.
 */
import { type FunctionFacts, mappingFromAws, withFunction } from '../delivery/mapping';
import type { Env } from '../env';
import { LambdaApiError, listEventSourceMappings, listFunctions, listFunctionUrlConfigs, type PageBudget } from '../lambda/list';
import type { AwsEventSourceMapping, AwsFunction } from '../lambda/types';
import { queueObject } from '../shared/rpc';
import { asyncTagged, type FunctionRecord, functionRecord, webUrlOrNull } from './functions';
import { type SqsMapping, sqsMappingsOf } from './mappings';
import type { RegistryStores } from './stores';

interface MappingChanges {
  queuesCreated: string[];
  /** queues whose mapping was pushed (new or changed) */
  queuesUpdated: string[];
  mappingsRemoved: string[];
  /** queue updates left for the next sync, over the subrequest budget */
  pending: string[];
}

export type SyncResult =
  | ({
      ok: true;
      functions: number;
      /** SQS mappings of our account, by queue */
      mappings: number;
      /** functions whose URL config was not refreshed this time, over the subrequest budget */
      urlConfigsSkipped: number;
      subrequests: number;
      warnings: string[];
    } & MappingChanges)
  | { ok: false; error: string };

/** What one sync works with; `warnings` collects what went wrong without failing the sync. */
interface SyncRun {
  env: Env;
  stores: RegistryStores;
  budget: PageBudget;
  now: number;
  warnings: string[];
  /** by function name: what delivery needs to know of each (its Timeout, `[sqsflare:async]`) */
  facts: Map<string, FunctionFacts>;
}

export async function runSync(env: Env, stores: RegistryStores, now: number, budget: PageBudget): Promise<SyncResult> {
  const state = stores.syncState.load();
  state.lastAttemptAt = now;
  let fns: AwsFunction[];
  let esms: AwsEventSourceMapping[];
  try {
    fns = await listFunctions(env, { budget });
    esms = await listEventSourceMappings(env, { budget });
  } catch (error) {
    state.lastError = describe(error);
    stores.syncState.save(state);
    return { ok: false, error: state.lastError };
  }
  const facts = new Map(fns.map((fn) => [fn.FunctionName, { timeoutSeconds: fn.Timeout, asyncTag: asyncTagged(fn.Description) }]));
  const run: SyncRun = { env, stores, budget, now, warnings: [], facts };
  // Mappings first: they drive delivery, URLs only warming.
  const wanted = sqsMappingsOf(esms, env.AWS_ACCOUNT_ID);
  const changes = await applyMappings(run, wanted);
  const { records, urlConfigsSkipped } = await refreshFunctions(run, fns);
  stores.functions.replaceAll(records);
  stores.pings.keepOnlyKnownFunctions();
  state.lastSuccessAt = now;
  state.lastError = run.warnings.length ? run.warnings.join('; ') : null;
  state.raw = { functions: fns, eventSourceMappings: esms };
  stores.syncState.save(state);
  const { warnings } = run;
  return { ok: true, functions: records.length, mappings: wanted.size, ...changes, urlConfigsSkipped, subrequests: budget.used, warnings };
}

/** Pushes new and changed mappings to their queues and clears the ones that went away, within the budget. */
async function applyMappings(run: SyncRun, wanted: Map<string, SqsMapping>): Promise<MappingChanges> {
  const changes: MappingChanges = { queuesCreated: [], queuesUpdated: [], mappingsRemoved: [], pending: [] };
  const pushed = run.stores.mappings.pushed();
  for (const { queue, esm } of wanted.values()) {
    // The function's Timeout and [sqsflare:async] are part of what the queue applies: a change to either is pushed.
    const json = pushKey(esm, run.facts.get(functionNameOf(esm.FunctionArn) ?? ''));
    // Unchanged and the queue still in the catalog: nothing to push. A mapped queue deleted since is created again.
    if (pushed.get(queue) === json && run.stores.catalog.has(queue)) continue;
    // Each queue update costs up to 2 calls (create + setMapping).
    if (run.budget.remaining < 2) changes.pending.push(queue);
    else await pushMapping(run, queue, esm, changes).catch((error) => run.warnings.push(`queue ${queue}: ${describe(error)}`));
  }
  for (const queue of pushed.keys()) {
    if (wanted.has(queue)) continue;
    if (run.budget.remaining < 1) changes.pending.push(queue);
    else {
      await dropMapping(run, queue);
      changes.mappingsRemoved.push(queue);
    }
  }
  if (changes.pending.length) run.warnings.push(`${changes.pending.length} queue updates left for the next sync (subrequest budget)`);
  return changes;
}

async function pushMapping(run: SyncRun, queue: string, esm: AwsEventSourceMapping, changes: MappingChanges): Promise<void> {
  const fifo = queue.endsWith('.fifo');
  const stub = queueObject(run.env, queue);
  run.budget.take();
  // create() is idempotent for an existing queue when no attributes are given, so no exists() call is needed.
  const { created, createdAt } = await stub.create(queue, fifo ? { FifoQueue: 'true' } : {}, {}, run.now);
  if (created) changes.queuesCreated.push(queue);
  // Upsert keeps a known queue's DLQ; it only adds a queue the catalog lost or never had.
  if (created || !run.stores.catalog.has(queue)) run.stores.catalog.upsert(queue, createdAt, null);
  run.budget.take();
  const facts = run.facts.get(functionNameOf(esm.FunctionArn) ?? '');
  const mapping = mappingFromAws(esm, fifo);
  await stub.setMapping(facts ? withFunction(mapping, facts) : mapping);
  run.stores.mappings.put(queue, pushKey(esm, facts));
  changes.queuesUpdated.push(queue);
}

/** A mapping's FunctionArn (qualified or not) → the function's name, as ListFunctions names it. */
const functionNameOf = (arn: string | undefined) => (arn ? (arn.split(':function:')[1]?.split(':')[0] ?? arn) : null);

/** What the queue was last given: the mapping as AWS sent it, and what the registry added from its function. */
function pushKey(esm: AwsEventSourceMapping, facts: FunctionFacts | undefined): string {
  return facts ? JSON.stringify({ ...esm, sqsflareFunction: facts }) : JSON.stringify(esm);
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

/** The functions' records; URL configs cost one call per function, so as many as the budget allows, stalest first. */
async function refreshFunctions(run: SyncRun, fns: AwsFunction[]): Promise<{ records: FunctionRecord[]; urlConfigsSkipped: number }> {
  const previous = new Map(run.stores.functions.all().map((f) => [f.name, f]));
  const records = fns.map((fn) => functionRecord(fn, previous.get(fn.FunctionName)));
  const stalestFirst = [...records].sort((a, b) => (a.urlCheckedAt ?? 0) - (b.urlCheckedAt ?? 0));
  let urlConfigsSkipped = 0;
  for (const record of stalestFirst) {
    if (run.budget.remaining < 1) urlConfigsSkipped++;
    else await refreshUrlConfig(run, record);
  }
  if (urlConfigsSkipped) run.warnings.push(`URL configs of ${urlConfigsSkipped} functions left for the next sync (subrequest budget)`);
  return { records, urlConfigsSkipped };
}

async function refreshUrlConfig(run: SyncRun, record: FunctionRecord): Promise<void> {
  try {
    const [config] = await listFunctionUrlConfigs(run.env, record.name, { budget: run.budget });
    record.url = webUrlOrNull(config?.FunctionUrl);
    record.authType = config?.AuthType ?? null;
    record.urlCheckedAt = run.now;
  } catch (error) {
    if (error instanceof LambdaApiError && error.status === 404) {
      record.url = null;
      record.urlCheckedAt = run.now;
    } else run.warnings.push(`URL config of ${record.name}: ${describe(error)}`);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
