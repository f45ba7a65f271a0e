/** The registry's tables, each behind its store, and the read model the pages get from them. */
import type { GatewayApi } from '../lambda/api-gateway';
import type { SqlCounters } from '../shared/sql';
import { Catalog } from './catalog';
import { type FunctionRecord, FunctionStore } from './functions';
import { ApiStore } from './apis';
import { MappingStore, type SqsMapping } from './mappings';
import { byFunction, PingHistory, type PingView, type WarmDay } from './pings';
import { type SyncState, SyncStateStore } from './sync-state';

export interface RegistryStores {
  catalog: Catalog;
  functions: FunctionStore;
  mappings: MappingStore;
  apis: ApiStore;
  pings: PingHistory;
  syncState: SyncStateStore;
}

/** Creates the tables that are missing, on the object's one counting SQL handle. */
export function openStores(sql: SqlCounters): RegistryStores {
  return {
    catalog: new Catalog(sql),
    functions: new FunctionStore(sql),
    mappings: new MappingStore(sql),
    apis: new ApiStore(sql),
    pings: new PingHistory(sql),
    syncState: new SyncStateStore(sql),
  };
}

export interface RegistryState {
  sync: SyncState;
  /** pings: this function's results in the last RUNS_KEPT warming runs, oldest first */
  functions: (FunctionRecord & { pings: PingView[]; lastPing: PingView | null })[];
  mappings: SqsMapping[];
  apis: GatewayApi[];
  /** warming per UTC day and function (cold starts, init and billed durations), oldest first */
  warmDays: WarmDay[];
}

export function registryState(stores: RegistryStores): RegistryState {
  const recent = stores.pings.recent();
  const history = byFunction(recent);
  return {
    sync: { ...stores.syncState.load(), lastWarmAt: recent.at(-1)?.at ?? null },
    functions: stores.functions.all().map((f) => {
      const pings = history.get(f.name) ?? [];
      return { ...f, pings, lastPing: pings.at(-1) ?? null };
    }),
    mappings: stores.mappings.all(),
    apis: [...stores.apis.all().values()],
    warmDays: stores.pings.days(),
  };
}
