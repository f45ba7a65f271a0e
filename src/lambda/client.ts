/**
 * sqsflare's AwsClients (aws4fetch), one per signing service, and the calls that are signed with them: Invoke, and the
 * pings of function URLs whose AuthType is AWS_IAM (the list calls in list.ts use it too; the API Gateway reads in
 * api-gateway/ use the `apigateway` one). No retries here: callers own the policy.
 */
import { AwsClient } from 'aws4fetch';
import type { Env } from '../env';

export type InvokeOutcome =
  | { kind: 'ok'; status: number; body: string; durationMs: number; logResult?: string }
  | { kind: 'function-error'; status: number; error: string; durationMs: number; logResult?: string }
  | { kind: 'throttled'; status: number; error: string; durationMs: number }
  | { kind: 'failed'; status?: number; error: string; durationMs: number };

/** The services sqsflare signs for: each is its own SigV4 credential scope, so each gets its own client. */
export type AwsService = 'lambda' | 'apigateway';

export function lambdaEndpoint(env: Pick<Env, 'AWS_ENDPOINT_URL_LAMBDA' | 'AWS_REGION'>): string {
  return (env.AWS_ENDPOINT_URL_LAMBDA || `https://lambda.${env.AWS_REGION}.amazonaws.com`).replace(/\/+$/, '');
}

/**
 * API Gateway's control plane (v1 REST APIs and v2 HTTP APIs share the host and the signing name `apigateway`):
 * https://docs.aws.amazon.com/general/latest/gr/apigateway.html. The variable is named the way AWS SDKs name the
 * service-specific endpoint for service id "API Gateway" (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html).
 */
export function apiGatewayEndpoint(env: Pick<Env, 'AWS_ENDPOINT_URL_API_GATEWAY' | 'AWS_REGION'>): string {
  return (env.AWS_ENDPOINT_URL_API_GATEWAY || `https://apigateway.${env.AWS_REGION}.amazonaws.com`).replace(/\/+$/, '');
}

/**
 * One client per isolate, service and credentials: aws4fetch caches the derived signing key per client, so reusing it
 * saves four HMACs on every call after the first of the day. The key's scope names the service, hence one per service.
 */
const cachedClients = new Map<AwsService, { key: string; client: AwsClient }>();

export function hasLambdaCredentials(env: Pick<Env, 'AWS_ACCESS_KEY_ID' | 'AWS_SECRET_ACCESS_KEY'>): boolean {
  return Boolean(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY);
}

export function awsClient(env: Env, service: AwsService): AwsClient {
  if (!env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY) {
    throw new Error(`AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set to call the ${service === 'lambda' ? 'Lambda' : 'API Gateway'} API`);
  }
  const key = `${env.AWS_ACCESS_KEY_ID}\n${env.AWS_SECRET_ACCESS_KEY}\n${env.AWS_REGION}`;
  let cached = cachedClients.get(service);
  if (cached?.key !== key) {
    const client = new AwsClient({ accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, service, region: env.AWS_REGION, retries: 0 });
    cached = { key, client };
    cachedClients.set(service, cached);
  }
  return cached.client;
}

export const lambdaClient = (env: Env): AwsClient => awsClient(env, 'lambda');

/**
 * Invoke (RequestResponse). A function error is HTTP 200 with X-Amz-Function-Error; throttling is 429. `headers` adds
 * request headers such as X-Amz-Log-Type: Tail, whose X-Amz-Log-Result comes back as `logResult` (still base64)
 * (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html).
 */
export async function invokeFunction(
  env: Env,
  functionName: string,
  payload: string,
  timeoutMs: number,
  headers: Record<string, string> = {},
): Promise<InvokeOutcome> {
  const started = Date.now();
  const url = `${lambdaEndpoint(env)}/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`;
  try {
    const response = await lambdaClient(env).fetch(url, {
      method: 'POST',
      headers: { 'X-Amz-Invocation-Type': 'RequestResponse', 'Content-Type': 'application/json', ...headers },
      body: payload,
      signal: AbortSignal.timeout(Math.max(1000, timeoutMs)),
    });
    const body = await response.text();
    const durationMs = Date.now() - started;
    if (response.status === 429) return { kind: 'throttled', status: 429, error: summarise(body), durationMs };
    if (response.status >= 200 && response.status < 300) {
      const functionError = response.headers.get('X-Amz-Function-Error');
      const log = response.headers.get('X-Amz-Log-Result');
      const logResult = log ? { logResult: log } : {};
      if (functionError) return { kind: 'function-error', status: response.status, error: `${functionError}: ${summarise(body)}`, durationMs, ...logResult };
      return { kind: 'ok', status: response.status, body, durationMs, ...logResult };
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
