/** The registry's tables, each behind its store, and the read model the pages get from them. */
import type { SqlCounters } from '../shared/sql';
import { Catalog } from './catalog';
import { type FunctionRecord, FunctionStore } from './functions';
import { MappingStore, type SqsMapping } from './mappings';
import { PingHistory, type PingView } from './pings';
import { type SyncState, SyncStateStore } from './sync-state';

export interface RegistryStores {
  catalog: Catalog;
  functions: FunctionStore;
  mappings: MappingStore;
  pings: PingHistory;
  syncState: SyncStateStore;
}

/** Creates the tables that are missing, on the object's one counting SQL handle. */
export function openStores(sql: SqlCounters): RegistryStores {
  return {
    catalog: new Catalog(sql),
    functions: new FunctionStore(sql),
    mappings: new MappingStore(sql),
    pings: new PingHistory(sql),
    syncState: new SyncStateStore(sql),
  };
}

export interface RegistryState {
  sync: SyncState;
  /** pings: the last PINGS_KEPT_PER_FUNCTION, oldest first */
  functions: (FunctionRecord & { pings: PingView[]; lastPing: PingView | null })[];
  mappings: SqsMapping[];
}

export function registryState(stores: RegistryStores): RegistryState {
  return {
    sync: stores.syncState.load(),
    functions: stores.functions.all().map((f) => {
      const pings = stores.pings.of(f.name);
      return { ...f, pings, lastPing: pings.at(-1) ?? null };
    }),
    mappings: stores.mappings.all(),
  };
}
