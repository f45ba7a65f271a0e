/** The local Lambda emulator behaves like the Lambda API where sqsflare depends on it, signatures first. */
import { AwsClient } from 'aws4fetch';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatedFunction, type LambdaEmulator, startLambdaEmulator } from '../../dev/lambda-emulator';

const credentials = { accessKeyId: 'test-key', secretAccessKey: 'test-secret' };
const aws = new AwsClient({ ...credentials, service: 'lambda', region: 'us-east-1', retries: 0 });
const wrongSecret = new AwsClient({ accessKeyId: credentials.accessKeyId, secretAccessKey: 'not-the-secret', service: 'lambda', region: 'us-east-1', retries: 0 });

let emulator: LambdaEmulator;
const fn = (name: string, extra: Partial<EmulatedFunction> = {}): EmulatedFunction => ({ name, handler: () => null, ...extra });

beforeAll(async () => {
  emulator = await startLambdaEmulator({
    credentials,
    accountId: '123456789012',
    pageSize: 2,
    functions: [
      fn('echo', { handler: (event) => ({ got: event }) }),
      fn('boom', {
        handler: () => {
          throw new Error('kaput');
        },
      }),
      fn('site', { url: { authType: 'NONE' }, handler: (event) => ({ statusCode: 201, body: `hi ${event.requestContext.http.method}` }) }),
      fn('admin', { url: { authType: 'AWS_IAM' }, handler: () => ({ ok: true }) }),
      fn('fifth'),
    ],
    mappings: [1, 2, 3, 4, 5].map((i) => ({ EventSourceArn: `arn:aws:sqs:us-east-1:123456789012:q${i}`, FunctionName: 'echo', BatchSize: i })),
  });
});
afterAll(() => emulator.close());
afterEach(() => {
  emulator.setApiFailure(null);
  emulator.setFault('echo', null);
});

const invoke = (client: AwsClient, name: string, event: unknown, init: RequestInit = {}) =>
  client.fetch(`${emulator.url}/2015-03-31/functions/${name}/invocations`, { method: 'POST', body: JSON.stringify(event), ...init });

describe('Invoke', () => {
  it('runs the handler for a correctly signed request and returns its result', async () => {
    const before = emulator.invocations.length;
    const response = await invoke(aws, 'echo', { Records: [{ body: 'hello' }] });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ got: { Records: [{ body: 'hello' }] } });
    const [record] = emulator.invocations.slice(before);
    expect(record).toMatchObject({ functionName: 'echo', signatureValid: true, outcome: 'ok', event: { Records: [{ body: 'hello' }] } });
  });

  it('accepts a function ARN as the name', async () => {
    const response = await invoke(aws, encodeURIComponent('arn:aws:lambda:us-east-1:123456789012:function:echo'), { a: 1 });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ got: { a: 1 } });
  });

  it('refuses a tampered body with 403 and records the invalid signature', async () => {
    const signed = await aws.sign(`${emulator.url}/2015-03-31/functions/echo/invocations`, { method: 'POST', body: JSON.stringify({ amount: 1 }) });
    const before = emulator.invocations.length;
    const response = await fetch(signed.url, { method: 'POST', headers: signed.headers, body: JSON.stringify({ amount: 1000 }) });
    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
    expect(((await response.json()) as { message: string }).message).toMatch(/signature we calculated does not match/);
    expect(emulator.invocations.slice(before)).toMatchObject([{ functionName: 'echo', signatureValid: false, outcome: 'rejected' }]);
  });

  it('refuses a wrong secret and an unsigned request', async () => {
    expect((await invoke(wrongSecret, 'echo', {})).status).toBe(403);
    const unsigned = await fetch(`${emulator.url}/2015-03-31/functions/echo/invocations`, { method: 'POST', body: '{}' });
    expect(unsigned.status).toBe(403);
    expect(emulator.invocations.at(-1)?.signatureValid).toBe(false);
  });

  it('answers 404 for an unknown function', async () => {
    const response = await invoke(aws, 'nope', {});
    expect(response.status).toBe(404);
    expect(response.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
  });

  it('flags a handler that throws with X-Amz-Function-Error', async () => {
    const response = await invoke(aws, 'boom', {});
    expect(response.status).toBe(200);
    expect(response.headers.get('x-amz-function-error')).toBe('Unhandled');
    expect(await response.json()).toMatchObject({ errorType: 'Error', errorMessage: 'kaput' });
    expect(emulator.invocations.at(-1)?.outcome).toBe('handler-error');
  });

  it('injects faults for the given number of invocations', async () => {
    emulator.setFault('echo', 'throttle', 1);
    const throttled = await invoke(aws, 'echo', {});
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('x-amzn-errortype')).toBe('TooManyRequestsException');
    expect(await throttled.json()).toEqual({ Type: 'User', message: 'Rate Exceeded.' });
    expect((await invoke(aws, 'echo', {})).status).toBe(200);

    emulator.setFault('echo', 'error', 1);
    expect((await invoke(aws, 'echo', {})).headers.get('x-amz-function-error')).toBe('Unhandled');

    emulator.setFault('echo', 'fail-500');
    expect((await invoke(aws, 'echo', {})).status).toBe(500);
    expect((await invoke(aws, 'echo', {})).status).toBe(500);

    emulator.setFault('echo', 'drop', 1);
    await expect(invoke(aws, 'echo', {})).rejects.toThrow();
  });

  it('hang never answers, so the client timeout cuts it', async () => {
    emulator.setFault('echo', 'hang', 1);
    const started = Date.now();
    await expect(invoke(aws, 'echo', {}, { signal: AbortSignal.timeout(300) })).rejects.toThrow(/abort|timeout/i);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(emulator.invocations.at(-1)?.outcome).toBe('hang');
  });

  it('waitForInvocations resolves once enough invocations arrived', async () => {
    const target = emulator.invocations.length + 2;
    const waiting = emulator.waitForInvocations(target, 2000);
    await invoke(aws, 'echo', {});
    await invoke(aws, 'echo', {});
    expect((await waiting).length).toBeGreaterThanOrEqual(target);
    await expect(emulator.waitForInvocations(target + 100, 50)).rejects.toThrow(/expected/);
  });
});

