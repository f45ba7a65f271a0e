/** When the registry last synced and warmed, the last error, and how far the sync of a large account got (one row). */
import type { SqlCounters } from '../shared/sql';

/** What the dashboard shows of the last scan. */
export interface GatewayScanState {
  /** where the next run resumes (`kind:id`), null when the last scan described every listed API */
  next: string | null;
  /** APIs known */
  apis: number;
  /** what kept the scan from seeing everything, as sentences: missing permissions above all */
  notes: string[];
}

export const EMPTY_GATEWAY_SCAN: GatewayScanState = { next: null, apis: 0, notes: [] };

/** How far the last sync got: a large account is read and applied over several runs (README "Registry"). */
export interface SyncProgress {
  /** functions read in the pass under way (or in the last complete pass), and whether that pass is complete */
  functionsListed: number;
  functionsComplete: boolean;
  /** SQS mappings of our account, and how many of them are applied to their queues */
  mappings: number;
  mappingsApplied: number;
  /** functions whose URL config was read at least once */
  urlConfigsChecked: number;
  /** API Gateway APIs known (HTTP and REST) */
  apis: number;
  /** outgoing calls the last run made, and its budget */
  subrequests: number;
  budget: number;
}

export interface SyncState {
  lastAttemptAt: number | null;
  lastSuccessAt: number | null;
  lastError: string | null;
  /** filled from the warming history when read (warming writes no sync-state row) */
  lastWarmAt: number | null;
  progress: SyncProgress | null;
  /** a ListFunctions pass spread over runs: the next page's marker and the names seen so far (deletions at its end) */
  functionPass: { marker: string | null; seen: string[] };
  /** the last function whose URL config the rotation reread (src/registry/url-configs.ts) */
  urlCursor: string | null;
  /** the API Gateway scan: where it resumes, and its notes (src/registry/gateway.ts) */
  apiGateway: GatewayScanState;
}

const EMPTY_STATE: SyncState = { lastAttemptAt: null, lastSuccessAt: null, lastError: null, lastWarmAt: null, progress: null, functionPass: { marker: null, seen: [] }, urlCursor: null, apiGateway: EMPTY_GATEWAY_SCAN };

export class SyncStateStore {
  constructor(private readonly sql: SqlCounters) {
    sql.exec('CREATE TABLE IF NOT EXISTS sync_state (id INTEGER PRIMARY KEY CHECK (id = 1), state TEXT NOT NULL)');
  }

  load(): SyncState {
    const row = this.sql.one('SELECT state FROM sync_state WHERE id = 1');
    if (!row) return structuredClone(EMPTY_STATE);
    // `raw` (the list calls' whole answers, Environment included) was stored by earlier versions: never read back.
    const { raw: _dropped, ...stored } = JSON.parse(row.state as string) as SyncState & { raw?: unknown };
    return { ...structuredClone(EMPTY_STATE), ...stored };
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
