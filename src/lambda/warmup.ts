/**
 * Warming a function by direct Invoke, the way serverless-plugin-warmup does it, so handlers written for that plugin
 * return early unchanged: the payload `{"source":"serverless-plugin-warmup"}`, the same as Client Context `custom`
 * (the plugin's clientContext defaults to its payload), and N instances warmed by N RequestResponse invocations sent at
 * once (its `concurrency`; github.com/juanjoDiaz/serverless-plugin-warmup src/warmer.js and README "On the function
 * side"). Unlike the plugin, each invocation asks for the log tail (X-Amz-Log-Type: Tail), whose REPORT line says
 * exactly what the invocation cost and whether it was a cold start (Init Duration).
 */
import type { Env } from '../env';
import { type InvokeOutcome, invokeFunction } from './client';
import type { PageBudget } from './list';

/** The plugin's default payload, byte for byte (JSON.stringify({ source: 'serverless-plugin-warmup' })). */
export const WARMUP_PAYLOAD = '{"source":"serverless-plugin-warmup"}';

/** X-Amz-Client-Context: base64 of `{"custom":<payload>}`, as the plugin builds it; a handler sees context.clientContext.custom. */
export const WARMUP_CLIENT_CONTEXT = btoa(`{"custom":${WARMUP_PAYLOAD}}`);

/** Headers of one warming Invoke: the plugin's client context, and the last 4 KB of the log in the answer. */
export const WARMUP_HEADERS: Readonly<Record<string, string>> = { 'X-Amz-Client-Context': WARMUP_CLIENT_CONTEXT, 'X-Amz-Log-Type': 'Tail' };

/** Most instances one warming asks for: [sqsflare:warm=N] allows 1–10. */
export const MAX_WARM_INSTANCES = 10;

/**
 * The REPORT line Lambda writes after each invocation (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-logging.html):
 * `REPORT RequestId: … Duration: 3.48 ms Billed Duration: 4 ms Memory Size: 128 MB Max Memory Used: 68 MB` and, on the
 * first invocation of a new execution environment only, `Init Duration: 165.64 ms`
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html). Durations in ms, sizes in MB.
 */
export interface ReportLine {
  requestId?: string;
  durationMs: number;
  billedDurationMs: number;
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  /** present only on a cold start */
  initDurationMs?: number;
  /** SnapStart functions report a restore instead of an init */
  restoreDurationMs?: number;
}

const field = (line: string, name: string, unit: 'ms' | 'MB') => {
  const match = new RegExp(`(?:^|\\s)${name}: ([0-9]+(?:\\.[0-9]+)?) ${unit}`).exec(line);
  return match ? Number(match[1]) : undefined;
};

/** The last REPORT line in a log text, parsed; undefined when there is none or it lacks the four fields always present. */
export function parseReportLine(log: string): ReportLine | undefined {
  const line = log
    .split(/\r?\n/)
    .filter((candidate) => candidate.startsWith('REPORT '))
    .pop();
  if (!line) return undefined;
  const durationMs = field(line, 'Duration', 'ms');
  const billedDurationMs = field(line, 'Billed Duration', 'ms');
  const memorySizeMb = field(line, 'Memory Size', 'MB');
  const maxMemoryUsedMb = field(line, 'Max Memory Used', 'MB');
  if (durationMs === undefined || billedDurationMs === undefined || memorySizeMb === undefined || maxMemoryUsedMb === undefined) return undefined;
  const requestId = /^REPORT RequestId: (\S+)/.exec(line)?.[1];
  const initDurationMs = field(line, 'Init Duration', 'ms');
  const restoreDurationMs = field(line, 'Restore Duration', 'ms');
  return {
    ...(requestId ? { requestId } : {}),
    durationMs,
    billedDurationMs,
    memorySizeMb,
    maxMemoryUsedMb,
    ...(initDurationMs !== undefined ? { initDurationMs } : {}),
    ...(restoreDurationMs !== undefined ? { restoreDurationMs } : {}),
  };
}

/**
 * X-Amz-Log-Result: base64 of the last 4 KB of the invocation's log. The cut may split a UTF-8 character at the start,
 * so decode leniently; the REPORT line is last and survives the cut.
 */
export function decodeLogResult(header: string | undefined | null): string {
  if (!header) return '';
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(header), (c) => c.charCodeAt(0)));
  } catch {
    return '';
  }
}

/** One warming invocation: how it ended, its round trip, and the REPORT line when the log tail carried one. */
export interface WarmupInvocation {
  kind: InvokeOutcome['kind'];
  status?: number;
  error?: string;
  roundTripMs: number;
  report?: ReportLine;
  /** the REPORT line had Init Duration */
  coldStart: boolean;
}

export interface WarmupResult {
  functionName: string;
  invocations: WarmupInvocation[];
  /** invocations that started a new execution environment */
  coldStarts: number;
  /** invocations asked for but not sent: the budget had no calls left */
  skipped: number;
}

export interface WarmupOptions {
  /** per invocation; default 10 s */
  timeoutMs?: number;
}

/**
 * Warms n instances of fn: n Invokes sent at once (as the plugin's Promise.all does), each charged to the budget, so
 * they overlap and Lambda must run them in n environments. Workers Free opens at most 6 connections at a time, so
 * above 6 the later ones wait for a free connection and may reuse a warm instance. Never throws.
 */
export async function invokeForWarmup(env: Env, fn: string, n: number, budget: PageBudget, opts: WarmupOptions = {}): Promise<WarmupResult> {
  const wanted = Math.max(1, Math.min(MAX_WARM_INSTANCES, Math.floor(n)));
  const affordable = Math.min(wanted, budget.remaining);
  for (let i = 0; i < affordable; i++) budget.take();
  const outcomes = await Promise.all(Array.from({ length: affordable }, () => invokeFunction(env, fn, WARMUP_PAYLOAD, opts.timeoutMs ?? 10_000, { ...WARMUP_HEADERS })));
  const invocations = outcomes.map(toWarmupInvocation);
  return { functionName: fn, invocations, coldStarts: invocations.filter((i) => i.coldStart).length, skipped: wanted - affordable };
}

function toWarmupInvocation(outcome: InvokeOutcome): WarmupInvocation {
  const log = 'logResult' in outcome ? decodeLogResult(outcome.logResult) : '';
  const report = parseReportLine(log);
  return {
    kind: outcome.kind,
    ...(outcome.status !== undefined ? { status: outcome.status } : {}),
    ...('error' in outcome ? { error: outcome.error } : {}),
    roundTripMs: outcome.durationMs,
    ...(report ? { report } : {}),
    coldStart: report?.initDurationMs !== undefined,
  };
}
