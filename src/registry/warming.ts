/**
 * Keeps function URLs warm: GET each URL (N times for `[sqsflare:warm=N]`) with bounded parallelism and a timeout.
 * Requests carry `x-sqsflare-warmer: 1` so a handler can answer them without doing real work.
 */
import type { Env } from '../env';
import { fetchFunctionUrl, hasLambdaCredentials, isTimeout } from '../lambda/client';
import { SIMULTANEOUS_CONNECTIONS } from '../shared/platform';
import type { FunctionRecord } from './functions';
import type { PingResult } from './pings';
import type { RegistryStores } from './stores';

export const MAX_PARALLEL_PINGS = SIMULTANEOUS_CONNECTIONS;
export const MAX_PINGS_PER_RUN = 40;
export const PING_TIMEOUT_MS = 5_000;
/** A ping slower than this and than 3× the function's usual latency probably met a cold start. */
export const COLD_START_FLOOR_MS = 1_000;

export interface PingTarget {
  functionName: string;
  url: string;
  authType: string | null;
  /** median latency of earlier successful pings, if any */
  usualLatencyMs: number | null;
}

export interface WarmOptions {
  concurrency?: number;
  timeoutMs?: number;
  /** the run's timestamp, stored as each ping's `at`; latency is measured with the clock regardless */
  now?: number;
  /** a lower cap than MAX_PINGS_PER_RUN, when the caller has spent part of the subrequest budget already */
  maxPings?: number;
}

export function coldStartLikely(latencyMs: number, usualLatencyMs: number | null): boolean {
  return latencyMs > Math.max(COLD_START_FLOOR_MS, 3 * (usualLatencyMs ?? 0));
}

/** Every function URL that wants warming, once per instance to keep warm. */
export function warmTargets(stores: RegistryStores, functions: FunctionRecord[] = stores.functions.all()): PingTarget[] {
  return functions
    .filter((f) => f.url && f.warm.enabled)
    .flatMap((f) => {
      const usual = stores.pings.medianLatency(f.name);
      return Array.from({ length: f.warm.instances }, () => ({ functionName: f.name, url: f.url as string, authType: f.authType, usualLatencyMs: usual }));
    });
}

/** Pings the targets the stored functions want (at most `maxPings`), records the results and the run's time. */
export async function warmAndRecord(env: Env, stores: RegistryStores, now: number, maxPings: number): Promise<PingResult[]> {
  const functions = stores.functions.all();
  const { results, skipped } = await warmFunctionUrls(env, warmTargets(stores, functions), { now, maxPings });
  if (skipped) console.warn(`sqsflare: ${skipped} warming pings over this run's cap were skipped`);
  stores.pings.record(results);
  // The last ping also goes into the function's row, so the index reads one row per function (src/registry/index-view.ts).
  const last = new Map(results.map(({ functionName, ...ping }) => [functionName, ping]));
  for (const f of functions) {
    const ping = last.get(f.name);
    if (ping) stores.functions.put({ ...f, lastPing: ping }, f);
  }
  stores.syncState.update((state) => {
    state.lastWarmAt = now;
  });
  return results;
}

export async function warmFunctionUrls(env: Env, targets: PingTarget[], options: WarmOptions = {}): Promise<{ results: PingResult[]; skipped: number }> {
  const concurrency = Math.max(1, Math.min(MAX_PARALLEL_PINGS, options.concurrency ?? MAX_PARALLEL_PINGS));
  const timeoutMs = options.timeoutMs ?? PING_TIMEOUT_MS;
  const queue = targets.slice(0, Math.max(0, Math.min(MAX_PINGS_PER_RUN, options.maxPings ?? MAX_PINGS_PER_RUN)));
  const results: PingResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < queue.length) {
      const target = queue[next++];
      results.push(await ping(env, target, timeoutMs, options.now));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
  return { results, skipped: targets.length - queue.length };
}

async function ping(env: Env, target: PingTarget, timeoutMs: number, runAt: number | undefined): Promise<PingResult> {
  const started = Date.now();
  const base = { functionName: target.functionName, at: runAt ?? started };
  const iamAuth = target.authType === 'AWS_IAM';
  if (iamAuth && !hasLambdaCredentials(env)) return { ...base, status: null, latencyMs: null, error: 'AWS_IAM URL but no AWS credentials to sign with', coldStartLikely: false };
  try {
    const response = await fetchFunctionUrl(env, target.url, { iamAuth, headers: { 'x-sqsflare-warmer': '1' }, timeoutMs });
    await response.body?.cancel();
    // Workers' clock advances across I/O, which is what a round trip is.
    const latencyMs = Date.now() - started;
    const error = response.status >= 500 ? `HTTP ${response.status}` : response.status === 403 ? 'HTTP 403 (check AuthType / signing)' : response.status === 404 ? 'HTTP 404 (no such function URL)' : undefined;
    return { ...base, status: response.status, latencyMs, error, coldStartLikely: !error && coldStartLikely(latencyMs, target.usualLatencyMs) };
  } catch (e) {
    const error = isTimeout(e) ? `timed out after ${timeoutMs} ms` : (e as Error).message;
    return { ...base, status: null, latencyMs: null, error, coldStartLikely: false };
  }
}
