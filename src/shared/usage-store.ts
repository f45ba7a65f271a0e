/**
 * Where an object keeps its usage figures when no other write carries them: one row, written at most every
 * SAVE_INTERVAL_MS of activity (src/shared/usage.ts). The table is created on first save, so an object that never
 * saves (and one whose storage was wiped by deleteAll) costs nothing here.
 */
import type { SqlCounters } from './sql';
import { attachMeter, type DayUsage, type MeteredMethods, meterMethods, UsageMeter } from './usage';

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

const stores = new WeakMap<object, UsageStore>();

/** The meter of a Durable Object, counting the rows of its SQL handle, with the row its figures are saved in. */
export function meterObject(object: object, sql: SqlCounters): UsageMeter {
  const meter = new UsageMeter(sql);
  attachMeter(object, meter);
  stores.set(object, new UsageStore(sql));
  return meter;
}

/** The figures `object` saved last in its own row (meterObject), if any. */
export const savedUsage = (object: object): DayUsage | null => stores.get(object)?.load() ?? null;

/** Wraps a metered class's methods (call once, after rpcSafe): a save due after a call goes to the object's row. */
export function meterStoredMethods(cls: { prototype: object }, methods: MeteredMethods): void {
  meterMethods(cls, methods, (object, meter) => stores.get(object)?.save(meter.forSaving()));
}
