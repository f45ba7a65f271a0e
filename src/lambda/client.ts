/** The Lambda API calls sqsflare makes, signed by aws4fetch. No retries here: callers own the policy. */
import { AwsClient } from 'aws4fetch';
import type { Env } from '../env';

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
    const e = error as Error;
    const reason = e.name === 'TimeoutError' || e.name === 'AbortError' ? `timed out after ${timeoutMs} ms` : e.message;
    return { kind: 'failed', error: reason, durationMs: Date.now() - started };
  }
}

function summarise(body: string): string {
  return body.length > 500 ? `${body.slice(0, 500)}…` : body;
}
