/**
 * What the public index shows (GET /, /index.json), and nothing else: no ARNs, no mappings, no ping history. The
 * registry keeps it in memory and builds it again only after a sync or a warming run changed the registry, so a
 * crawler hitting GET / reads no SQLite rows, and a rebuild reads one row per function plus the sync state's row.
 */
import type { PingView } from './pings';
import type { RegistryStores } from './stores';

export interface IndexFunction {
  name: string;
  url: string | null;
  authType: string | null;
  description: string;
  runtime: string;
  lastModified: string;
  lastPing: PingView | null;
}

export interface IndexView {
  lastSyncAt: number | null;
  functions: IndexFunction[];
}

export function buildIndexView(stores: RegistryStores): IndexView {
  const functions = stores.functions.all().map((f) => ({
    name: f.name,
    url: f.url,
    authType: f.authType,
    description: f.description,
    runtime: f.runtime,
    lastModified: f.lastModified,
    lastPing: f.lastPing,
  }));
  return { lastSyncAt: stores.syncState.load().lastSuccessAt, functions };
}
