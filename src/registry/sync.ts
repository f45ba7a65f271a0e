/**
 * One sync run with the Lambda API. Reads the event source mappings first (every page, 100 a page: they drive
 * delivery), then ListFunctions pages from where the last run stopped (50 a page, src/registry/function-pass.ts),
 * pushes what changed to the queues (src/registry/push.ts), and refreshes URL configs stalest first with what is left
 * of the budget. A failed list call changes nothing but the recorded error: the last good state stays. How far the
 * run got is kept as SyncProgress for the dashboard.
 */
import type { Env } from '../env';
import { LambdaApiError, listEventSourceMappings, listFunctionUrlConfigs, type PageBudget } from '../lambda/list';
import type { AwsEventSourceMapping } from '../lambda/types';
import { type FunctionRecord, webUrlOrNull } from './functions';
import { type FunctionPassResult, readFunctionPages } from './function-pass';
import { sqsMappingsOf } from './mappings';
import { applyMappings, type MappingChanges, withTimeouts } from './push';
import type { RegistryStores } from './stores';
import { describe, type SyncRun } from './sync-run';
import type { SyncProgress } from './sync-state';

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
      progress: SyncProgress;
    } & MappingChanges)
  | { ok: false; error: string };

export async function runSync(env: Env, stores: RegistryStores, now: number, budget: PageBudget): Promise<SyncResult> {
  const state = stores.syncState.load();
  state.lastAttemptAt = now;
  const run: SyncRun = { env, stores, budget, now, warnings: [], state };
  let esms: AwsEventSourceMapping[];
  let pass: FunctionPassResult;
  try {
    esms = await listEventSourceMappings(env, { budget });
    pass = await readFunctionPages(run);
  } catch (error) {
    state.lastError = describe(error);
    // A marker from an earlier run may have expired: the next run starts the pass again.
    state.functionPass = { marker: null, seen: [] };
    stores.syncState.save(state);
    return { ok: false, error: state.lastError };
  }
  const wanted = withTimeouts(sqsMappingsOf(esms, env.AWS_ACCOUNT_ID), pass.records);
  const { applied, ...changes } = await applyMappings(run, wanted);
  const urlConfigsSkipped = await refreshUrlConfigs(run, [...pass.records.values()]);
  const records = [...pass.records.values()];
  const progress: SyncProgress = {
    functionsListed: pass.listed,
    functionsComplete: pass.complete,
    mappings: wanted.length,
    mappingsApplied: applied,
    urlConfigsChecked: records.filter((f) => f.urlCheckedAt !== null).length,
    subrequests: budget.used,
    budget: budget.limit,
  };
  if (!pass.complete) run.warnings.push(`${pass.listed} functions read so far; the rest next sync (subrequest budget)`);
  state.lastSuccessAt = now;
  state.lastError = run.warnings.length ? run.warnings.join('; ') : null;
  state.progress = progress;
  stores.syncState.save(state);
  const result = { ok: true as const, functions: records.length, mappings: wanted.length, ...changes, urlConfigsSkipped, subrequests: budget.used, progress };
  return { ...result, warnings: run.warnings };
}

/** URL configs cost one call per function: as many as the budget allows, stalest first. Returns how many were skipped. */
async function refreshUrlConfigs(run: SyncRun, records: FunctionRecord[]): Promise<number> {
  const stalestFirst = [...records].sort((a, b) => (a.urlCheckedAt ?? 0) - (b.urlCheckedAt ?? 0));
  let skipped = 0;
  for (const record of stalestFirst) {
    if (run.budget.remaining < 1) skipped++;
    else {
      const previous = { ...record };
      await refreshUrlConfig(run, record);
      run.stores.functions.put(record, previous);
    }
  }
  if (skipped) run.warnings.push(`URL configs of ${skipped} functions left for the next sync (subrequest budget)`);
  return skipped;
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
