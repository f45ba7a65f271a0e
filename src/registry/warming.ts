/**
 * Keeps function URLs warm: GET each URL (N times for `[sqsflare:warm=N]`) with bounded parallelism and a timeout.
 * Requests carry `x-sqsflare-warmer: 1` so a handler can answer them without doing real work.
 */
import { AwsClient } from 'aws4fetch';
import type { Env } from '../env';
import { SIMULTANEOUS_CONNECTIONS } from '../shared/platform';

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

export interface PingResult {
  functionName: string;
  at: number;
  status: number | null;
  latencyMs: number | null;
  error?: string;
  coldStartLikely: boolean;
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

export async function warmFunctionUrls(env: Env, targets: PingTarget[], options: WarmOptions = {}): Promise<{ results: PingResult[]; skipped: number }> {
  const concurrency = Math.max(1, Math.min(MAX_PARALLEL_PINGS, options.concurrency ?? MAX_PARALLEL_PINGS));
  const timeoutMs = options.timeoutMs ?? PING_TIMEOUT_MS;
  const queue = targets.slice(0, Math.max(0, Math.min(MAX_PINGS_PER_RUN, options.maxPings ?? MAX_PINGS_PER_RUN)));
  const results: PingResult[] = [];
  const signer =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? new AwsClient({ accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, service: 'lambda', region: env.AWS_REGION, retries: 0 })
      : null;

  let next = 0;
  const worker = async () => {
    while (next < queue.length) {
      const target = queue[next++];
      results.push(await ping(target, signer, timeoutMs, options.now));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
  return { results, skipped: targets.length - queue.length };
}

async function ping(target: PingTarget, signer: AwsClient | null, timeoutMs: number, runAt: number | undefined): Promise<PingResult> {
  const started = Date.now();
  const base = { functionName: target.functionName, at: runAt ?? started };
  try {
    const init: RequestInit = { method: 'GET', headers: { 'x-sqsflare-warmer': '1' }, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' };
    let request = new Request(target.url, init);
    if (target.authType === 'AWS_IAM') {
      if (!signer) return { ...base, status: null, latencyMs: null, error: 'AWS_IAM URL but no AWS credentials to sign with', coldStartLikely: false };
      request = await signer.sign(request);
    }
    const response = await fetch(request);
    await response.body?.cancel();
    // Workers' clock advances across I/O, which is what a round trip is.
    const latencyMs = Date.now() - started;
    const error = response.status >= 500 ? `HTTP ${response.status}` : response.status === 403 ? 'HTTP 403 (check AuthType / signing)' : response.status === 404 ? 'HTTP 404 (no such function URL)' : undefined;
    return { ...base, status: response.status, latencyMs, error, coldStartLikely: !error && coldStartLikely(latencyMs, target.usualLatencyMs) };
  } catch (e) {
    const err = e as Error;
    const timedOut = err.name === 'TimeoutError' || err.name === 'AbortError';
    return { ...base, status: null, latencyMs: null, error: timedOut ? `timed out after ${timeoutMs} ms` : err.message, coldStartLikely: false };
  }
}
