/**
 * Issue 11, points 2, 3 and 6, and issue 10, points 2 (registry side) and 4: what the registry keeps of the Lambda
 * API, what the public index costs, how a large account is synced, and mappings of queues created again.
 */
import { env, SELF } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RUNS_KEPT } from '../../src/registry/pings';
import { REGISTRY_NAME } from '../../src/shared/rpc';
import { esm, fakeLambdaApi } from '../support/fake-lambda-api';
import { createQueue, ORIGIN, sqs, uniqueName } from '../support/sqs';

const registry = () => env.REGISTRY.getByName(REGISTRY_NAME);
const queue = (name: string) => env.QUEUE.getByName(name);
const adminAuth = { authorization: `Basic ${btoa('admin:test-admin')}` };
const SECRET = 'postgres://admin:s3cr3t-planted-in-env@db.internal/prod';

afterEach(() => vi.restoreAllMocks());

describe('2. Lambda secrets never reach storage, pages or APIs', () => {
  it('a secret in a function environment appears in no response of any route', async () => {
    const q = uniqueName('secret');
    fakeLambdaApi({
      functions: [{ FunctionName: 'shop-prod-api', Environment: { DATABASE_URL: SECRET }, url: { AuthType: 'NONE' } }],
      mappings: [esm(q, 'shop-prod-api')],
    });
    expect((await registry().sync()).ok).toBe(true);
    await registry().warm();
    const routes = ['/', '/index.json', '/admin', '/admin/api/registry', '/admin/api/queues', `/admin/api/queues/${q}`, `/admin/queues/${q}`];
    for (const path of routes) {
      const response = await SELF.fetch(`${ORIGIN}${path}`, { headers: adminAuth });
      expect(response.status, path).toBe(200);
      const text = await response.text();
      expect(text, path).toContain('shop-prod-api');
      expect(text, path).not.toContain('s3cr3t');
      expect(text, path).not.toContain('DATABASE_URL');
    }
    expect(JSON.stringify(await registry().registryState())).not.toContain('s3cr3t');
  });
});

describe('3. the public index cannot exhaust the account', () => {
  it('reads no rows on a cached hit, and on a refresh one per function and API, the sync state and the warming ring', async () => {
    const functions = Array.from({ length: 40 }, (_, i) => ({ FunctionName: `idx-prod-fn${String(i).padStart(2, '0')}`, url: { AuthType: 'NONE' } }));
    fakeLambdaApi({ functions });
    expect((await registry().sync()).ok).toBe(true);
    await registry().warm();
    const rowsRead = async () => (await registry().sqlTotals()).rowsRead;

    const beforeRefresh = await rowsRead();
    expect((await SELF.fetch(`${ORIGIN}/`)).status).toBe(200);
    const refresh = (await rowsRead()) - beforeRefresh;
    // One row per function, per API (none here), the sync state's row, and the warming ring (at most RUNS_KEPT rows).
    expect(refresh).toBeLessThanOrEqual(functions.length + 1 + RUNS_KEPT);

    const beforeHits = await rowsRead();
    for (let i = 0; i < 5; i++) {
      expect((await SELF.fetch(`${ORIGIN}/`)).status).toBe(200);
      expect((await SELF.fetch(`${ORIGIN}/index.json`)).status).toBe(200);
    }
    expect((await rowsRead()) - beforeHits).toBe(0);
    console.log(`index rows read: refresh ${refresh} for ${functions.length} functions, cached hit 0`);

    // A change (a sync) refreshes it.
    fakeLambdaApi({ functions: [...functions, { FunctionName: 'idx-prod-new', url: { AuthType: 'NONE' } }] });
    await registry().sync();
    expect(await (await SELF.fetch(`${ORIGIN}/`)).text()).toContain('idx-prod-new');
  });
});

describe('issue 10: function timeouts and queues created again', () => {
  it('says on the dashboard when a queue’s visibility is shorter than its function’s timeout', async () => {
    const existing = await createQueue(uniqueName('short'), { VisibilityTimeout: '30' });
    fakeLambdaApi({ functions: [{ FunctionName: 'slow-prod-fn', Timeout: 45 }], mappings: [esm(existing.name, 'slow-prod-fn')] });
    expect((await registry().sync()).ok).toBe(true);
    expect(await queue(existing.name).getMapping()).toMatchObject({ functionTimeoutSeconds: 45 });
    const page = await (await SELF.fetch(`${ORIGIN}/admin/queues/${existing.name}`, { headers: adminAuth })).text();
    expect(page).toContain('Visibility timeout 30 s is shorter than the function&#39;s timeout 45 s');
    const overview = await (await SELF.fetch(`${ORIGIN}/admin`, { headers: adminAuth })).text();
    expect(overview).toContain('Visibility timeout 30 s is shorter');
  });

  it('a queue deleted and created again keeps its mapping: at once on CreateQueue, and at the next sync', async () => {
    const q = await createQueue(uniqueName('again'));
    fakeLambdaApi({ functions: [{ FunctionName: 'again-prod-fn', Timeout: 10 }], mappings: [esm(q.name, 'again-prod-fn')] });
    expect((await registry().sync()).ok).toBe(true);
    expect(await queue(q.name).getMapping()).not.toBeNull();

    await sqs('DeleteQueue', { QueueUrl: q.url });
    await sqs('CreateQueue', { QueueName: q.name });
    expect(await queue(q.name).getMapping()).toMatchObject({ functionArn: expect.stringContaining('again-prod-fn'), functionTimeoutSeconds: 10 });

    // Even if the object lost it some other way, the next sync pushes it again to a queue created since.
    await queue(q.name).setMapping(null);
    await sqs('DeleteQueue', { QueueUrl: q.url });
    await registry().upsertQueue(q.name, Date.now() + 5, null);
    await queue(q.name).create(q.name, {}, {}, Date.now() + 5);
    const again = await registry().sync();
    expect(again).toMatchObject({ ok: true, queuesUpdated: [q.name] });
    expect(await queue(q.name).getMapping()).not.toBeNull();
  });
});
