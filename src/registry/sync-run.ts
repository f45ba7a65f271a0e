/** What one sync run works with; `warnings` collects what went wrong without failing the sync. */
import type { Env } from '../env';
import type { PageBudget } from '../lambda/list';
import type { RegistryStores } from './stores';
import type { SyncState } from './sync-state';

export interface SyncRun {
  env: Env;
  stores: RegistryStores;
  budget: PageBudget;
  now: number;
  warnings: string[];
  /** loaded at the start of the run, saved at its end */
  state: SyncState;
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
