/**
 * ListFunctions read a few pages per run: a large account (hundreds of functions, 50 a page) is read across runs
 * within each run's subrequest budget, resuming at the stored marker. Functions gone from the account are dropped
 * only when a pass is complete, from the names the whole pass saw.
 */
import { listFunctionsPage } from '../lambda/list';
import { type FunctionRecord, functionRecord } from './functions';
import type { SyncRun } from './sync-run';

/** Calls a run keeps free for pushing mappings while it reads function pages (it always reads at least one page). */
export const PUSH_RESERVE = 10;

export interface FunctionPassResult {
  /** every stored function after this run's pages, by name */
  records: Map<string, FunctionRecord>;
  /** functions the pass has seen so far, and whether it is complete */
  listed: number;
  complete: boolean;
}

export async function readFunctionPages(run: SyncRun): Promise<FunctionPassResult> {
  const { stores, state } = run;
  const records = new Map(stores.functions.all().map((f) => [f.name, f]));
  const seen = new Set(state.functionPass.seen);
  let marker = state.functionPass.marker ?? undefined;
  let pages = 0;
  do {
    if (pages > 0 && run.budget.remaining <= PUSH_RESERVE) break;
    const page = await listFunctionsPage(run.env, marker, { budget: run.budget });
    for (const fn of page.items) {
      const previous = records.get(fn.FunctionName);
      const record = functionRecord(fn, previous);
      stores.functions.put(record, previous);
      records.set(record.name, record);
      seen.add(record.name);
    }
    marker = page.next;
    pages++;
  } while (marker);
  if (marker) {
    state.functionPass = { marker, seen: [...seen] };
    return { records, listed: seen.size, complete: false };
  }
  for (const name of [...records.keys()]) {
    if (seen.has(name)) continue;
    stores.functions.remove(name);
    records.delete(name);
  }
  state.functionPass = { marker: null, seen: [] };
  return { records, listed: seen.size, complete: true };
}
