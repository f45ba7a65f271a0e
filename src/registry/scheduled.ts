/** The cron trigger's work, kept out of index.ts so it can be tested on its own. */
import type { Env } from '../env';
import { registryObject } from '../shared/rpc';
import { wakeAfterDailyReset } from './daily-wake';

/**
 * One RPC into the registry, which syncs and then warms (warming runs on the last good state even when the sync
 * failed). Failures are logged, not thrown: a throwing cron only adds noise, and the next run tries again.
 */
export async function runScheduled(env: Env): Promise<void> {
  try {
    const { sync, pings } = await registryObject(env).runCron();
    const failed = pings.filter((p) => p.error).length;
    console.log(`sqsflare cron: sync ${sync.ok ? 'ok' : `failed (${sync.error})`}, ${pings.length} pings, ${failed} failed`);
    await wakeAfterDailyReset(env);
  } catch (error) {
    console.error('sqsflare cron failed:', error);
  }
}
