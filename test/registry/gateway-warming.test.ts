/**
 * Issue 14 in the registry: API Gateway read by the sync (paging, the per-run budget spread over runs, a missing
 * permission as a note), the index per service with its entry points, and warming by direct Invoke (the plugin's
 * payload, N invocations at once, cold starts counted from Init Duration, what it costs).
 */
import { env, SELF } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WARMUP_PAYLOAD } from '../../src/lambda/warmup';
import { SUBREQUESTS_PER_REGISTRY_RUN } from '../../src/shared/platform';
import { REGISTRY_NAME } from '../../src/shared/rpc';
import { fakeApiGateway, httpApiOf, restApiOf } from '../support/fake-api-gateway';
import { fakeLambdaApi, logTail } from '../support/fake-lambda-api';
import { ORIGIN } from '../support/sqs';

const registry = () => env.REGISTRY.getByName(REGISTRY_NAME);
const adminAuth = { authorization: `Basic ${btoa('admin:test-admin')}` };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterEach(() => vi.restoreAllMocks());

describe('API Gateway in the registry', () => {
  it('follows every page of both listings, stores each API once, and shows the entry points per service', async () => {
    fakeLambdaApi({ functions: [{ FunctionName: 'gw-dev-api', url: { AuthType: 'NONE' } }, { FunctionName: 'gw-dev-orders' }, { FunctionName: 'gw-dev-admin' }] });
    const gw = fakeApiGateway({
      pageSize: 1,
      httpApis: [httpApiOf('gwhttp0001', ['gw-dev-api', 'gw-dev-orders']), httpApiOf('gwhttp0002', ['gw-dev-admin'], ['dev', 'prod'])],
      restApis: [restApiOf('gwrest0001', ['gw-dev-orders']), restApiOf('gwrest0002', [], ['v1'])],
    });
    const result = await registry().sync();
    expect(result).toMatchObject({ ok: true, progress: { apis: 4 } });
    // Listings of 1 item a page: 2 + 1 pages of /v2/apis (the last empty-next), 2 of /restapis.
    expect(gw.requests.filter((r) => r.path === '/v2/apis').length).toBeGreaterThanOrEqual(2);
    expect(gw.requests.filter((r) => r.path === '/restapis').length).toBeGreaterThanOrEqual(2);
    expect(gw.requests.every((r) => r.authorization?.includes('/us-east-1/apigateway/aws4_request'))).toBe(true);
    const index = (await (await SELF.fetch(`${ORIGIN}/index.json`)).json()) as any;
    const service = index.services.find((s: any) => s.service === 'gw-dev');
    expect(service.entryPoints).toEqual([
      { kind: 'http-api', name: 'api-gwhttp0001', urls: [{ stage: '$default', url: 'https://gwhttp0001.execute-api.us-east-1.amazonaws.com/' }], functions: ['gw-dev-api', 'gw-dev-orders'] },
      {
        kind: 'http-api',
        name: 'api-gwhttp0002',
        urls: [
          { stage: 'dev', url: 'https://gwhttp0002.execute-api.us-east-1.amazonaws.com/dev' },
          { stage: 'prod', url: 'https://gwhttp0002.execute-api.us-east-1.amazonaws.com/prod' },
        ],
        functions: ['gw-dev-admin'],
      },
      { kind: 'rest-api', name: 'rest-gwrest0001', urls: [{ stage: 'dev', url: 'https://gwrest0001.execute-api.us-east-1.amazonaws.com/dev' }], functions: ['gw-dev-orders'] },
      { kind: 'function-url', name: 'gw-dev-api', urls: [{ stage: null, url: 'https://urls.test/gw-dev-api/' }], functions: ['gw-dev-api'] },
    ]);
    // An API reaching no function is a service of its own name.
    expect(index.services.find((s: any) => s.service === 'rest-gwrest0002').entryPoints[0].urls[0].url).toMatch(/gwrest0002.*\/v1$/);
    const page = await (await SELF.fetch(`${ORIGIN}/`)).text();
    expect(page).toContain('https://gwhttp0002.execute-api.us-east-1.amazonaws.com/prod');
    expect(page).toContain('REST API');

    // Unchanged APIs are not written again; an API gone from a complete listing is forgotten.
    const before = (await registry().sqlTotals()).rowsWritten;
    await registry().sync(Date.now() + 1000);
    expect((await registry().sqlTotals()).rowsWritten - before).toBeLessThanOrEqual(1);
    gw.restApis.pop();
    expect(await registry().sync(Date.now() + 2000)).toMatchObject({ ok: true, progress: { apis: 3 } });
  });

  it('spreads many APIs over runs within the budget, resuming where the last run stopped', async () => {
    fakeLambdaApi({ functions: [{ FunctionName: 'many-dev-fn' }] });
    const gw = fakeApiGateway({ httpApis: Array.from({ length: 30 }, (_, i) => httpApiOf(`many${String(i).padStart(6, '0')}`, ['many-dev-fn'])) });
    const described = new Set<string>();
    let runs = 0;
    for (; runs < 10 && described.size < 30; runs++) {
      gw.requests.length = 0;
      const result = await registry().sync(Date.now() + runs * 1000);
      if (!result.ok) throw new Error(result.error);
      expect(result.subrequests).toBeLessThanOrEqual(SUBREQUESTS_PER_REGISTRY_RUN);
      for (const r of gw.requests) if (r.path.endsWith('/stages')) described.add(r.path.split('/')[3]);
    }
    expect(described.size).toBe(30);
    expect(runs).toBeGreaterThan(1);
    expect((await registry().registryState()).apis.filter((a) => a.id.startsWith('many'))).toHaveLength(30);
  });

  it('a missing apigateway:GET is a note on the dashboard, not a failed sync, and forgets nothing', async () => {
    fakeLambdaApi({ functions: [{ FunctionName: 'deny-dev-fn' }] });
    const gw = fakeApiGateway({ httpApis: [httpApiOf('denyhttp01', ['deny-dev-fn'])], restApis: [restApiOf('denyrest01', ['deny-dev-fn'])] });
    expect(await registry().sync()).toMatchObject({ ok: true });
    gw.denied = ['/v2/apis'];
    const result = await registry().sync(Date.now() + 1000);
    expect(result.ok).toBe(true);
    const state = await registry().registryState();
    expect(state.sync.apiGateway.notes.join()).toMatch(/no permission to read \/v2\/apis.*apigateway:GET/);
    expect(state.apis.map((a) => a.id)).toEqual(expect.arrayContaining(['denyhttp01', 'denyrest01']));
    const overview = await (await SELF.fetch(`${ORIGIN}/admin`, { headers: adminAuth })).text();
    expect(overview).toContain('data-apigw-note');
    expect(overview).toContain('no permission to read /v2/apis');
  });
});

