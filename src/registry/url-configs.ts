/**
 * Function URL configs (ListFunctionUrlConfigs, one call per function): functions never checked first, then the others
 * in rotation from the name after the stored cursor, as many as the run's budget allows. A function's row is written
 * only when its URL or AuthType changed (or on its first check): rereading 40 unchanged configs writes nothing.
 * https://docs.aws.amazon.com/lambda/latest/api/API_ListFunctionUrlConfigs.html
 */
import { LambdaApiError, listFunctionUrlConfigs } from '../lambda/list';
import { type FunctionRecord, webUrlOrNull } from './functions';
import { describe, type SyncRun } from './sync-run';

/** The records never checked, in name order. */
export const uncheckedOf = (records: FunctionRecord[]) => records.filter((f) => f.urlCheckedAt === null);

/** Refreshes the given records while the budget lasts; returns how many were left. */
export async function refreshUrlConfigs(run: SyncRun, records: FunctionRecord[], reserve = 0): Promise<number> {
  let skipped = 0;
  for (const record of records) {
    if (run.budget.remaining <= reserve) skipped++;
    else await refreshUrlConfig(run, record);
  }
  return skipped;
}

/** URL configs reread per run at most: a URL created or deleted shows within a few runs, without hammering the API. */
export const ROTATION_PER_RUN = 10;

/**
 * Rereads `checked` (the records checked before this run) from the one after the cursor on, wrapping around, at most
 * ROTATION_PER_RUN; moves the cursor to the last one read.
 */
export async function rotateUrlConfigs(run: SyncRun, checked: FunctionRecord[]): Promise<void> {
  const cursor = run.state.urlCursor ?? '';
  const from = checked.findIndex((f) => f.name > cursor);
  const order = from <= 0 ? checked : [...checked.slice(from), ...checked.slice(0, from)];
  for (const record of order.slice(0, ROTATION_PER_RUN)) {
    if (run.budget.remaining < 1) break;
    await refreshUrlConfig(run, record);
    run.state.urlCursor = record.name;
  }
}

async function refreshUrlConfig(run: SyncRun, record: FunctionRecord): Promise<void> {
  const previous = { ...record };
  try {
    const [config] = await listFunctionUrlConfigs(run.env, record.name, { budget: run.budget });
    record.url = webUrlOrNull(config?.FunctionUrl);
    record.authType = config?.AuthType ?? null;
  } catch (error) {
    if (!(error instanceof LambdaApiError && error.status === 404)) {
      run.warnings.push(`URL config of ${record.name}: ${describe(error)}`);
      return;
    }
    record.url = null;
  }
  if (previous.urlCheckedAt === null || previous.url !== record.url || previous.authType !== record.authType) {
    record.urlCheckedAt = run.now;
    run.stores.functions.put(record, previous);
  }
}
