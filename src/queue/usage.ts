/**
 * The queue object's metering and its behaviour at a quota. Which activity each RPC method bills to, where the
 * day's figures are kept (folded into the delivery report row, which delivery writes anyway, else one row at most
 * every 5 minutes of activity), and what an alarm does when the platform refuses work at an exhausted quota.
 */
import { isQuotaError, quotaName } from '../shared/quota';
import type { DayUsage, MeteredMethods, UsageMeter } from '../shared/usage';
import { nextUtcMidnight } from '../shared/usage';
import { meterObject, meterStoredMethods, savedUsage } from '../shared/usage-store';
import type { AlarmClock } from './alarm';

/**
 * Activity per method; `true`: a call is one Worker request (the SQS call or page that made it). Calls from the
 * cron (create, setMapping) and second calls of one SQS action (exists before another) are not.
 */
export const QUEUE_METHODS: MeteredMethods = {
  send: ['sends', true],
  moveIn: ['sends'],
  receive: ['receives', true],
  // A long poll: the upgrade is one request; each incoming WebSocket message or close bills 1/20 of one
  // (https://developers.cloudflare.com/durable-objects/platform/pricing/, footnote 2: the 20:1 ratio).
  fetch: ['receives', true],
  webSocketMessage: ['receives', false, 1 / 20],
  webSocketClose: ['receives', false, 1 / 20],
  deleteMessages: ['receives', true],
  changeVisibility: ['receives', true],
  alarm: ['deliveries'],
  wake: ['deliveries'],
  setMapping: ['cron sync'],
  getMapping: ['cron sync'],
  stats: ['pages'],
  peek: ['pages', true],
  create: ['queue admin', true],
  exists: ['queue admin', true],
  deleteQueue: ['queue admin', true],
  getAttributes: ['queue admin', true],
  setAttributes: ['queue admin', true],
  tag: ['queue admin', true],
  untag: ['queue admin', true],
  listTags: ['queue admin', true],
  purge: ['queue admin', true],
  startMoveTask: ['queue admin', true],
  listMoveTasks: ['queue admin', true],
  cancelMoveTask: ['queue admin', true],
};

/** The meter of one queue object, counting the rows of its SQL handle. */
export const meterQueue = meterObject;

/** After a start: the newest of the figures in the report row and in the meter's own row. */
export function restoreUsage(object: object, meter: UsageMeter, deliveryState: [string, unknown][]): void {
  const report = deliveryState.find(([key]) => key === 'report')?.[1] as { usage?: DayUsage } | undefined;
  meter.restore(report?.usage, savedUsage(object));
}

/** The delivery report as saved: with the day's figures in it, at no extra row. */
export function withUsage(key: string, value: unknown, meter: UsageMeter): unknown {
  return key === 'report' && value && typeof value === 'object' ? { ...value, usage: meter.forSaving() } : value;
}

/** Wraps the queue class's methods (call once, after rpcSafe). */
export function meterQueueMethods(cls: { prototype: object }): void {
  meterStoredMethods(cls, QUEUE_METHODS);
}

/** A minute past the reset, so the first run of the day does not race it. */
const AFTER_RESET_MS = 60_000;

/**
 * An alarm run refused at a quota. Messages stay stored (nothing is deleted that was not delivered), so the run
 * comes back after the daily reset: an alarm at 00:01 UTC when the platform still accepts setAlarm() (the quota is
 * rows read, duration or requests), and the run returns normally so the runtime does not burn its six retries. When
 * setAlarm() is refused too (rows written, each setAlarm() is one), the error is thrown: the runtime retries the
 * alarm with backoff, and the first call after the reset (a send, a receive, the cron's daily wake) re-arms it.
 */
export async function alarmAtQuota(error: unknown, alarm: AlarmClock, now = Date.now()): Promise<void> {
  if (!isQuotaError(error)) throw error;
  console.warn(`sqsflare: delivery paused until 00:00 UTC: daily ${quotaName(error)} quota used up`);
  await alarm.setAt(nextUtcMidnight(now) + AFTER_RESET_MS);
}
