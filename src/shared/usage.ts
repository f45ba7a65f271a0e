/**
 * The usage meter: what one Durable Object spends of the Workers Free daily quotas, per UTC day, by activity.
 *
 * Billed units (https://developers.cloudflare.com/durable-objects/platform/pricing/): a request per RPC call and per
 * alarm run; rows read and written (the SQL cursors' counts, and each setAlarm()/deleteAlarm() is a row written);
 * duration, wall-clock time while the object is active, shared by the calls that overlap; reset at 00:00 UTC.
 * Subrequests per invocation are a per-invocation limit (https://developers.cloudflare.com/workers/platform/limits/).
 *
 * Counting is in memory only: the object persists the day's totals with writes it makes anyway (queue-side, the
 * delivery report row) or at most every SAVE_INTERVAL_MS while active, never once per message.
 */
import type { SqlCounters } from './sql';

export const ACTIVITIES = ['sends', 'deliveries', 'receives', 'cron sync', 'warming', 'pages', 'queue admin', 'metering'] as const;
export type Activity = (typeof ACTIVITIES)[number];

export interface Spend {
  requests: number;
  rowsRead: number;
  rowsWritten: number;
  /** wall time of this activity's calls; calls that overlap each count theirs */
  activeMs: number;
  /** SQS calls and page views that reached this object (one Worker request each: an estimate, see README) */
  workerRequests: number;
}

export interface DayUsage extends Spend {
  /** UTC day, YYYY-MM-DD */
  day: string;
  /** of rowsWritten: setAlarm() and deleteAlarm() calls */
  alarmWrites: number;
  /** the most outgoing calls one invocation made (Lambda, function URLs, other objects); an upper bound when calls overlap */
  maxSubrequests: number;
  activities: Partial<Record<Activity, Spend>>;
  /** when these figures were last persisted (0: never) */
  savedAt: number;
}

/** Persisted at most this often when no write carries the figures anyway. */
export const SAVE_INTERVAL_MS = 5 * 60_000;
export const DAY_MS = 86_400_000;

export const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** 00:00 UTC after `ms`: when Cloudflare resets the daily free-tier quotas. */
export const nextUtcMidnight = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS + DAY_MS;

/** Outgoing calls made by this isolate; invocations read the difference (shared by objects in one isolate). */
let subrequests = 0;
/** Called by each outgoing fetch and each call to another object. */
export function countSubrequest(): void {
  subrequests++;
}

const emptySpend = (): Spend => ({ requests: 0, rowsRead: 0, rowsWritten: 0, activeMs: 0, workerRequests: 0 });
const emptyDay = (day: string): DayUsage => ({ ...emptySpend(), day, alarmWrites: 0, maxSubrequests: 0, activities: {}, savedAt: 0 });

interface Invocation {
  activity: Activity;
  startedAt: number;
  subrequestsAtStart: number;
}

export class UsageMeter {
  /** this instance's own counts of today */
  #day: DayUsage;
  /** today's figures persisted by earlier instances */
  #base: DayUsage | null = null;
  readonly #open: Invocation[] = [];
  /** start of the current span of activity (some invocation open), or null while idle */
  #activeSince: number | null = null;
  #dirty = false;
  /**
   * The last save, or this instance's start: a save is due SAVE_INTERVAL_MS after either, so an object woken for one
   * message and evicted soon after never writes a row for its figures (they then live only in rows written anyway).
   */
  #savedAt: number;

  constructor(
    sql: SqlCounters,
    private readonly clock: () => number = Date.now,
  ) {
    this.#day = emptyDay(utcDay(clock()));
    this.#savedAt = clock();
    sql.onRows = (read, written) => this.#addRows(read, written);
  }

