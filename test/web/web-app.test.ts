import { env, SELF } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { REGISTRY_NAME } from '../../src/shared/rpc';
import { indexIsPrivate } from '../../src/web/web-app';
import { esm, fakeLambdaApi } from '../support/fake-lambda-api';
import { createQueue, ORIGIN, sqs, uniqueName } from '../support/sqs';

const adminAuth = { authorization: `Basic ${btoa('admin:test-admin')}` };
const get = (path: string, headers: Record<string, string> = {}) => SELF.fetch(`${ORIGIN}${path}`, { headers });
const post = (path: string, form: Record<string, string> = {}, headers: Record<string, string> = {}) =>
  SELF.fetch(`${ORIGIN}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN, ...adminAuth, ...headers },
    body: new URLSearchParams(form).toString(),
  });

afterEach(() => vi.restoreAllMocks());

describe('index page', () => {
  it('lists function URLs grouped by service, escaping names and descriptions', async () => {
    fakeLambdaApi({
      functions: [
        { FunctionName: 'shop-prod-checkout', Description: 'Takes <b>orders</b>', url: { AuthType: 'NONE' } },
        { FunctionName: 'shop-prod-worker' },
        { FunctionName: 'blog-dev-render', url: { AuthType: 'AWS_IAM' } },
        { FunctionName: 'evil<script>alert(1)</script>', Description: '"><img src=x onerror=alert(1)>', url: { AuthType: 'NONE' } },
      ],
    });
    expect((await env.REGISTRY.getByName(REGISTRY_NAME).sync()).ok).toBe(true);
    const response = await get('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    const html = await response.text();
    expect(html).toContain('<h2>shop-prod</h2>');
    expect(html).toContain('<h2>blog-dev</h2>');
    expect(html).toContain('<a href="https://urls.test/shop-prod-checkout/">https://urls.test/shop-prod-checkout/</a>');
    expect(html).toContain('Takes &lt;b&gt;orders&lt;/b&gt;');
    expect(html).toContain('evil&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img src=x');

    const json = (await (await get('/index.json')).json()) as any;
    const shop = json.services.find((s: any) => s.service === 'shop-prod');
    expect(shop.functions.map((f: any) => [f.name, f.url])).toEqual([
      ['shop-prod-checkout', 'https://urls.test/shop-prod-checkout/'],
      ['shop-prod-worker', null],
    ]);
  });

  it('can be made private', async () => {
    const { default: worker } = await import('../../src/index');
    const privateEnv = { ...env, INDEX_PRIVATE: 'true' };
    const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
    expect((await worker.fetch(new Request(`${ORIGIN}/`), privateEnv, ctx)).status).toBe(401);
    expect((await worker.fetch(new Request(`${ORIGIN}/`, { headers: adminAuth }), privateEnv, ctx)).status).toBe(200);
  });
});

describe('dashboard', () => {
  it('requires the admin password', async () => {
    expect((await get('/admin')).status).toBe(401);
    expect((await get('/admin', { authorization: `Basic ${btoa('admin:wrong')}` })).status).toBe(401);
    expect((await get('/admin', { authorization: `Basic ${btoa('root:test-admin')}` })).status).toBe(401);
    expect((await get('/admin/api/queues')).status).toBe(401);
    const page = await get('/admin', adminAuth);
    expect(page.status).toBe(200);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
  });

  it('shows only notices it wrote itself: a crafted link cannot put its text on the dashboard', async () => {
    const { name } = await createQueue(uniqueName('dash'));
    const purged = await post(`/admin/queues/${name}/purge`);
    const location = purged.headers.get('location') ?? '';
    expect(location).toMatch(/[?&]sig=[0-9a-f]{32}$/);
    expect(await (await get(location, adminAuth)).text()).toContain('Queue purged.');
    const forged = location.replace('Queue%20purged.', 'Session%20expired%3A%20log%20in%20at%20evil.example');
    expect(await (await get(forged, adminAuth)).text()).not.toContain('evil.example');
    expect(await (await get('/admin?error=Session%20expired%3A%20log%20in%20at%20evil.example', adminAuth)).text()).not.toContain('evil.example');
  });

  it('shows queues with their counts and operates them: send a test message, purge', async () => {
    const { name } = await createQueue(uniqueName('dash'));
    await sqs('SendMessage', { QueueUrl: `${ORIGIN}/123456789012/${name}`, MessageBody: 'peek <me>' });
    const overview = await (await get('/admin', adminAuth)).text();
    expect(overview).toContain(`<a href="/admin/queues/${name}">${name}</a>`);

    const detail = await (await get(`/admin/queues/${name}`, adminAuth)).text();
    expect(detail).toContain('peek &lt;me&gt;');

    const sent = await post(`/admin/queues/${name}/send`, { body: 'from the form', delay: '0' });
    expect(sent.status).toBe(303);
    expect(sent.headers.get('location')).toMatch(new RegExp(`^/admin/queues/${name}\\?notice=Sent%20message%20`));
    const api = (await (await get(`/admin/api/queues/${name}`, adminAuth)).json()) as any;
    expect(api.visible).toBe(2);
    expect(api.messages.map((m: any) => m.body)).toEqual(['peek <me>', 'from the form']);

    const purged = await post(`/admin/queues/${name}/purge`);
    expect(purged.headers.get('location')).toContain('notice=Queue%20purged.');
    expect(((await (await get(`/admin/api/queues/${name}`, adminAuth)).json()) as any).visible).toBe(0);
    // AWS allows one purge a minute: the second is reported, not a 500.
    const again = await post(`/admin/queues/${name}/purge`);
    expect(again.headers.get('location')).toContain('error=');
  });

  it('refuses cross-site form posts', async () => {
    const { name } = await createQueue(uniqueName('csrf'));
    const forged = await post(`/admin/queues/${name}/purge`, {}, { origin: 'https://evil.example' });
    expect(forged.status).toBe(403);
  });

  it('reports invalid test messages as errors, and unknown or malformed queue names as 404', async () => {
    const { name } = await createQueue(uniqueName('bad'));
    const bad = await post(`/admin/queues/${name}/send`, { body: 'bad \u0001' });
    expect(decodeURIComponent(bad.headers.get('location') ?? '')).toMatch(/error=Invalid binary character/);
    expect((await get('/admin/queues/..%2Fetc', adminAuth)).status).toBe(404);
    expect((await get(`/admin/queues/${uniqueName('missing')}`, adminAuth)).status).toBe(404);
  });

  it('syncs now and shows the mapping', async () => {
    const source = await createQueue(uniqueName('src'));
    fakeLambdaApi({ functions: [{ FunctionName: 'app-dev-consumer' }], mappings: [esm(source.name, 'app-dev-consumer')] });
    const synced = await post('/admin/sync');
    expect(decodeURIComponent(synced.headers.get('location') ?? '')).toContain('Synced: 1 functions, 1 SQS mappings.');
    const detail = await (await get(`/admin/queues/${source.name}`, adminAuth)).text();
    expect(detail).toContain('function:app-dev-consumer');
    expect(await (await get('/admin', adminAuth)).text()).toContain('app-dev-consumer');
  });

  it('redrives a dead-letter queue back to its source', async () => {
    const dlq = await createQueue(uniqueName('dlq'));
    const source = await createQueue(uniqueName('src'), {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:us-east-1:123456789012:${dlq.name}`, maxReceiveCount: 1 }),
    });
    await sqs('SendMessage', { QueueUrl: source.url, MessageBody: 'dead' });
    await sqs('ReceiveMessage', { QueueUrl: source.url, VisibilityTimeout: 0 });
    expect((await sqs('ReceiveMessage', { QueueUrl: source.url })).Messages ?? []).toEqual([]);
    const dlqPage = await (await get(`/admin/queues/${dlq.name}`, adminAuth)).text();
    expect(dlqPage).toContain(`Redrive to ${source.name}`);
    expect(dlqPage).toContain('dead');
    const redriven = await post(`/admin/queues/${dlq.name}/redrive`);
    expect(redriven.headers.get('location')).toContain('notice=Redrive%20started');
    await vi.waitFor(async () => expect(((await (await get(`/admin/api/queues/${source.name}`, adminAuth)).json()) as any).visible).toBe(1), { timeout: 5000 });
  });

  it('shows a failed sync on the dashboard', async () => {
    const api = fakeLambdaApi({});
    api.failure = 403;
    const response = await post('/admin/sync');
    expect(decodeURIComponent(response.headers.get('location') ?? '')).toContain('Sync failed: AccessDeniedException (HTTP 403)');
    const overview = await (await get('/admin', adminAuth)).text();
    expect(overview).toContain('Last error: AccessDeniedException (HTTP 403)');
  });
});

describe('INDEX_PRIVATE', () => {
  it('takes any common spelling of yes, and only those', () => {
    for (const yes of ['true', 'TRUE', ' True ', '1', 'yes', 'on']) expect(indexIsPrivate(yes), yes).toBe(true);
    for (const no of [undefined, '', 'false', '0', 'no', 'off', 'truthy']) expect(indexIsPrivate(no), String(no)).toBe(false);
  });
});
