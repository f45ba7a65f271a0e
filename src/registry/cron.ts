/** The registry's cron run: sync, then warm on whatever state is the last good one (even if this sync failed). */
import type { Env } from '../env';
import { PageBudget } from '../lambda/list';
import { SUBREQUESTS_PER_REGISTRY_RUN } from '../shared/platform';
import type { PingResult } from './pings';
import type { RegistryStores } from './stores';
import { runSync, type SyncResult } from './sync';
import { MAX_PINGS_PER_RUN, warmAndRecord, warmDemand } from './warming';

/** What runCron leaves to the sync at least, however many pings are wanted: two list pages and a few updates. */
export const MIN_SYNC_SUBREQUESTS = 12;

export async function runCron(env: Env, stores: RegistryStores, now: number): Promise<{ sync: SyncResult; pings: PingResult[] }> {
  // One invocation, one subrequest budget: keep room for the pings and invokes the current state wants, and give warming
  // whatever the sync did not use (the sync may have learnt new URLs).
  const wantedPings = Math.min(MAX_PINGS_PER_RUN, warmDemand(stores.functions.all()));
  const budget = new PageBudget(Math.max(MIN_SYNC_SUBREQUESTS, SUBREQUESTS_PER_REGISTRY_RUN - wantedPings));
  const sync = await runSync(env, stores, now, budget);
  if (!sync.ok) console.warn(`sqsflare: sync failed: ${sync.error}`);
  const pings = await warmAndRecord(env, stores, now, Math.min(MAX_PINGS_PER_RUN, SUBREQUESTS_PER_REGISTRY_RUN - budget.used));
  return { sync, pings };
}
