import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { REGISTRY_NAME } from '../../src/registry/catalog';
import { warmSetting } from '../../src/registry/sync';
import { esm, fakeLambdaApi, queueArnOf } from '../support/fake-lambda-api';
import { uniqueName } from '../support/sqs';

const registry = () => env.REGISTRY.getByName(REGISTRY_NAME);
const queue = (name: string) => env.QUEUE.getByName(name);

afterEach(() => vi.restoreAllMocks());

describe('registry sync', () => {
  it('follows every page, keeps disabled SQS mappings, creates their queues and ignores the rest', async () => {
    const q = Array.from({ length: 5 }, () => uniqueName('sync'));
    const api = fakeLambdaApi({
      pageSize: 2,
      functions: Array.from({ length: 5 }, (_, i) => ({ FunctionName: `svc-dev-fn${i}`, url: i < 2 ? { AuthType: 'NONE' } : undefined })),
      mappings: [
        esm(q[0], 'svc-dev-fn0', { State: 'Disabled', BatchSize: 25, MaximumBatchingWindowInSeconds: 2 }),
        esm(q[1], 'svc-dev-fn1', { State: 'Enabled', FunctionResponseTypes: ['ReportBatchItemFailures'] }),
        esm(q[2], 'svc-dev-fn2', { State: 'Disabled', ScalingConfig: { MaximumConcurrency: 4 } }),
        esm('ignored', 'svc-dev-fn3', { EventSourceArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026' }),
        esm('ignored', 'svc-dev-fn3', { EventSourceArn: 'arn:aws:kinesis:us-east-1:123456789012:stream/s' }),
        esm(q[3], 'svc-dev-fn4', { EventSourceArn: queueArnOf(q[3], '999999999999') }),
      ],
    });
    const result = await registry().sync();
    expect(result).toMatchObject({ ok: true, functions: 5, mappings: 3 });
    // 3 pages of functions, 3 of mappings, one URL config call per function.
    const paths = api.requests.map((r) => new URL(r.url).pathname);
    expect(paths.filter((p) => p === '/2015-03-31/functions/')).toHaveLength(3);
    expect(paths.filter((p) => p === '/2015-03-31/event-source-mappings/')).toHaveLength(3);
    expect(paths.filter((p) => p.endsWith('/urls'))).toHaveLength(5);
    expect(api.requests.every((r) => r.authorization?.startsWith('AWS4-HMAC-SHA256 Credential=lambda-key/'))).toBe(true);

    expect(await queue(q[0]).getMapping()).toMatchObject({ functionArn: expect.stringContaining(':function:svc-dev-fn0'), batchSize: 25, maximumBatchingWindowInSeconds: 2, state: 'Disabled' });
    expect(await queue(q[1]).getMapping()).toMatchObject({ reportBatchItemFailures: true, state: 'Enabled' });
    expect(await queue(q[2]).getMapping()).toMatchObject({ maximumConcurrency: 4 });
    expect(await queue(q[3]).exists()).toBe(false);
    const catalog = (await registry().queues()).map((c) => c.name);
    expect(catalog).toEqual(expect.arrayContaining(q.slice(0, 3)));

    const state = await registry().registryState();
    expect(state.functions.map((f) => f.name)).toEqual(['svc-dev-fn0', 'svc-dev-fn1', 'svc-dev-fn2', 'svc-dev-fn3', 'svc-dev-fn4']);
    expect(state.functions[0]).toMatchObject({ url: 'https://urls.test/svc-dev-fn0/', authType: 'NONE' });
    expect(state.functions[3].url).toBeNull();
    expect(state.sync.raw.eventSourceMappings).toHaveLength(6);
    expect(state.sync.lastError).toBeNull();

    // A mapping that disappears is dropped from its queue; an unchanged one is not pushed again.
    api.mappings = api.mappings.filter((m) => !String(m.EventSourceArn).endsWith(q[0]));
    const again = await registry().sync();
    expect(again).toMatchObject({ ok: true, mappingsRemoved: [q[0]], queuesUpdated: [] });
    expect(await queue(q[0]).getMapping()).toBeNull();
    expect(await queue(q[1]).getMapping()).not.toBeNull();
  });

  it.each([
    [403, /AccessDeniedException \(HTTP 403\)/],
    [500, /ServiceException \(HTTP 500\)/],
  ])('keeps the last good state when the Lambda API answers %s', async (status, message) => {
    const q = uniqueName('keep');
    const api = fakeLambdaApi({ functions: [{ FunctionName: 'keep-dev-fn', url: { AuthType: 'NONE' } }], mappings: [esm(q, 'keep-dev-fn')] });
    expect((await registry().sync()).ok).toBe(true);
    api.failure = status;
    const failed = await registry().sync();
    expect(failed).toEqual({ ok: false, error: expect.stringMatching(message) });
    const state = await registry().registryState();
    expect(state.sync.lastError).toMatch(message);
    expect(state.functions.map((f) => f.name)).toEqual(['keep-dev-fn']);
    expect(state.mappings.map((m) => m.queue)).toEqual([q]);
    expect(await queue(q).getMapping()).not.toBeNull();
  });

  it('gives up on a Lambda API that does not answer, and keeps the last state', async () => {
    const api = fakeLambdaApi({ functions: [{ FunctionName: 'slow-dev-fn' }] });
    expect((await registry().sync()).ok).toBe(true);
    api.failure = 'timeout';
    const failed = await registry().sync();
    expect(failed).toEqual({ ok: false, error: expect.stringMatching(/Timeout/) });
    expect((await registry().registryState()).functions.map((f) => f.name)).toEqual(['slow-dev-fn']);
  }, 20_000);

  it('reads warming wishes from the description', () => {
    expect(warmSetting('An API')).toEqual({ enabled: true, instances: 1 });
    expect(warmSetting('Batch job [sqsflare:nowarm]')).toEqual({ enabled: false, instances: 0 });
    expect(warmSetting('[sqsflare:warm=3] busy API')).toEqual({ enabled: true, instances: 3 });
    expect(warmSetting('[sqsflare:warm=50]')).toEqual({ enabled: true, instances: 10 });
  });
});
