/**
 * Issue 12, point 3 (the cron's share): 40 functions and 10 SQS mappings, warming on (function URLs and direct
 * invokes), API Gateway read too. The cron runs every 5 minutes, 288 times a day; Workers Free allows 100,000 rows
 * written a day for all Durable Objects, and the cron's goal is ≤ 5,000 of them: ≤ 17 a run.
 */
import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { REGISTRY_NAME } from '../../src/shared/rpc';
import { fakeApiGateway, httpApiOf, restApiOf } from '../support/fake-api-gateway';
import { esm, fakeLambdaApi, logTail } from '../support/fake-lambda-api';
import { uniqueName } from '../support/sqs';

const registry = () => env.REGISTRY.getByName(REGISTRY_NAME);
const RUNS_PER_DAY = 288;

afterEach(() => vi.restoreAllMocks());

describe('the cron’s rows written', () => {
  it('40 functions, 10 mappings, warming on: at most 17 rows a run once synced (≤ 5,000 a day)', async () => {
    const names = Array.from({ length: 40 }, (_, i) => `rows-prod-fn${String(i).padStart(2, '0')}`);
    const functions = names.map((FunctionName, i) => ({
      FunctionName,
      // 10 with a URL (pinged), 5 without a URL but asking for warming by Invoke (2 instances each), 25 left cold.
      ...(i < 10 ? { url: { AuthType: 'NONE' } } : {}),
      ...(i >= 10 && i < 15 ? { Description: 'worker [sqsflare:warm=2]' } : {}),
    }));
    const queues = Array.from({ length: 10 }, () => uniqueName('rows'));
    let invokes = 0;
    fakeLambdaApi({
      functions,
      mappings: queues.map((q, i) => esm(q, names[20 + i])),
      invokeResponse: () => new Response('null', { headers: { 'X-Amz-Log-Result': logTail(invokes++ % 7 === 0) } }),
    });
    fakeApiGateway({ httpApis: [httpApiOf('aaaaaaaaa1', names.slice(0, 3)), httpApiOf('aaaaaaaaa2', names.slice(3, 5), ['dev', 'prod'])], restApis: [restApiOf('rrrrrrrrr1', names.slice(5, 8))] });
    const written: number[] = [];
    let now = Date.UTC(2026, 11, 1, 23, 30);
    for (let run = 0; run < 14; run++) {
      const before = (await registry().sqlTotals()).rowsWritten;
      const result = await registry().runCron(now);
      expect(result.sync.ok).toBe(true);
      written.push((await registry().sqlTotals()).rowsWritten - before);
      now += 5 * 60_000;
    }
    const steady = written.slice(3);
    const perDay = Math.max(...steady) * RUNS_PER_DAY;
    console.log(`cron rows written per run: ${written.join(', ')}; steady max ${Math.max(...steady)} → ${perDay} a day at 288 runs`);
    // Everything was done: 3 APIs stored, 10 invokes a run warmed, cold starts counted, all within the day rows.
    const state = await registry().registryState();
    expect(state.apis.filter((a) => /^(aaaaaaaaa|rrrrrrrrr)/.test(a.id))).toHaveLength(3);
    expect(state.warmDays.flatMap((d) => Object.values(d.functions)).reduce((n, c) => n + c.coldStarts, 0)).toBeGreaterThan(0);
    expect(state.functions.find((f) => f.name === names[10])?.pings.length).toBeGreaterThanOrEqual(26); // 2 a run; the first run spends its budget on the first sync
    expect(Math.max(...steady)).toBeLessThanOrEqual(17);
    expect(perDay).toBeLessThanOrEqual(5_000);
  });
});
