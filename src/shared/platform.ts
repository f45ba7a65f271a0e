/**
 * Cloudflare's limits, once. Each number is the platform's, from the page named beside it; the budgets sqsflare
 * derives from them (what one alarm run or one cron run may spend) live here too, so they are tuned in one place.
 */

/** Workers Free: 50 subrequests per invocation; an alarm run and a cron run are one invocation each.
 *  https://developers.cloudflare.com/workers/platform/limits/#subrequests */
export const SUBREQUESTS_PER_INVOCATION = 50;

/** Simultaneous open outgoing connections per invocation (all plans).
 *  https://developers.cloudflare.com/workers/platform/limits/#simultaneous-open-connections */
export const SIMULTANEOUS_CONNECTIONS = 6;

/** An alarm handler may run at most 15 minutes of wall time.
 *  https://developers.cloudflare.com/durable-objects/platform/limits/ */
export const ALARM_WALL_LIMIT_MS = 15 * 60 * 1000;

/** SQLite in a Durable Object: at most 100 bound parameters per query, 2 MB per row.
 *  https://developers.cloudflare.com/durable-objects/platform/limits/ */
export const SQL_MAX_BOUND_PARAMETERS = 100;
export const SQL_MAX_ROW_BYTES = 2 * 1024 * 1024;

/** Invocations one delivery alarm run may start: the subrequest limit, less room for the other calls of the run. */
export const INVOCATIONS_PER_ALARM_RUN = 40;

/** Outgoing calls one registry invocation (cron or Sync now) may make; calls to queue objects count too. */
export const SUBREQUESTS_PER_REGISTRY_RUN = 45;
