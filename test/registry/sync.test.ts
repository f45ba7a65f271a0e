import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SUBREQUESTS_PER_REGISTRY_RUN as SUBREQUESTS_PER_RUN } from '../../src/shared/platform';
import { REGISTRY_NAME } from '../../src/shared/rpc';
import { esm, fakeLambdaApi, queueArnOf } from '../support/fake-lambda-api';
import { createQueue, sqs, uniqueName } from '../support/sqs';

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
    expect(JSON.stringify(state)).not.toContain('raw');
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

  it('caps URL-config calls at the subrequest budget, says so, and refreshes the rest next time', async () => {
    const names = Array.from({ length: 50 }, (_, i) => `budget-fn${String(i).padStart(2, '0')}`);
    const api = fakeLambdaApi({ functions: names.map((FunctionName) => ({ FunctionName, url: { AuthType: 'NONE' } })) });
    const first = await registry().sync();
    expect(first).toMatchObject({ ok: true, functions: 50, urlConfigsSkipped: 50 - (SUBREQUESTS_PER_RUN - 2) });
    expect(api.requests.length).toBeLessThanOrEqual(SUBREQUESTS_PER_RUN);
    if (!first.ok) throw new Error('unreachable');
    expect(first.warnings.join()).toMatch(/URL configs of 7 functions left for the next sync/);
    const unchecked = (await registry().registryState()).functions.filter((f) => f.urlCheckedAt === null).map((f) => f.name);
    expect(unchecked).toHaveLength(7);

    api.requests.length = 0;
    await registry().sync(Date.now() + 1000);
    const refreshed = api.requests
      .map((r) => new URL(r.url).pathname)
      .filter((p) => p.endsWith('/urls'))
      .map((p) => decodeURIComponent(p.split('/')[3]));
    expect(refreshed).toEqual(expect.arrayContaining(unchecked));
    expect((await registry().registryState()).functions.every((f) => f.url !== null)).toBe(true);
  });

  it('pushes a mapping to an existing queue without touching its catalog entry, creates FIFO queues as FIFO, and recreates a deleted mapped queue', async () => {
    const dlq = await createQueue(uniqueName('dlq'));
    const existing = await createQueue(uniqueName('exists'), { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArnOf(dlq.name), maxReceiveCount: 3 }) });
    const fifo = `${uniqueName('mapped')}.fifo`;
    const api = fakeLambdaApi({ functions: [{ FunctionName: 'exist-dev-fn' }], mappings: [esm(existing.name, 'exist-dev-fn', { BatchSize: 50 }), esm(fifo, 'exist-dev-fn', { BatchSize: 50 })] });
    const result = await registry().sync();
    expect(result).toMatchObject({ ok: true, queuesCreated: [fifo] });
    expect(await queue(existing.name).getMapping()).toMatchObject({ batchSize: 50 });
    // FIFO batches are capped at 10.
    expect(await queue(fifo).getMapping()).toMatchObject({ batchSize: 10 });
    expect((await queue(fifo).getAttributes(['FifoQueue'])).FifoQueue).toBe('true');
    const catalog = await registry().queues();
    expect(catalog.find((c) => c.name === existing.name)?.deadLetterQueue).toBe(dlq.name);

    await sqs('DeleteQueue', { QueueUrl: existing.url });
    expect(await queue(existing.name).exists()).toBe(false);
    const again = await registry().sync();
    expect(again).toMatchObject({ ok: true, queuesCreated: [existing.name], queuesUpdated: [existing.name] });
    expect(await queue(existing.name).getMapping()).toMatchObject({ batchSize: 50 });
    expect(api.requests.length).toBeGreaterThan(0);
  });
});
