/** What delivery did, for the dashboard and benchmarks: counters and the last invocations. */

import { SAVE_INTERVAL_MS } from '../shared/usage';

const LOG_SIZE = 50;
// The log and counters (and the day's usage figures, src/queue/usage.ts) are persisted at most every
// SAVE_INTERVAL_MS (5 minutes): they are diagnostics, not messages, and live figures come from memory. Every 10 s, as
// before, cost a billed row per delivery whenever deliveries were 10 s apart (5 rows per single message instead of 4)
// and up to 8,640 rows a day per busy queue, 8.6 % of Workers Free's rows written; every 5 minutes is at most 288.
// An object evicted before its next save loses at most those minutes of log, as the meter already does.

export interface DeliveryLogEntry {
  at: number;
  functionArn: string;
  messages: number;
  payloadBytes: number;
  durationMs: number;
  /** 'split': an asynchronous call refused as too large (413), its records handed over again in smaller calls */
  outcome: 'success' | 'partial' | 'function-error' | 'throttled' | 'failed' | 'filtered' | 'split';
  /** 'Event': an asynchronous invocation; success means Lambda accepted the event (202), not that the function ran */
  invocationType?: 'Event';
  status?: number;
  error?: string;
  /** due time of the oldest message in the batch: lateness = at - dueAt */
  dueAt: number;
}

export interface DeliveryCounters {
  invocations: number;
  failures: number;
  throttles: number;
  deadLettered: number;
  delivered: number;
  filtered: number;
  alarmRuns: number;
}

/** The saved shape (delivery_state key `report`). */
export interface SavedReport {
  log: DeliveryLogEntry[];
  counters: DeliveryCounters;
}

export class DeliveryReport {
  log: DeliveryLogEntry[] = [];
  counters: DeliveryCounters = emptyCounters();
  /** from the start, as the meter counts (src/shared/usage.ts): a start alone writes nothing, even when idle objects are evicted between messages */
  #savedAt = Date.now();
  /** Report rows written by this instance: benchmarks tell them apart from the rows that messages cost. */
  rowsWritten = 0;

  restore(saved: SavedReport): void {
    this.log = saved.log;
    this.counters = { ...emptyCounters(), ...saved.counters };
  }

  reset(): void {
    this.log = [];
    this.counters = emptyCounters();
  }

  record(entry: DeliveryLogEntry): void {
    this.log.push(entry);
    if (this.log.length > LOG_SIZE) this.log.splice(0, this.log.length - LOG_SIZE);
  }

  /** Hands the report to `save` unless it was saved within the interval. */
  saveIfDue(save: (report: SavedReport) => void): void {
    const now = Date.now();
    if (now - this.#savedAt < SAVE_INTERVAL_MS) return;
    this.#savedAt = now;
    this.rowsWritten++;
    save({ log: this.log, counters: this.counters });
  }

  /** Newest entry first. */
  snapshot(inFlight: number) {
    return { counters: { ...this.counters }, log: [...this.log].reverse(), inFlight };
  }
}

function emptyCounters(): DeliveryCounters {
  return { invocations: 0, failures: 0, throttles: 0, deadLettered: 0, delivered: 0, filtered: 0, alarmRuns: 0 };
}