describe('warming by direct Invoke', () => {
  it('invokes N instances at once with the plugin payload, counts cold starts from Init Duration, and shows the cost', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const payloads: string[] = [];
    let calls = 0;
    const api = fakeLambdaApi({
      functions: [
        { FunctionName: 'inv-dev-worker', Description: 'jobs [sqsflare:warm=3]', MemorySize: 512 },
        { FunctionName: 'inv-dev-idle' },
        { FunctionName: 'inv-dev-single', Description: '[sqsflare:warm]' },
      ],
      invokeResponse: async (_name, payload) => {
        payloads.push(payload);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await sleep(30);
        inFlight--;
        // The first invocation of each instance starts a new environment: Init Duration in its REPORT line.
        return new Response('null', { headers: { 'X-Amz-Log-Result': logTail(calls++ < 4, 12) } });
      },
    });
    await registry().sync();
    const first = await registry().warm(Date.UTC(2026, 11, 1, 10));
    expect(first.filter((r) => r.functionName === 'inv-dev-worker')).toHaveLength(3);
    expect(first.filter((r) => r.functionName === 'inv-dev-idle')).toHaveLength(0);
    expect(maxInFlight).toBe(3);
    expect(new Set(payloads)).toEqual(new Set([WARMUP_PAYLOAD]));
    await registry().warm(Date.UTC(2026, 11, 1, 10, 5));
    const invokes = api.requests.filter((r) => r.url.endsWith('/invocations'));
    expect(invokes).toHaveLength(8);

    const state = await registry().registryState();
    const day = state.warmDays.find((d) => d.day === '2026-12-01');
    expect(day?.functions['inv-dev-worker']).toMatchObject({ invocations: 6, coldStarts: 3, initMsMax: 150.25, billedMsSum: 72 });
    expect(day?.functions['inv-dev-single']).toMatchObject({ invocations: 2, coldStarts: 1 });
    const worker = state.functions.find((f) => f.name === 'inv-dev-worker');
    expect(worker?.pings.filter((p) => p.initDurationMs === 150.25)).toHaveLength(3);

    const overview = await (await SELF.fetch(`${ORIGIN}/admin`, { headers: adminAuth })).text();
    expect(overview).toMatch(/data-function="inv-dev-worker"[\s\S]*?data-cold-starts/);
    // 3 instances x 8,760 runs a month (730 h / 5 min) = 26,280 invocations, 2.63 % of the free million;
    // 26,280 x 12 ms x 0.5 GB = 157.7 GB-s.
    expect(overview).toMatch(/data-cost="inv-dev-worker"[\s\S]*?26,280[\s\S]*?2\.63 %[\s\S]*?157\.7/);
    expect(overview).toContain('data-cost-total');
  });
});
