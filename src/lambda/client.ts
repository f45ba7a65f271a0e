/**
 * sqsflare's one AwsClient (aws4fetch) and the calls that are signed with it: Invoke, and the pings of function URLs
 * whose AuthType is AWS_IAM (the list calls in list.ts use it too). No retries here: callers own the policy.
 */
import { AwsClient } from 'aws4fetch';
import type { Env } from '../env';
import { countSubrequest } from '../shared/usage';

export type InvokeOutcome =
  | { kind: 'ok'; status: number; body: string; durationMs: number }
  | { kind: 'function-error'; status: number; error: string; durationMs: number }
  | { kind: 'throttled'; status: number; error: string; durationMs: number }
  | { kind: 'failed'; status?: number; error: string; durationMs: number };

export function lambdaEndpoint(env: Pick<Env, 'AWS_ENDPOINT_URL_LAMBDA' | 'AWS_REGION'>): string {
  return (env.AWS_ENDPOINT_URL_LAMBDA || `https://lambda.${env.AWS_REGION}.amazonaws.com`).replace(/\/+$/, '');
}

/**
 * One client per isolate and credentials: aws4fetch caches the derived signing key per client, so reusing it
 * saves four HMACs on every invocation after the first of the day.
 */
let cachedClient: { key: string; client: AwsClient } | undefined;

export function hasLambdaCredentials(env: Pick<Env, 'AWS_ACCESS_KEY_ID' | 'AWS_SECRET_ACCESS_KEY'>): boolean {
  return Boolean(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY);
}

export function lambdaClient(env: Env): AwsClient {
  if (!env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY) {
    throw new Error('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set to call the Lambda API');
  }
  const key = `${env.AWS_ACCESS_KEY_ID}\n${env.AWS_SECRET_ACCESS_KEY}\n${env.AWS_REGION}`;
  if (cachedClient?.key !== key) {
    const client = new AwsClient({
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      service: 'lambda',
      region: env.AWS_REGION,
      retries: 0,
    });
    cachedClient = { key, client };
  }
  return cachedClient.client;
}

/** Invoke (RequestResponse). A function error is HTTP 200 with X-Amz-Function-Error; throttling is 429. */
export async function invokeFunction(env: Env, functionName: string, payload: string, timeoutMs: number): Promise<InvokeOutcome> {
  const started = Date.now();
  const url = `${lambdaEndpoint(env)}/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`;
  try {
    countSubrequest();
    const response = await lambdaClient(env).fetch(url, {
      method: 'POST',
      headers: { 'X-Amz-Invocation-Type': 'RequestResponse', 'Content-Type': 'application/json' },
      body: payload,
      signal: AbortSignal.timeout(Math.max(1000, timeoutMs)),
    });
    const body = await response.text();
    const durationMs = Date.now() - started;
    if (response.status === 429) return { kind: 'throttled', status: 429, error: summarise(body), durationMs };
    if (response.status >= 200 && response.status < 300) {
      const functionError = response.headers.get('X-Amz-Function-Error');
      if (functionError) return { kind: 'function-error', status: response.status, error: `${functionError}: ${summarise(body)}`, durationMs };
      return { kind: 'ok', status: response.status, body, durationMs };
    }
    return { kind: 'failed', status: response.status, error: summarise(body), durationMs };
  } catch (error) {
    const reason = isTimeout(error) ? `timed out after ${timeoutMs} ms` : (error as Error).message;
    return { kind: 'failed', error: reason, durationMs: Date.now() - started };
  }
}

/**
 * One request to a function URL, as warming sends it. A URL with AuthType AWS_IAM is signed for service `lambda`
 * (how function URLs verify SigV4) by the same cached client; call it only when hasLambdaCredentials(env).
 * Redirects are not followed: a ping measures the function, not where it points.
 */
export async function fetchFunctionUrl(env: Env, url: string, init: { iamAuth: boolean; headers: HeadersInit; timeoutMs: number }): Promise<Response> {
  countSubrequest();
  const request = new Request(url, { method: 'GET', headers: init.headers, signal: AbortSignal.timeout(init.timeoutMs), redirect: 'manual' });
  return fetch(init.iamAuth ? await lambdaClient(env).sign(request) : request);
}

/** An AbortSignal.timeout() firing surfaces as either name, depending on where the fetch was when it fired. */
export function isTimeout(error: unknown): boolean {
  const name = (error as Error | undefined)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

function summarise(body: string): string {
  return body.length > 500 ? `${body.slice(0, 500)}…` : body;
}