describe('list calls', () => {
  async function listAll(path: string, key: string): Promise<{ items: any[]; pages: number }> {
    const items: any[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const url = new URL(`${emulator.url}${path}`);
      if (marker) url.searchParams.set('Marker', marker);
      const response = await aws.fetch(url);
      expect(response.status).toBe(200);
      const body = (await response.json()) as Record<string, any>;
      items.push(...body[key]);
      marker = body.NextMarker;
      pages++;
    } while (marker);
    return { items, pages };
  }

  it('pages ListFunctions', async () => {
    const before = emulator.requestsOfKind('list-functions');
    const { items, pages } = await listAll('/2015-03-31/functions/', 'Functions');
    expect(pages).toBe(3);
    expect(items.map((f) => f.FunctionName)).toEqual(['echo', 'boom', 'site', 'admin', 'fifth']);
    expect(items[0]).toMatchObject({ FunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:echo', Runtime: 'nodejs20.x' });
    expect(emulator.requestsOfKind('list-functions') - before).toBe(3);
  });

  it('pages ListEventSourceMappings with defaults filled in', async () => {
    const { items, pages } = await listAll('/2015-03-31/event-source-mappings/', 'EventSourceMappings');
    expect(pages).toBe(3);
    expect(items.map((m) => m.BatchSize)).toEqual([1, 2, 3, 4, 5]);
    expect(items[0]).toMatchObject({
      EventSourceArn: 'arn:aws:sqs:us-east-1:123456789012:q1',
      FunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:echo',
      MaximumBatchingWindowInSeconds: 0,
      FunctionResponseTypes: [],
      State: 'Enabled',
    });
    expect(typeof items[0].LastModified).toBe('number');
    // UUIDs stay the same between calls.
    const again = await listAll('/2015-03-31/event-source-mappings/', 'EventSourceMappings');
    expect(again.items.map((m) => m.UUID)).toEqual(items.map((m) => m.UUID));
  });

  it('lists function URL configs', async () => {
    const site = await (await aws.fetch(`${emulator.url}/2021-10-31/functions/site/urls`)).json();
    expect(site).toEqual({
      FunctionUrlConfigs: [expect.objectContaining({ FunctionUrl: `${emulator.url}/fn/site/`, AuthType: 'NONE', FunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:site' })],
    });
    expect(await (await aws.fetch(`${emulator.url}/2021-10-31/functions/echo/urls`)).json()).toEqual({ FunctionUrlConfigs: [] });
    expect((await aws.fetch(`${emulator.url}/2021-10-31/functions/nope/urls`)).status).toBe(404);
  });

  it('refuses unsigned list calls', async () => {
    const response = await fetch(`${emulator.url}/2015-03-31/functions/`);
    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
    expect((await wrongSecret.fetch(`${emulator.url}/2015-03-31/event-source-mappings/`)).status).toBe(403);
  });

  it('answers the injected status while setApiFailure is set', async () => {
    emulator.setApiFailure(500);
    expect((await aws.fetch(`${emulator.url}/2015-03-31/functions/`)).status).toBe(500);
    expect((await aws.fetch(`${emulator.url}/2015-03-31/event-source-mappings/`)).status).toBe(500);
    expect((await aws.fetch(`${emulator.url}/2021-10-31/functions/site/urls`)).status).toBe(500);
    emulator.setApiFailure(null);
    expect((await aws.fetch(`${emulator.url}/2015-03-31/functions/`)).status).toBe(200);
  });
});

describe('function URLs', () => {
  it('serves a public URL and records the ping', async () => {
    const response = await fetch(`${emulator.url}/fn/site/`);
    expect(response.status).toBe(201);
    expect(await response.text()).toBe('hi GET');
    expect(emulator.pings.at(-1)).toMatchObject({ functionName: 'site', method: 'GET', signatureValid: null });
  });

  it('needs a signature for an AWS_IAM URL', async () => {
    const unsigned = await fetch(`${emulator.url}/fn/admin/`);
    expect(unsigned.status).toBe(403);
    expect(emulator.pings.at(-1)).toMatchObject({ functionName: 'admin', signatureValid: false });
    expect((await wrongSecret.fetch(`${emulator.url}/fn/admin/`)).status).toBe(403);

    const signed = await aws.fetch(`${emulator.url}/fn/admin/`);
    expect(signed.status).toBe(200);
    expect(await signed.json()).toEqual({ ok: true });
    expect(emulator.pings.at(-1)).toMatchObject({ functionName: 'admin', signatureValid: true });
    expect(emulator.requestsOfKind('url')).toBeGreaterThanOrEqual(4);
  });

  it('answers 404 for unknown paths and functions without a URL', async () => {
    expect((await fetch(`${emulator.url}/fn/echo/`)).status).toBe(404);
    expect((await fetch(`${emulator.url}/elsewhere`)).status).toBe(404);
  });
});
