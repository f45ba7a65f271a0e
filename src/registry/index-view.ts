/**
 * What the public index shows (GET /, /index.json), and nothing else: no ARNs, no mappings, no ping history. The
 * registry keeps it in memory and builds it again only after a sync or a warming run changed the registry, so a
 * crawler hitting GET / reads no SQLite rows; a rebuild reads one row per function and per API, the sync state's row
 * and the warming ring (at most RUNS_KEPT rows) for each function's last ping.
 */
import type { GatewayApi } from '../lambda/api-gateway';
import type { PingView } from './pings';
import type { RegistryStores } from './stores';

export interface IndexFunction {
  name: string;
  url: string | null;
  authType: string | null;
  description: string;
  runtime: string;
  lastModified: string;
  /** how it is kept warm: URL pings, direct invokes, or not at all */
  warming: 'url' | 'invoke' | null;
  lastPing: PingView | null;
}

/** An API Gateway API as the index shows it: its stages' URLs and the functions behind it. */
export type IndexApi = Pick<GatewayApi, 'kind' | 'name' | 'stages' | 'functions' | 'routes' | 'private'>;

export interface IndexView {
  lastSyncAt: number | null;
  functions: IndexFunction[];
  apis: IndexApi[];
}

export function buildIndexView(stores: RegistryStores): IndexView {
  const last = new Map<string, PingView>();
  for (const { functionName, ...ping } of stores.pings.recent()) last.set(functionName, ping);
  const functions = stores.functions.all().map((f) => ({
    name: f.name,
    url: f.url,
    authType: f.authType,
    description: f.description,
    runtime: f.runtime,
    lastModified: f.lastModified,
    warming: !f.warm.enabled ? null : f.url ? ('url' as const) : f.warm.explicit ? ('invoke' as const) : null,
    lastPing: last.get(f.name) ?? null,
  }));
  const apis = [...stores.apis.all().values()].map(({ kind, name, stages, functions, routes, private: isPrivate }) => ({
    kind,
    name,
    stages,
    functions,
    routes,
    ...(isPrivate ? { private: isPrivate } : {}),
  }));
  return { lastSyncAt: stores.syncState.load().lastSuccessAt, functions, apis };
}
