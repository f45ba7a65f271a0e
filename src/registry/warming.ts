/**
 * Keeps functions warm. A function with a URL: GET the URL (N times for `[sqsflare:warm=N]`) with bounded parallelism
 * and a timeout; requests carry `x-sqsflare-warmer: 1` so a handler can answer them without doing real work, and a cold
 * start is guessed from latency. A function without a URL that asks for it (`[sqsflare:warm]`, `[sqsflare:warm=N]`):
 * N direct Invokes at once with serverless-plugin-warmup's payload, whose log tail measures cold starts exactly
 * (src/lambda/warmup.ts). Each run's results are stored as one ring row and one day row (src/registry/pings.ts).
 */
import type { Env } from '../env';
import { fetchFunctionUrl, hasLambdaCredentials, isTimeout } from '../lambda/client';
import { PageBudget } from '../lambda/list';
import { invokeForWarmup, type WarmupResult } from '../lambda/warmup';
import { SIMULTANEOUS_CONNECTIONS } from '../shared/platform';
import type { FunctionRecord } from './functions';
import { medianLatencies, type PingResult } from './pings';
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
export function warmTargets(functions: FunctionRecord[], usual: Map<string, number> = new Map()): PingTarget[] {
  return functions
    .filter((f) => f.url && f.warm.enabled)
    .flatMap((f) => Array.from({ length: f.warm.instances }, () => ({ functionName: f.name, url: f.url as string, authType: f.authType, usualLatencyMs: usual.get(f.name) ?? null })));
}

/** Functions without a URL that ask for warming: warmed by direct Invoke. */
export const invokeTargets = (functions: FunctionRecord[]) => functions.filter((f) => !f.url && f.warm.enabled && f.warm.explicit);

/** Calls one warming run wants: a ping per URL instance, an Invoke per instance of the others. */
export const warmDemand = (functions: FunctionRecord[]) => warmTargets(functions).length + invokeTargets(functions).reduce((n, f) => n + f.warm.instances, 0);

/** Warms what the stored functions want (at most `maxCalls` calls), records the run as one ring row and one day row. */
export async function warmAndRecord(env: Env, stores: RegistryStores, now: number, maxCalls: number): Promise<PingResult[]> {
  const functions = stores.functions.all();
  const targets = warmTargets(functions, medianLatencies(stores.pings.recent()));
  const cap = Math.max(0, Math.min(MAX_PINGS_PER_RUN, maxCalls));
  const { results, skipped } = await warmFunctionUrls(env, targets, { now, maxPings: cap });
  const budget = new PageBudget(Math.max(0, cap - results.length));
  let notInvoked = 0;
  for (const fn of invokeTargets(functions)) {
    if (budget.remaining < 1) {
      notInvoked += fn.warm.instances;
      continue;
    }
    const warmed = await invokeForWarmup(env, fn.name, fn.warm.instances, budget);
    results.push(...invocationResults(warmed, now));
    notInvoked += warmed.skipped;
  }
  if (skipped + notInvoked) console.warn(`sqsflare: ${skipped + notInvoked} warming calls over this run's cap were skipped`);
  stores.pings.record(now, results);
  return results;
}

/** Each warming invocation as a stored result: measured cold start (Init Duration) and billed duration from REPORT. */
export function invocationResults(warmed: WarmupResult, at: number): PingResult[] {
  return warmed.invocations.map((i) => ({
    functionName: warmed.functionName,
    at,
    via: 'invoke' as const,
    status: i.status ?? null,
    latencyMs: i.roundTripMs,
    coldStartLikely: i.coldStart,
    ...(i.report?.initDurationMs !== undefined ? { initDurationMs: i.report.initDurationMs } : {}),
    ...(i.report ? { billedDurationMs: i.report.billedDurationMs } : {}),
    ...(i.kind !== 'ok' ? { error: i.error ?? i.kind } : {}),
  }));
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
