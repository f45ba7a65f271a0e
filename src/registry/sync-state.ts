/** When the registry last synced and warmed, the last error, and the list calls' last good answers (one row). */
import type { AwsEventSourceMapping, AwsFunction } from '../lambda/types';
import type { SqlCounters } from '../shared/sql';

export interface SyncState {
  lastAttemptAt: number | null;
  lastSuccessAt: number | null;
  lastError: string | null;
  lastWarmAt: number | null;
  /** the last good answers of the list calls, for inspection on the dashboard */
  raw: { functions: AwsFunction[]; eventSourceMappings: AwsEventSourceMapping[] };
}

const EMPTY_STATE: SyncState = { lastAttemptAt: null, lastSuccessAt: null, lastError: null, lastWarmAt: null, raw: { functions: [], eventSourceMappings: [] } };

export class SyncStateStore {
  constructor(private readonly sql: SqlCounters) {
    sql.exec('CREATE TABLE IF NOT EXISTS sync_state (id INTEGER PRIMARY KEY CHECK (id = 1), state TEXT NOT NULL)');
  }

  load(): SyncState {
    const row = this.sql.one('SELECT state FROM sync_state WHERE id = 1');
    return row ? { ...EMPTY_STATE, ...(JSON.parse(row.state as string) as SyncState) } : structuredClone(EMPTY_STATE);
  }

  save(state: SyncState): void {
    this.sql.exec('INSERT INTO sync_state (id, state) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state', JSON.stringify(state));
  }

  /** Loads, changes and saves the state in one step. */
  update(change: (state: SyncState) => void): SyncState {
    const state = this.load();
    change(state);
    this.save(state);
    return state;
  }
}
