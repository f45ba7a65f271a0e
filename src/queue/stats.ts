/** This object instance's own activity, for /admin and benchmarks. */
import type { SqlCounters } from '../shared/sql';

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
