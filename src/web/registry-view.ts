/** Reads the registry's state into the pages' shapes. */
import type { Env } from '../env';
import type { SyncStatus } from './admin-pages';
import type { FunctionView } from './views';
import { registryObject } from '../shared/rpc';

export async function loadFunctions(env: Env): Promise<{ functions: FunctionView[]; sync: SyncStatus }> {
  const state = await registryObject(env).registryState();
  const functions = state.functions.map(
    (fn): FunctionView => ({
      name: fn.name,
      arn: fn.arn,
      description: fn.description,
      runtime: fn.runtime,
      lastModified: fn.lastModified,
      url: fn.url ?? undefined,
      authType: fn.authType ?? undefined,
      warming: fn.warm.enabled ? `${fn.warm.instances} instance${fn.warm.instances === 1 ? '' : 's'}` : 'off',
      lastPing: fn.pings.at(-1),
      pings: fn.pings.map((p) => ({ at: p.at, latencyMs: p.latencyMs, ok: p.status !== null && p.status < 500 && !p.error })),
    }),
  );
  return { functions, sync: state.sync };
}
