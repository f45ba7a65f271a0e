import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { REGISTRY_NAME } from '../../src/shared/rpc';
import { coldStartLikely, MAX_PARALLEL_PINGS, warmFunctionUrls } from '../../src/registry/warming';
import { fakeLambdaApi } from '../support/fake-lambda-api';

const registry = () => env.REGISTRY.getByName(REGISTRY_NAME);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const publicTargets = (names: string[]) => names.map((name) => ({ functionName: name, url: `https://urls.test/${name}/`, authType: 'NONE', usualLatencyMs: null }));
const numbered = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
/** Function URLs that answer 200 after `ms`, so that pings overlap. */
const slowUrls = (ms: number) =>
  fakeLambdaApi({
    urlResponse: async () => {
      await sleep(ms);
      return new Response('ok');
    },
  });
const urlPings = (api: ReturnType<typeof fakeLambdaApi>) => api.requests.filter((r) => r.url.startsWith('https://urls.test/'));

afterEach(() => vi.restoreAllMocks());

describe('warming', () => {
  it('pings each URL once, N times for warm=N, never the opted-out, and signs AWS_IAM URLs', async () => {
    const api = fakeLambdaApi({
      functions: [
        { FunctionName: 'web-dev-api', url: { AuthType: 'NONE' } },
        { FunctionName: 'web-dev-busy', Description: 'hot path [sqsflare:warm=3]', url: { AuthType: 'NONE' } },
        { FunctionName: 'web-dev-batch', Description: '[sqsflare:nowarm] nightly', url: { AuthType: 'NONE' } },
        { FunctionName: 'web-dev-admin', url: { AuthType: 'AWS_IAM' } },
        { FunctionName: 'web-dev-worker' },
      ],
    });
    expect((await registry().sync()).ok).toBe(true);
    const results = await registry().warm();
    const byFunction = (name: string) => urlPings(api).filter((r) => r.url === `https://urls.test/${name}/`);
    expect(byFunction('web-dev-api')).toHaveLength(1);
    expect(byFunction('web-dev-busy')).toHaveLength(3);
    expect(byFunction('web-dev-batch')).toHaveLength(0);
    expect(byFunction('web-dev-admin')[0].authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=lambda-key\/\d{8}\/us-east-1\/lambda\//);
    expect(byFunction('web-dev-api')[0].authorization).toBeNull();
    expect(results).toHaveLength(5);
    expect(results.every((r) => r.status === 200 && r.latencyMs !== null)).toBe(true);
    const state = await registry().registryState();
    expect(state.functions.find((f) => f.name === 'web-dev-busy')!.pings).toHaveLength(3);
    expect(state.sync.lastWarmAt).toBeGreaterThan(0);
  });

  it('records failures and timeouts without stopping the other pings', async () => {
    const api = fakeLambdaApi({
      urlResponse: (url) => {
        if (url.includes('broken')) return new Response('boom', { status: 502 });
        if (url.includes('stuck')) return new Promise<Response>(() => {});
        return new Response('ok');
      },
    });
    const targets = publicTargets(['fine', 'broken', 'stuck']);
    const started = Date.now();
    const { results } = await warmFunctionUrls(env, targets, { timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(3000);
    const by = Object.fromEntries(results.map((r) => [r.functionName, r]));
    expect(by.fine).toMatchObject({ status: 200 });
    expect(by.fine.error).toBeUndefined();
    expect(by.broken).toMatchObject({ status: 502, error: 'HTTP 502' });
    expect(by.stuck).toMatchObject({ status: null, latencyMs: null, error: 'timed out after 300 ms' });
    expect(urlPings(api)).toHaveLength(3);
  });

  it(`keeps at most ${MAX_PARALLEL_PINGS} pings in flight and at most 40 per run`, async () => {
    const api = slowUrls(20);
    const targets = publicTargets(numbered(45, 'f'));
    const { results, skipped } = await warmFunctionUrls(env, targets, { concurrency: 50 });
    expect(results).toHaveLength(40);
    expect(skipped).toBe(5);
    expect(api.maxInFlightUrls).toBe(MAX_PARALLEL_PINGS);
  });

  it('flags a ping much slower than usual as a likely cold start', () => {
    expect(coldStartLikely(1500, 80)).toBe(true);
    expect(coldStartLikely(900, 80)).toBe(false);
    expect(coldStartLikely(2500, 1000)).toBe(false);
    expect(coldStartLikely(1200, null)).toBe(true);
  });

  it('with 20 URLs never has more than 6 in flight, and stamps pings with the run time', async () => {
    const api = slowUrls(10);
    const targets = publicTargets(numbered(20, 'p'));
    const { results, skipped } = await warmFunctionUrls(env, targets, { now: 1234 });
    expect(results).toHaveLength(20);
    expect(skipped).toBe(0);
    expect(api.maxInFlightUrls).toBeGreaterThan(1);
    expect(api.maxInFlightUrls).toBeLessThanOrEqual(6);
    expect(results.every((r) => r.at === 1234 && r.latencyMs !== null && r.latencyMs >= 0)).toBe(true);
  });

  it('honours a lower per-run cap (what runCron passes after the sync spent part of the budget)', async () => {
    fakeLambdaApi();
    const targets = publicTargets(numbered(10, 'c'));
    const { results, skipped } = await warmFunctionUrls(env, targets, { maxPings: 4 });
    expect(results).toHaveLength(4);
    expect(skipped).toBe(6);
  });
});
