/**
 * One sync run with the Lambda API. Reads the event source mappings first (every page, 100 a page: they drive
 * delivery), then ListFunctions pages from where the last run stopped (50 a page, src/registry/function-pass.ts),
 * pushes what changed to the queues (src/registry/push.ts), reads the URL configs of new functions, scans API Gateway
 * from where the last run stopped (src/registry/gateway.ts), and rereads URL configs in rotation with what is left of
 * the budget (src/registry/url-configs.ts). A failed list call changes nothing but the recorded error: the last good
 * state stays. How far the run got is kept as SyncProgress for the dashboard.
 */
import type { Env } from '../env';
import { listEventSourceMappings, type PageBudget } from '../lambda/list';
import type { AwsEventSourceMapping } from '../lambda/types';
import { type FunctionPassResult, readFunctionPages } from './function-pass';
import { MIN_SCAN_CALLS, syncApiGateway } from './gateway';
import { sqsMappingsOf } from './mappings';
import { applyMappings, type MappingChanges, withTimeouts } from './push';
import type { RegistryStores } from './stores';
import { describe, type SyncRun } from './sync-run';
import type { SyncProgress } from './sync-state';
import { refreshUrlConfigs, rotateUrlConfigs, uncheckedOf } from './url-configs';

/** Calls the API Gateway scan leaves to the URL-config rotation, when the budget is short. */
const ROTATION_RESERVE = 4;

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
  const records = [...pass.records.values()];
  const checkedBefore = records.filter((f) => f.urlCheckedAt !== null);
  const urlConfigsSkipped = await refreshUrlConfigs(run, uncheckedOf(records));
  if (urlConfigsSkipped) run.warnings.push(`URL configs of ${urlConfigsSkipped} functions left for the next sync (subrequest budget)`);
  const scanCalls = budget.remaining >= MIN_SCAN_CALLS + ROTATION_RESERVE ? budget.remaining - ROTATION_RESERVE : budget.remaining;
  state.apiGateway = await syncApiGateway(run, scanCalls);
  await rotateUrlConfigs(run, checkedBefore);
  const progress: SyncProgress = {
    functionsListed: pass.listed,
    functionsComplete: pass.complete,
    mappings: wanted.length,
    mappingsApplied: applied,
    urlConfigsChecked: records.filter((f) => f.urlCheckedAt !== null).length,
    apis: state.apiGateway.apis,
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
