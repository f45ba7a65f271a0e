/**
 * The pages in real headless Chromium (Debian's /usr/bin/chromium via playwright-core) against wrangler dev and the
 * Lambda emulator: index, login, queues and functions, Sync now, purge, send a test message and watch it delivered,
 * and the "Usage today" panel.
 * Screenshots go to test-output/screenshots/.
 */
import { CreateQueueCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { mkdirSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD } from '../../bench/support/wrangler';
import { queueArn, type Stack, startStack } from './support/stack';

const SHOTS = 'test-output/screenshots';
const EVIL = '<script>window.__xss=1</script>';
let stack: Stack;
let browser: Browser;
const delivered: string[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  stack = await startStack(
    [
      { name: 'shop-dev-api', description: 'Public HTTP API', url: { authType: 'NONE' }, handler: () => ({ statusCode: 200, body: 'ok' }) },
      {
        name: 'shop-dev-orders',
        description: 'Processes <b>orders</b>',
        handler: (event: any) => {
          for (const r of event.Records ?? []) delivered.push(r.body);
          return null;
        },
      },
      { name: `shop-dev-${EVIL}`, description: `<img src=x onerror="window.__xss=2">`, url: { authType: 'NONE' }, handler: () => ({ statusCode: 200 }) },
      // No URL, asks for warming: warmed by direct Invoke, 2 instances (cold starts from the emulator's Init Duration).
      { name: 'shop-dev-worker', description: 'Background jobs [sqsflare:warm=2]', memorySize: 512, handler: () => null },
    ],
    [{ EventSourceArn: queueArn('orders'), FunctionName: 'shop-dev-orders', State: 'Disabled' }],
    {},
    {
      httpApis: [{ apiId: 'h1t2t3p4a5', name: 'dev-shop', routes: [{ routeKey: 'GET /items', functionName: 'shop-dev-api' }, { routeKey: 'POST /orders', functionName: 'shop-dev-orders' }] }],
      restApis: [{ id: 'r1e2s3t4a5', name: 'dev-shop-legacy', stages: ['dev', 'prod'], methods: [{ httpMethod: 'GET', path: '/items', functionName: 'shop-dev-api' }] }],
    },
  );
  await stack.sqs.send(new CreateQueueCommand({ QueueName: 'parked' }));
  await stack.cron();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function adminPage(): Promise<Page> {
  const context = await browser.newContext({ httpCredentials: { username: 'admin', password: ADMIN_PASSWORD }, viewport: { width: 1280, height: 900 } });
  return context.newPage();
}

describe('in Chromium', () => {
  it('shows the index of function URLs, grouped, with names rendered as text', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${stack.dev.url}/`);
    await expect(page.locator('h2').allTextContents()).resolves.toContain('shop-dev');
    const link = page.getByRole('link', { name: /\/fn\/shop-dev-api\/$/ });
    await expect(link.getAttribute('href')).resolves.toMatch(/\/fn\/shop-dev-api\/$/);
    // The hostile name is shown as text and never runs.
    await expect(page.getByText(`shop-dev-${EVIL}`, { exact: true }).count()).resolves.toBe(1);
    expect(await page.evaluate(() => (globalThis as any).__xss)).toBeUndefined();
    await page.screenshot({ path: `${SHOTS}/index.png`, fullPage: true });
    await page.close();
  });

  it('shows each service’s entry points (function URLs, HTTP API and REST API stages) at 1280 and 390 px, no horizontal scroll', async () => {
    for (const width of [1280, 390]) {
      const page = await browser.newPage({ viewport: { width, height: 844 }, javaScriptEnabled: false });
      await page.goto(`${stack.dev.url}/`);
      const shop = page.locator('[data-service="shop-dev"]');
      await expect(shop.locator('[data-entry="http-api"]').textContent()).resolves.toMatch(/h1t2t3p4a5\.execute-api\.us-east-1\.amazonaws\.com\/[\s\S]*shop-dev-api, shop-dev-orders/);
      await expect(shop.locator('[data-entry="rest-api"] .url').count()).resolves.toBe(2);
      await expect(shop.locator('[data-entry="function-url"]').count()).resolves.toBe(2);
      await expect(shop.locator('[data-function="shop-dev-worker"]').textContent()).resolves.toContain('warmed by Invoke');
      expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      await page.screenshot({ path: `${SHOTS}/index-${width}.png`, fullPage: true });
      await page.close();
    }
  });

  it('shows cold starts, init durations and the warming cost on the dashboard at 1280 and 390 px', async () => {
    await stack.cron();
    for (const width of [1280, 390]) {
      const context = await browser.newContext({ httpCredentials: { username: 'admin', password: ADMIN_PASSWORD }, viewport: { width, height: 844 } });
      const page = await context.newPage();
      await page.goto(`${stack.dev.url}/admin`);
      const worker = page.locator('[data-function="shop-dev-worker"]');
      await expect(worker.textContent()).resolves.toContain('2 instances by direct Invoke');
      await expect(worker.locator('[data-cold-starts] svg.chart rect.bar').count()).resolves.toBeGreaterThanOrEqual(1);
      await expect(worker.locator('[data-cold-starts] svg.chart circle.point').count()).resolves.toBeGreaterThanOrEqual(1);
      await expect(page.locator('[data-cost="shop-dev-worker"]').textContent()).resolves.toContain('17,520');
      await expect(page.locator('[data-cost-total]').count()).resolves.toBe(1);
      expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      await page.screenshot({ path: `${SHOTS}/dashboard-${width}.png`, fullPage: true });
      await context.close();
    }
  });

  it('asks for the password before showing the dashboard', async () => {
    const page = await browser.newPage();
    const response = await page.request.get(`${stack.dev.url}/admin`);
    expect(response.status()).toBe(401);
    expect(response.headers()['www-authenticate']).toMatch(/^Basic realm=/);
    // Headless Chromium gives up on the login prompt rather than showing the page.
    await expect(page.goto(`${stack.dev.url}/admin`)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/);
    await page.close();
  });

  it('logs in, shows queues and functions with a ping chart, and syncs now', async () => {
    const page = await adminPage();
    await page.goto(`${stack.dev.url}/admin`);
    await expect(page.locator('tr[data-queue="orders"]').textContent()).resolves.toContain('shop-dev-orders');
    await expect(page.locator('tr[data-queue="parked"]').count()).resolves.toBe(1);
    const apiCard = page.locator('[data-function="shop-dev-api"]');
    await expect(apiCard.locator('svg.chart').count()).resolves.toBe(1);
    expect(await page.evaluate(() => (globalThis as any).__xss)).toBeUndefined();
    await page.screenshot({ path: `${SHOTS}/dashboard.png`, fullPage: true });

    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.waitForURL(/notice=/);
    await expect(page.getByRole('status').first().textContent()).resolves.toMatch(/Synced: 4 functions, 1 SQS mappings/);
    await expect(page.textContent('body')).resolves.toMatch(/No errors\./);
    await page.screenshot({ path: `${SHOTS}/synced.png`, fullPage: true });
    await page.close();
  });

  it('purges a queue', async () => {
    await stack.sqs.send(
      new SendMessageBatchCommand({ QueueUrl: `${stack.dev.url}/000000000000/parked`, Entries: ['a', 'b', 'c'].map((b) => ({ Id: b, MessageBody: `parked ${b}` })) }),
    );
    const page = await adminPage();
    await page.goto(`${stack.dev.url}/admin/queues/parked`);
    await expect(page.locator('[data-count="visible"]').textContent()).resolves.toBe('3');
    await expect(page.locator('tr.message').count()).resolves.toBe(3);
    await page.getByRole('button', { name: 'Purge queue' }).click();
    await page.waitForURL(/notice=/);
    await expect(page.getByRole('status').first().textContent()).resolves.toBe('Queue purged.');
    await expect(page.locator('[data-count="visible"]').textContent()).resolves.toBe('0');
    await page.screenshot({ path: `${SHOTS}/purged.png`, fullPage: true });
    await page.close();
  });

  it('sends a test message and shows its delivery', async () => {
    const page = await adminPage();
    await page.goto(`${stack.dev.url}/admin/queues/orders`);
    await page.fill('textarea[name="body"]', '{"order":"from the browser"}');
    await page.getByRole('button', { name: 'Send test message' }).click();
    await page.waitForURL(/notice=/);
    await expect(page.getByRole('status').first().textContent()).resolves.toMatch(/^Sent message [0-9a-f-]{36}\.$/);
    for (let i = 0; i < 50 && (await page.locator('tr.delivery').count()) === 0; i++) {
      await new Promise((r) => setTimeout(r, 200));
      await page.reload();
    }
    await expect(page.locator('tr.delivery').first().textContent()).resolves.toContain('success');
    // Duration and lateness charts of the logged invocations, drawn as inline SVG.
    await expect(page.locator('.charts svg.chart').count()).resolves.toBe(2);
    await expect(page.locator('.charts svg.chart circle.point').count()).resolves.toBeGreaterThanOrEqual(2);
    expect(delivered).toContain('{"order":"from the browser"}');
    await page.screenshot({ path: `${SHOTS}/delivered.png`, fullPage: true });
    await page.close();
  });

  it('shows usage today: a bar per quota and who spends it', async () => {
    await stack.sqs.send(
      new SendMessageBatchCommand({ QueueUrl: `${stack.dev.url}/000000000000/orders`, Entries: ['x', 'y'].map((b) => ({ Id: b, MessageBody: `usage ${b}` })) }),
    );
    for (let i = 0; i < 50 && !delivered.includes('usage y'); i++) await new Promise((r) => setTimeout(r, 100));
    const page = await adminPage();
    await page.goto(`${stack.dev.url}/admin`);
    const panel = page.locator('section[data-usage]');
    await expect(panel.locator('h2').textContent()).resolves.toMatch(/^Usage today \(\d{4}-\d{2}-\d{2}, Workers Free\)$/);
    await expect(panel.locator('tr[data-quota] svg.bar').count()).resolves.toBe(5);
    const written = Number(await panel.locator('tr[data-quota="rowsWritten"] td[data-used]').getAttribute('data-used'));
    expect(written).toBeGreaterThan(0);
    await expect(panel.locator('tr[data-quota="durationGbSeconds"] th').textContent()).resolves.toContain('(estimate)');
    await expect(panel.locator('tr[data-spender="orders"]').count()).resolves.toBe(1);
    await expect(panel.locator('tr[data-spender="deliveries"]').count()).resolves.toBe(1);
    const api = await stack.admin('/admin/api/usage');
    expect(api.quotas.map((q: { key: string }) => q.key)).toEqual(['doRequests', 'rowsWritten', 'rowsRead', 'durationGbSeconds', 'workerRequests']);
    await panel.screenshot({ path: `${SHOTS}/usage.png` });
    await page.close();
  });
});
