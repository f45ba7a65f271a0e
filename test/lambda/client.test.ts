import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fetchFunctionUrl, invokeFunction } from '../../src/lambda/client';
import { fakeLambdaApi } from '../support/fake-lambda-api';

afterEach(() => vi.restoreAllMocks());

const SIGNED_FOR_LAMBDA = /^AWS4-HMAC-SHA256 Credential=lambda-key\/\d{8}\/us-east-1\/lambda\/aws4_request, /;

describe('invokeFunction', () => {
  it('signs a RequestResponse invocation and returns the body on success', async () => {
    const seen: { name: string; payload: string }[] = [];
    const api = fakeLambdaApi({
      invokeResponse: (name, payload) => {
        seen.push({ name, payload });
        return Response.json({ batchItemFailures: [] });
      },
    });
    const arn = 'arn:aws:lambda:us-east-1:123456789012:function:worker';
    const outcome = await invokeFunction(env, arn, '{"Records":[]}', 5000);
    expect(outcome).toMatchObject({ kind: 'ok', status: 200, body: '{"batchItemFailures":[]}' });
    expect(outcome.durationMs).toBeGreaterThanOrEqual(0);
    expect(seen).toEqual([{ name: arn, payload: '{"Records":[]}' }]);
    expect(api.requests[0]).toMatchObject({ method: 'POST', url: `http://lambda.test/2015-03-31/functions/${encodeURIComponent(arn)}/invocations` });
    expect(api.requests[0].authorization).toMatch(SIGNED_FOR_LAMBDA);
  });

  it('reports a function error (HTTP 200 with X-Amz-Function-Error) with its type and message', async () => {
    fakeLambdaApi({ invokeResponse: () => Response.json({ errorMessage: 'boom' }, { headers: { 'X-Amz-Function-Error': 'Unhandled' } }) });
    expect(await invokeFunction(env, 'worker', '{}', 5000)).toMatchObject({ kind: 'function-error', status: 200, error: 'Unhandled: {"errorMessage":"boom"}' });
  });

  it('tells throttling (429) apart from other failures', async () => {
    fakeLambdaApi({ invokeResponse: () => Response.json({ message: 'Rate Exceeded.' }, { status: 429 }) });
    expect(await invokeFunction(env, 'worker', '{}', 5000)).toMatchObject({ kind: 'throttled', status: 429, error: '{"message":"Rate Exceeded."}' });
  });

  it('reports a 5xx as failed, with the body cut to 500 characters', async () => {
    fakeLambdaApi({ invokeResponse: () => new Response('x'.repeat(600), { status: 502 }) });
    const outcome = await invokeFunction(env, 'worker', '{}', 5000);
    expect(outcome).toMatchObject({ kind: 'failed', status: 502, error: `${'x'.repeat(500)}…` });
  });

  it('gives up after the timeout', async () => {
    fakeLambdaApi({ invokeResponse: () => new Promise<Response>(() => {}) });
    const started = Date.now();
    const outcome = await invokeFunction(env, 'worker', '{}', 1000);
    expect(outcome).toMatchObject({ kind: 'failed', error: 'timed out after 1000 ms' });
    expect(outcome).not.toHaveProperty('status');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('fails without calling out when no AWS credentials are configured', async () => {
    const api = fakeLambdaApi();
    const outcome = await invokeFunction({ ...env, AWS_SECRET_ACCESS_KEY: undefined }, 'worker', '{}', 5000);
    expect(outcome).toMatchObject({ kind: 'failed', error: expect.stringMatching(/AWS_SECRET_ACCESS_KEY must be set/) });
    expect(api.requests).toHaveLength(0);
  });
});

describe('fetchFunctionUrl', () => {
  it('signs AWS_IAM URLs for service lambda, leaves public ones unsigned, and follows no redirect', async () => {
    const api = fakeLambdaApi({ urlResponse: (url) => (url.endsWith('/moved/') ? new Response(null, { status: 302, headers: { location: 'https://elsewhere.test/' } }) : new Response('ok')) });
    const headers = { 'x-sqsflare-warmer': '1' };
    expect((await fetchFunctionUrl(env, 'https://urls.test/iam/', { iamAuth: true, headers, timeoutMs: 1000 })).status).toBe(200);
    expect((await fetchFunctionUrl(env, 'https://urls.test/public/', { iamAuth: false, headers, timeoutMs: 1000 })).status).toBe(200);
    expect((await fetchFunctionUrl(env, 'https://urls.test/moved/', { iamAuth: false, headers, timeoutMs: 1000 })).status).toBe(302);
    expect(api.requests.map((r) => [r.url, r.method])).toEqual([
      ['https://urls.test/iam/', 'GET'],
      ['https://urls.test/public/', 'GET'],
      ['https://urls.test/moved/', 'GET'],
    ]);
    expect(api.requests[0].authorization).toMatch(SIGNED_FOR_LAMBDA);
    expect(api.requests[1].authorization).toBeNull();
  });
});
