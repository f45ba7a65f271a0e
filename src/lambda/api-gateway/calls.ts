/**
 * The read-only API Gateway calls, signed for service `apigateway` by the one cached client per service (../client.ts),
 * each charged to the sync's PageBudget. Nothing here throws: an answer is a value, and so is every way of not
 * getting one (GatewayProblem), so a missing permission is a note on the dashboard, not a failed sync.
 */
import type { Env } from '../../env';
import { apiGatewayEndpoint, awsClient, isTimeout } from '../client';
import type { PageBudget } from '../list';
import type { GatewayCall, GatewayProblem, V1Page, V2Page } from './types';

const CALL_TIMEOUT_MS = 10_000;
/** v2 documents no maximum for maxResults; 100 keeps pages small and a large account to a few calls */
export const V2_PAGE_SIZE = 100;
/** v1 `limit`: default 25, maximum 500 (https://docs.aws.amazon.com/apigateway/latest/api/API_GetRestApis.html) */
export const V1_PAGE_SIZE = 500;

export interface CallOptions {
  /** shared by every call of one sync; a call with none left is not sent */
  budget: PageBudget;
  timeoutMs?: number;
}

/** One signed GET; `path` includes the query. Charged to the budget before it is sent. */
export async function apiGatewayGet<T>(env: Env, path: string, opts: CallOptions): Promise<GatewayCall<T>> {
  if (opts.budget.remaining <= 0) return { ok: false, problem: { kind: 'budget-exhausted', path } };
  opts.budget.take();
  const timeoutMs = opts.timeoutMs ?? CALL_TIMEOUT_MS;
  let response: Response;
  try {
    // Accept: application/json, or API Gateway v1 answers in HAL (application/hal+json) with `_embedded` lists.
    response = await awsClient(env, 'apigateway').fetch(`${apiGatewayEndpoint(env)}${path}`, {
      method: 'GET',
      headers: { Accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const timedOut = isTimeout(error);
    const message = timedOut ? `no answer within ${timeoutMs} ms` : (error as Error).message;
    return { ok: false, problem: { kind: 'failed', path, status: null, code: timedOut ? 'Timeout' : 'NetworkError', message } };
  }
  const text = await response.text();
  if (!response.ok) return { ok: false, problem: problemOf(path, response, text) };
  try {
    return { ok: true, value: JSON.parse(text) as T };
  } catch {
    return { ok: false, problem: { kind: 'failed', path, status: response.status, code: 'InvalidResponse', message: 'API Gateway answered with something that is not JSON' } };
  }
}

/**
 * AWS names the error in x-amzn-ErrorType (`AccessDeniedException:http://internal.amazon.com/…`), the message in the
 * body's `message` (v2) or `message`/`Message` (v1). An IAM denial is 403 AccessDeniedException "User: … is not
 * authorized to perform: apigateway:GET on resource: …"; other 403s (a bad signature, an unknown key) are failures.
 */
export function problemOf(path: string, response: Response, text: string): GatewayProblem {
  let code = response.headers.get('x-amzn-ErrorType')?.split(':')[0] ?? '';
  let message = text.slice(0, 300);
  try {
    const body = JSON.parse(text) as { __type?: string; message?: string; Message?: string };
    code ||= body.__type?.split('#').pop() ?? '';
    message = body.message ?? body.Message ?? message;
  } catch {}
  if (response.status === 403 && (code === 'AccessDeniedException' || (!code && /not authorized to perform/i.test(message)))) {
    return { kind: 'missing-permission', path, message };
  }
  return { kind: 'failed', path, status: response.status, code: code || 'ApiGatewayError', message };
}

/** Every item of a v2 collection, following nextToken; stops at the first problem (the items so far are dropped). */
export async function listV2<T>(env: Env, path: string, opts: CallOptions): Promise<GatewayCall<T[]>> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const query = new URLSearchParams({ maxResults: String(V2_PAGE_SIZE) });
    if (token) query.set('nextToken', token);
    const page = await apiGatewayGet<V2Page<T>>(env, `${path}?${query}`, opts);
    if (!page.ok) return page;
    items.push(...(page.value.items ?? []));
    token = page.value.nextToken || undefined;
  } while (token);
  return { ok: true, value: items };
}

/** Every item of a v1 collection, following position; `extra` adds query parameters (embed=methods). */
export async function listV1<T>(env: Env, path: string, opts: CallOptions, extra: Record<string, string> = {}): Promise<GatewayCall<T[]>> {
  const items: T[] = [];
  let position: string | undefined;
  do {
    const query = new URLSearchParams({ ...extra, limit: String(V1_PAGE_SIZE) });
    if (position) query.set('position', position);
    const page = await apiGatewayGet<V1Page<T>>(env, `${path}?${query}`, opts);
    if (!page.ok) return page;
    items.push(...(page.value.item ?? []));
    position = page.value.position || undefined;
  } while (position);
  return { ok: true, value: items };
}
