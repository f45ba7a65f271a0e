/**
 * Where an object keeps its usage figures when no other write carries them: one row, written at most every
 * SAVE_INTERVAL_MS of activity (src/shared/usage.ts). The table is created on first save, so an object that never
 * saves (and one whose storage was wiped by deleteAll) costs nothing here.
 */
import type { SqlCounters } from './sql';
import type { DayUsage } from './usage';

export class UsageStore {
  constructor(private readonly sql: SqlCounters) {}

  load(): DayUsage | null {
    const exists = this.sql.one("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'usage_meter'");
    if (!exists) return null;
    const row = this.sql.one('SELECT value FROM usage_meter WHERE id = 1');
    return row ? (JSON.parse(row.value as string) as DayUsage) : null;
  }

  save(day: DayUsage): void {
    this.sql.exec('CREATE TABLE IF NOT EXISTS usage_meter (id INTEGER PRIMARY KEY CHECK (id = 1), value TEXT NOT NULL)');
    this.sql.exec('INSERT OR REPLACE INTO usage_meter (id, value) VALUES (1, ?)', JSON.stringify(day));
  }
}
