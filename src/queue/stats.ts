/** A queue's look for /admin and benchmarks (`stats`), and this object instance's own activity. */
import type { Delivery } from '../delivery/delivery';
import type { Env } from '../env';
import { queueArn } from '../shared/names';
import type { SqlCounters } from '../shared/sql';
import type { UsageMeter } from '../shared/usage';
import { isFifo, type QueueConfig } from './config';
import { retentionCutoff } from './retention';
import type { MessageStore } from './store';

/** The parts of a queue object its look reads. */
export interface StatsParts {
  env: Env;
  sql: SqlCounters;
  store: MessageStore;
  alarmAt: number | null;
  delivery: Delivery;
  instance: InstanceStats;
  meter: UsageMeter;
}

export function queueStats(config: QueueConfig, q: StatsParts, now: number) {
  const rowsBeforeThisLook = q.sql.totals(); // so a look does not count itself
  const counts = q.store.counts(now, retentionCutoff(config, now));
  const oldest = q.store.oldestSentAt(retentionCutoff(config, now));
  return {
    name: config.name,
    arn: queueArn(q.env, config.name),
    fifo: isFifo(config),
    attributes: config.attributes,
    ...counts,
    oldestMessageAgeSeconds: oldest ? Math.floor((now - oldest) / 1000) : null,
    alarmAt: q.alarmAt,
    mapping: q.delivery.mapping,
    delivery: q.delivery.report(),
    instance: q.instance.snapshot(rowsBeforeThisLook, q.delivery.reportRowsWritten),
    usage: q.meter.snapshot(),
  };
}

/** Kept in memory: a restart begins at zero, so benchmarks can tell an eviction apart. */
export class InstanceStats {
  readonly startedAt = Date.now();
  alarmRuns = 0;
  #startupRows = { rowsRead: 0, rowsWritten: 0 };

  /** Rows read and written while starting (the schema, the config) are not the instance's work. */
  started(sql: SqlCounters): void {
    this.#startupRows = sql.totals();
  }

  /** `rows`: the SQL totals taken before the look that asks, so a look does not count itself. */
  snapshot(rows: { rowsRead: number; rowsWritten: number }, reportRowsWritten: number) {
    return {
      startedAt: this.startedAt,
      alarmRuns: this.alarmRuns,
      rowsRead: rows.rowsRead - this.#startupRows.rowsRead,
      rowsWritten: rows.rowsWritten - this.#startupRows.rowsWritten,
      reportRowsWritten,
    };
  }
}
