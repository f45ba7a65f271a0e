/**
 * The first cron run after 00:00 UTC, when Cloudflare resets the daily free-tier quotas, wakes every mapped queue.
 * A queue whose alarm was refused at an exhausted rows-written quota (each setAlarm() is a row written) has no
 * alarm left to fire; wake() re-arms it for its due work, so delivery resumes by itself. One DO request per mapped
 * queue once a day; the Worker's own cron invocation makes the calls, within its 50 subrequests
 * (https://developers.cloudflare.com/workers/platform/limits/#subrequests).
 */
import type { Env } from '../env';
import { queueObject, registryObject } from '../shared/rpc';
import { DAY_MS } from '../shared/usage';

/** The cron runs every 5 minutes (wrangler.toml): the first run of a day starts within this of 00:00 UTC. */
const CRON_INTERVAL_MS = 5 * 60_000;
/** Calls left to this invocation after the cron's own (runCron and registryState): 50 less a margin. */
export const MAX_WAKES = 45;

export async function wakeAfterDailyReset(env: Env, now = Date.now()): Promise<number> {
  if (now % DAY_MS >= CRON_INTERVAL_MS) return 0;
  const { mappings } = await registryObject(env).registryState();
  const queues = mappings.slice(0, MAX_WAKES).map((m) => m.queue);
  const results = await Promise.allSettled(queues.map((queue) => queueObject(env, queue).wake()));
  return results.filter((r) => r.status === 'fulfilled').length;
}