  /**
   * Takes the newest of the persisted figures of today (after a restart): they are the base this instance's own
   * counts are added to. Persisted figures of another day are past their reset and ignored.
   */
  restore(...saved: (DayUsage | undefined | null)[]): void {
    for (const candidate of saved) {
      if (!candidate || candidate.day !== this.#day.day || candidate.savedAt <= (this.#base?.savedAt ?? 0)) continue;
      this.#base = candidate;
    }
  }

  /**
   * An RPC call or an alarm run starts. `workerRequest`: the call is an SQS request or a page view. `requests`: what
   * it bills of the DO requests quota — 1 for a call or an alarm run, 1/20 for an incoming WebSocket message (the 20:1
   * ratio, https://developers.cloudflare.com/durable-objects/platform/pricing/), 0 for work the object does within a
   * call already counted (a parked long poll answered during a send).
   */
  begin(activity: Activity, workerRequest = false, requests = 1): Invocation {
    const now = this.clock();
    this.#rollDay(now);
    const invocation = { activity, startedAt: now, subrequestsAtStart: subrequests };
    if (this.#open.length === 0) this.#activeSince = now;
    this.#open.push(invocation);
    const spend = this.#spend(activity);
    spend.requests += requests;
    this.#day.requests += requests;
    if (workerRequest) {
      spend.workerRequests++;
      this.#day.workerRequests++;
    }
    this.#dirty = true;
    return invocation;
  }

  end(invocation: Invocation): void {
    const now = this.clock();
    const at = this.#open.indexOf(invocation);
    if (at >= 0) this.#open.splice(at, 1);
    this.#spend(invocation.activity).activeMs += now - invocation.startedAt;
    this.#day.maxSubrequests = Math.max(this.#day.maxSubrequests, subrequests - invocation.subrequestsAtStart);
    if (this.#open.length === 0 && this.#activeSince !== null) {
      // Before the day rolls, so a span across midnight counts (all of it) on the day it ends.
      this.#rollDay(now);
      this.#day.activeMs += now - this.#activeSince;
      this.#activeSince = null;
    }
  }

  /** Runs `work` as part of the current invocation but billed to `activity` (the meter's own saves). */
  as<T>(activity: Activity, work: () => T): T {
    const current = this.#open.at(-1);
    const saved = current?.activity;
    if (current) current.activity = activity;
    try {
      return work();
    } finally {
      if (current && saved) current.activity = saved;
    }
  }

  /** A setAlarm() or deleteAlarm(): one row written each. */
  alarmWrite(): void {
    this.#day.alarmWrites++;
    this.#addRows(0, 1);
  }

  /** Today's figures, active time included up to now. */
  snapshot(): DayUsage {
    const now = this.clock();
    this.#rollDay(now);
    const day = structuredClone(this.#day);
    if (this.#activeSince !== null) day.activeMs += now - this.#activeSince;
    if (this.#base) addDay(day, this.#base);
    return day;
  }

  /** The figures to persist now; marks them saved. */
  forSaving(): DayUsage {
    this.#savedAt = this.clock();
    this.#day.savedAt = this.#savedAt;
    this.#dirty = false;
    return this.snapshot();
  }

  /** Activity since the last save, and the last save older than SAVE_INTERVAL_MS. */
  saveDue(): boolean {
    return this.#dirty && this.clock() - this.#savedAt >= SAVE_INTERVAL_MS;
  }

  #addRows(read: number, written: number): void {
    if (read === 0 && written === 0) return;
    this.#rollDay(this.clock());
    this.#day.rowsRead += read;
    this.#day.rowsWritten += written;
    // Rows go to the invocation that began last and is still open: exact when calls do not overlap.
    const spend = this.#spend(this.#open.at(-1)?.activity ?? 'queue admin');
    spend.rowsRead += read;
    spend.rowsWritten += written;
    this.#dirty = true;
  }

  #spend(activity: Activity): Spend {
    const activities = this.#day.activities;
    activities[activity] ??= emptySpend();
    return activities[activity];
  }

  #rollDay(now: number): void {
    const today = utcDay(now);
    if (today === this.#day.day) return;
    this.#day = emptyDay(today);
    this.#base = null;
    if (this.#activeSince !== null) this.#activeSince = Math.max(this.#activeSince, Math.floor(now / DAY_MS) * DAY_MS);
  }

}

const SPEND_KEYS = ['requests', 'rowsRead', 'rowsWritten', 'activeMs', 'workerRequests'] as const;

/** Adds `other`'s counts into `day` (same UTC day). */
function addDay(day: DayUsage, other: DayUsage): void {
  for (const key of SPEND_KEYS) day[key] += other[key];
  day.alarmWrites += other.alarmWrites;
  day.maxSubrequests = Math.max(day.maxSubrequests, other.maxSubrequests);
  for (const [name, spend] of Object.entries(other.activities) as [Activity, Spend][]) {
    const into = (day.activities[name] ??= emptySpend());
    for (const key of SPEND_KEYS) into[key] += spend[key];
  }
}

/** The meter of each metered object, for the method wrappers below (the objects keep theirs private). */
const meters = new WeakMap<object, UsageMeter>();
export const attachMeter = (object: object, meter: UsageMeter) => meters.set(object, meter);
export const meterOf = (object: object) => meters.get(object);

/**
 * How each method is billed: its activity, whether a call is one Worker request (an SQS call or a page), and the DO
 * requests it bills (default 1; an incoming WebSocket message 1/20).
 */
export type MeteredMethods = Record<string, readonly [Activity, boolean?, number?]>;

/**
 * Wraps methods of a Durable Object class so each call is counted as one request of its activity, timed, and
 * followed by a save of the figures when one is due (`save`, given the object, persists them; its failure, say at
 * a quota, never fails the call).
 */
export function meterMethods(cls: { prototype: object }, methods: MeteredMethods, save?: (object: object, meter: UsageMeter) => void): void {
  const proto = cls.prototype as Record<string, (...args: unknown[]) => unknown>;
  for (const [name, [activity, workerRequest, requests]] of Object.entries(methods)) {
    const original = proto[name];
    proto[name] = async function (this: object, ...args: unknown[]) {
      const meter = meterOf(this);
      const invocation = meter?.begin(activity, workerRequest, requests);
      try {
        return await original.apply(this, args);
      } finally {
        if (meter && invocation) {
          if (save && meter.saveDue()) saveQuietly(() => meter.as('metering', () => save(this, meter)));
          meter.end(invocation);
        }
      }
    };
  }
}

function saveQuietly(save: () => void): void {
  try {
    save();
  } catch (error) {
    console.warn('sqsflare: usage figures not saved:', (error as Error).message);
  }
}
