/**
 * Issue 12, point 3 (the cron's share): 40 functions and 10 SQS mappings, warming on (function URLs and direct
 * invokes), API Gateway read too. The cron runs every 5 minutes, 288 times a day; Workers Free allows 100,000 rows
 * written a day for all Durable Objects, and the cron's goal is ≤ 5,000 of them: ≤ 17 a run.
 */
import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { REGISTRY_NAME } from '../../src/shared/rpc';
import { fakeApiGateway, httpApiOf, restApiOf } from '../support/fake-api-gateway';
import { esm, fakeLambdaApi } from '../support/fake-lambda-api';
import { uniqueName } from '../support/sqs';

const registry = () => env.REGISTRY.getByName(REGISTRY_NAME);
const RUNS_PER_DAY = 288;

afterEach(() => vi.restoreAllMocks());

/** A log tail as Lambda returns it: base64 of the log's last 4 KB, REPORT line last (Init Duration on a cold start). */
export const logTail = (cold: boolean) =>
  btoa(
    `START RequestId: 1 Version: $LATEST\nEND RequestId: 1\nREPORT RequestId: 1\tDuration: 2.50 ms\tBilled Duration: 3 ms\tMemory Size: 256 MB\tMax Memory Used: 60 MB${cold ? '\tInit Duration: 150.25 ms' : ''}\t\n`,
  );

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
    expect(Math.max(...steady)).toBeLessThanOrEqual(17);
    expect(perDay).toBeLessThanOrEqual(5_000);
  });
});
