/** The Lambda API's list calls, following every page, signed by aws4fetch. */
import type { Env } from '../env';
import { countSubrequest } from '../shared/usage';
import { isTimeout, lambdaClient, lambdaEndpoint } from './client';
import type { AwsEventSourceMapping, AwsFunction, AwsFunctionUrlConfig } from './types';

/** Pages one sync may read in all: Workers Free allows 50 subrequests per invocation, and warming needs some too. */
export const MAX_PAGES_PER_SYNC = 20;
/**
 * The most items each list call returns a page: ListFunctions MaxItems 1–50, ListEventSourceMappings MaxItems 1–100
 * (Lambda API Reference, ListFunctions and ListEventSourceMappings, "MaxItems ... Valid Range").
 */
export const FUNCTIONS_PAGE_SIZE = 50;
export const MAPPINGS_PAGE_SIZE = 100;
const CALL_TIMEOUT_MS = 10_000;

export class LambdaApiError extends Error {
  constructor(
    readonly status: number | null,
    readonly code: string,
    message: string,
  ) {
    super(status ? `${code} (HTTP ${status}): ${message}` : `${code}: ${message}`);
  }
}

/** Counts the outgoing calls of one invocation (list pages, and whatever else the caller charges to it). */
export class PageBudget {
  used = 0;
  constructor(readonly limit = MAX_PAGES_PER_SYNC) {}
  get remaining(): number {
    return Math.max(0, this.limit - this.used);
  }
  take(): void {
    if (this.used >= this.limit) throw new LambdaApiError(null, 'PageBudgetExceeded', `more than ${this.limit} pages of Lambda API results in one sync`);
    this.used++;
  }
}

export interface ListOptions {
  /** shared by every call of one sync; a fresh one of MAX_PAGES_PER_SYNC pages when omitted */
  budget?: PageBudget;
  /** per call; default 10 s */
  timeoutMs?: number;
}

export async function lambdaGet<T>(env: Env, path: string, opts: ListOptions = {}): Promise<T> {
  (opts.budget ?? new PageBudget()).take();
  const timeoutMs = opts.timeoutMs ?? CALL_TIMEOUT_MS;
  const client = lambdaClient(env);
  let response: Response;
  try {
    countSubrequest();
    response = await client.fetch(`${lambdaEndpoint(env)}${path}`, { method: 'GET', signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const timedOut = isTimeout(error);
    throw new LambdaApiError(null, timedOut ? 'Timeout' : 'NetworkError', timedOut ? `no answer within ${timeoutMs} ms` : (error as Error).message);
  }
  const text = await response.text();
  if (!response.ok) {
    let code = response.headers.get('x-amzn-ErrorType')?.split(':')[0] ?? '';
    let message = text.slice(0, 300);
    try {
      const body = JSON.parse(text) as { __type?: string; Type?: string; message?: string; Message?: string };
      code ||= body.__type?.split('#').pop() ?? body.Type ?? '';
      message = body.message ?? body.Message ?? message;
    } catch {}
    throw new LambdaApiError(response.status, code || 'LambdaApiError', message);
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new LambdaApiError(response.status, 'InvalidResponse', 'the Lambda API answered with something that is not JSON');
  }
}

/** One page of a paginated list from `marker` (none: the first), and the marker of the next page if there is one. */
export async function listPage<T>(env: Env, path: string, itemsKey: string, pageSize: number, marker: string | undefined, opts: ListOptions = {}): Promise<{ items: T[]; next?: string }> {
  const query = new URLSearchParams({ MaxItems: String(pageSize) });
  if (marker) query.set('Marker', marker);
  const page = await lambdaGet<Record<string, unknown>>(env, `${path}?${query}`, opts);
  const items = page[itemsKey];
  if (!Array.isArray(items)) throw new LambdaApiError(200, 'InvalidResponse', `the answer has no ${itemsKey} list`);
  return { items: items as T[], next: typeof page.NextMarker === 'string' && page.NextMarker ? page.NextMarker : undefined };
}

/** Every item of a paginated list, following NextMarker. */
export async function listAll<T>(env: Env, path: string, itemsKey: string, opts: ListOptions & { pageSize?: number } = {}): Promise<T[]> {
  // One budget across all pages, so a looping NextMarker cannot run past the subrequest limit.
  const budget = opts.budget ?? new PageBudget();
  const items: T[] = [];
  let marker: string | undefined;
  do {
    const page = await listPage<T>(env, path, itemsKey, opts.pageSize ?? FUNCTIONS_PAGE_SIZE, marker, { ...opts, budget });
    items.push(...page.items);
    marker = page.next;
  } while (marker);
  return items;
}

export const FUNCTIONS_PATH = '/2015-03-31/functions/';

export const listFunctions = (env: Env, opts?: ListOptions) => listAll<AwsFunction>(env, FUNCTIONS_PATH, 'Functions', { ...opts, pageSize: FUNCTIONS_PAGE_SIZE });

/** One page of ListFunctions: a large account is read a few pages per run (src/registry/function-pass.ts). */
export const listFunctionsPage = (env: Env, marker: string | undefined, opts?: ListOptions) => listPage<AwsFunction>(env, FUNCTIONS_PATH, 'Functions', FUNCTIONS_PAGE_SIZE, marker, opts);

export const listEventSourceMappings = (env: Env, opts?: ListOptions) =>
  listAll<AwsEventSourceMapping>(env, '/2015-03-31/event-source-mappings/', 'EventSourceMappings', { ...opts, pageSize: MAPPINGS_PAGE_SIZE });

export const listFunctionUrlConfigs = (env: Env, functionName: string, opts?: ListOptions) =>
  listAll<AwsFunctionUrlConfig>(env, `/2021-10-31/functions/${encodeURIComponent(functionName)}/urls`, 'FunctionUrlConfigs', opts);
