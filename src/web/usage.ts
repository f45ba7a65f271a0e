/**
 * "Usage today": the Workers Free daily quotas against what the objects counted (src/shared/usage.ts), projected
 * to the end of the UTC day, by queue and by activity. Built from the answers the overview reads anyway (the
 * registry's state and each shown queue's stats), so showing it costs no extra call.
 *
 * Allowances, Workers Free, per account per day, reset 00:00 UTC:
 * https://developers.cloudflare.com/durable-objects/platform/pricing/ (requests, rows, duration) and
 * https://developers.cloudflare.com/workers/platform/pricing/ (Worker requests); 50 subrequests per invocation:
 * https://developers.cloudflare.com/workers/platform/limits/#subrequests
 */
import { SUBREQUESTS_PER_INVOCATION } from '../shared/platform';
import { ACTIVITIES, type Activity, DAY_MS, type DayUsage, nextUtcMidnight, type Spend, utcDay } from '../shared/usage';
import type { QueueSummary } from './views';

/** Duration is billed per GB-s at the object's 128 MB, whatever it uses: GB-s = active seconds × 0.125. */
export const GB_PER_OBJECT = 0.125;
/** A projection from the first minutes of a day would swing wildly: the rate is taken over at least this long. */
const MIN_ELAPSED_FOR_RATE_MS = 15 * 60_000;

export const FREE_ALLOWANCES = {
  doRequests: 100_000,
  rowsWritten: 100_000,
  rowsRead: 5_000_000,
  durationGbSeconds: 13_000,
  workerRequests: 100_000,
} as const;
type QuotaKey = keyof typeof FREE_ALLOWANCES;

export interface QuotaBar {
  key: QuotaKey;
  label: string;
  used: number;
  allowance: number;
  /** at today's rate so far, by 00:00 UTC */
  projected: number;
  /** counted exactly (for the objects read) or estimated */
  estimate: boolean;
  note: string;
}

export interface SpendRow extends Spend {
  /** GB-s of duration: activeMs / 1000 × 0.125 */
  gbSeconds: number;
}

export interface UsageView {
  day: string;
  at: string;
  resetAt: string;
  quotas: QuotaBar[];
  /** the registry first, then the queues read, most rows written first */
  objects: (SpendRow & { name: string; maxSubrequests: number; alarmWrites: number })[];
  activities: (SpendRow & { activity: Activity })[];
  maxSubrequests: { used: number; limit: number };
  /** what the figures cover, and what gathering them cost */
  coverage: { queuesRead: number; more: boolean; unreadable: string[]; doRequestsForThisLook: number };
  notes: string[];
}

const gbSeconds = (activeMs: number) => (activeMs / 1000) * GB_PER_OBJECT;
const row = (spend: Spend): SpendRow => ({ ...spend, gbSeconds: gbSeconds(spend.activeMs) });

/** The usage of today from the registry's figures and the queues' summaries (those read carry `usage`). */
export function usageView(registry: DayUsage | undefined, queues: QueueSummary[], more: boolean, now = Date.now()): UsageView {
  const today = utcDay(now);
  const named = [{ name: 'registry (cron, pages)', usage: registry }, ...queues.map((q) => ({ name: q.name, usage: q.usage }))].filter(
    (o): o is { name: string; usage: DayUsage } => o.usage?.day === today,
  );
  const total = sum(named.map((o) => o.usage));
  const elapsed = Math.max(MIN_ELAPSED_FOR_RATE_MS, now - Math.floor(now / DAY_MS) * DAY_MS);
  const project = (used: number) => Math.round((used * DAY_MS) / elapsed);
  const bar = (key: QuotaKey, label: string, used: number, estimate: boolean, note: string): QuotaBar => ({
    key,
    label,
    used,
    allowance: FREE_ALLOWANCES[key],
    projected: project(used),
    estimate,
    note,
  });
  const maxSubrequests = Math.max(0, ...named.map((o) => o.usage.maxSubrequests));
  return {
    day: today,
    at: new Date(now).toISOString(),
    resetAt: new Date(nextUtcMidnight(now)).toISOString(),
    quotas: [
      bar('doRequests', 'Durable Object requests', total.requests, false, 'each RPC call and each alarm run'),
      bar('rowsWritten', 'Rows written', total.rowsWritten, false, `SQL rows plus ${total.alarmWrites} setAlarm/deleteAlarm calls`),
      bar('rowsRead', 'Rows read', total.rowsRead, false, 'SQL cursor counts'),
      bar('durationGbSeconds', 'Duration (GB-s)', round(gbSeconds(total.activeMs)), true, 'wall time of calls and alarm runs × 128 MB'),
      bar('workerRequests', 'Worker requests', total.workerRequests, true, 'SQS calls and page views, counted where they arrive'),
    ],
    objects: named
      .map((o) => ({ name: o.name, ...row(o.usage), maxSubrequests: o.usage.maxSubrequests, alarmWrites: o.usage.alarmWrites }))
      .sort((a, b) => (a.name.startsWith('registry') ? -1 : b.name.startsWith('registry') ? 1 : b.rowsWritten - a.rowsWritten)),
    activities: ACTIVITIES.map((activity) => ({ activity, ...row(sumSpend(named.map((o) => o.usage.activities[activity]))) })).filter(
      (a) => a.requests + a.rowsWritten + a.rowsRead > 0,
    ),
    maxSubrequests: { used: maxSubrequests, limit: SUBREQUESTS_PER_INVOCATION },
    coverage: {
      queuesRead: queues.filter((q) => q.usage).length,
      more,
      unreadable: queues.filter((q) => q.error).map((q) => q.name),
      // registryState, queues, and one stats call per queue shown: the overview's own reads.
      doRequestsForThisLook: 2 + queues.length,
    },
    notes: [
      'Counted by the objects themselves and kept in memory; persisted with writes that happen anyway (the delivery report) or at most every 5 minutes of activity. An object evicted before saving loses its last minutes of figures: the totals can be a little low.',
      'Duration and Worker requests are estimates; the invoker objects (MaximumConcurrency above 6) are not counted.',
      "The account's quotas are shared with every other Worker on it: Cloudflare's dashboard has the account's own figures.",
    ],
  };
}

function sumSpend(spends: (Spend | undefined)[]): Spend {
  const out: Spend = { requests: 0, rowsRead: 0, rowsWritten: 0, activeMs: 0, workerRequests: 0 };
  for (const s of spends) {
    if (!s) continue;
    out.requests += s.requests;
    out.rowsRead += s.rowsRead;
    out.rowsWritten += s.rowsWritten;
    out.activeMs += s.activeMs;
    out.workerRequests += s.workerRequests;
  }
  return out;
}

function sum(days: DayUsage[]): Spend & { alarmWrites: number } {
  return { ...sumSpend(days), alarmWrites: days.reduce((n, d) => n + d.alarmWrites, 0) };
}

const round = (n: number) => Math.round(n * 100) / 100;
