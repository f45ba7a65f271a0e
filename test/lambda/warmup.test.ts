import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PageBudget } from '../../src/lambda/list';
import { decodeLogResult, invokeForWarmup, parseReportLine, WARMUP_CLIENT_CONTEXT, WARMUP_PAYLOAD } from '../../src/lambda/warmup';
import { FREE_GB_SECONDS_PER_MONTH, warmingCost, warmingCosts } from '../../src/lambda/warming-cost';

afterEach(() => vi.restoreAllMocks());

// REPORT lines as the Lambda docs print them (nodejs-logging.html: tab-separated, Init Duration on a cold start;
// python-logging.html: X-Ray fields after it), the older space-separated form, and SnapStart's restore.
const COLD = 'REPORT RequestId: c793869b-ee49-115b-a5b6-4fd21e8dedac\tDuration: 170.19 ms\tBilled Duration: 171 ms\tMemory Size: 128 MB\tMax Memory Used: 73 MB\tInit Duration: 168.45 ms\t';
const WARM_XRAY =
  'REPORT RequestId: 1ef8b1d4-xmpl-4de4-a6c4-4c0a0b3d0b25\tDuration: 2.75 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 56 MB\t\nXRAY TraceId: 1-5d9d007f-0a8c7fd02xmpl480aed55ef0\tSegmentId: 3d752xmpl1bbe37e\tSampled: true';
const OLD = 'REPORT RequestId: a0537bcb-712d-11e4-8c97-af075a3c0929 Duration: 718.65 ms Billed Duration: 800 ms Memory Size: 128 MB Max Memory Used: 14 MB';
const SNAPSTART = 'REPORT RequestId: 0f3b5c1e\tDuration: 21.94 ms\tBilled Duration: 264 ms\tMemory Size: 512 MB\tMax Memory Used: 101 MB\tRestore Duration: 474.16 ms\tBilled Restore Duration: 242 ms';

const tail = (...lines: string[]) => btoa(lines.join('\n'));

describe('the plugin payload', () => {
  it('sends serverless-plugin-warmup\'s default payload, and the same as client context custom data', () => {
    expect(WARMUP_PAYLOAD).toBe(JSON.stringify({ source: 'serverless-plugin-warmup' }));
    expect(JSON.parse(atob(WARMUP_CLIENT_CONTEXT))).toEqual({ custom: { source: 'serverless-plugin-warmup' } });
  });
});

describe('parseReportLine', () => {
  it('reads a cold start: Init Duration present', () => {
    expect(parseReportLine(`START RequestId: c793869b Version: $LATEST\nEND RequestId: c793869b\n${COLD}\n`)).toEqual({
      requestId: 'c793869b-ee49-115b-a5b6-4fd21e8dedac',
      durationMs: 170.19,
      billedDurationMs: 171,
      memorySizeMb: 128,
      maxMemoryUsedMb: 73,
      initDurationMs: 168.45,
    });
  });

  it('reads a warm invocation (no Init Duration) with X-Ray fields after it, and the space-separated form', () => {
    expect(parseReportLine(WARM_XRAY)).toEqual({ requestId: '1ef8b1d4-xmpl-4de4-a6c4-4c0a0b3d0b25', durationMs: 2.75, billedDurationMs: 3, memorySizeMb: 128, maxMemoryUsedMb: 56 });
    expect(parseReportLine(OLD)).toMatchObject({ durationMs: 718.65, billedDurationMs: 800, memorySizeMb: 128, maxMemoryUsedMb: 14 });
    expect(parseReportLine(OLD)).not.toHaveProperty('initDurationMs');
  });

  it('reads a SnapStart restore without taking Billed Restore Duration for the billed duration', () => {
    expect(parseReportLine(SNAPSTART)).toMatchObject({ durationMs: 21.94, billedDurationMs: 264, restoreDurationMs: 474.16 });
  });

  it('gives undefined without a complete REPORT line', () => {
    expect(parseReportLine('')).toBeUndefined();
    expect(parseReportLine('2026-01-01T00:00:00.000Z\tabc\tINFO\tREPORT is not at the start')).toBeUndefined();
    expect(parseReportLine('REPORT RequestId: x\tDuration: 1 ms')).toBeUndefined();
  });

  it('decodes a log tail cut inside a UTF-8 character', () => {
    const bytes = new TextEncoder().encode(`é\n${COLD}`).slice(1);
    const cut = btoa(String.fromCharCode(...bytes));
    expect(parseReportLine(decodeLogResult(cut))?.initDurationMs).toBe(168.45);
    expect(decodeLogResult(null)).toBe('');
  });
});

/** Invoke on lambda.test: records each request's headers and body, keeps n in flight for 20 ms, answers with `log`. */
function fakeInvoke(log: (i: number) => string) {
  const seen: { headers: Headers; body: string }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let count = 0;
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const request = new Request(input as RequestInfo, init);
    const i = count++;
    seen.push({ headers: request.headers, body: await request.text() });
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    await new Promise((r) => setTimeout(r, 20));
    inFlight--;
    return new Response('"warmed"', { headers: { 'X-Amz-Log-Result': log(i), 'X-Amz-Executed-Version': '$LATEST' } });
  });
  return { seen, maxInFlight: () => maxInFlight };
}

describe('invokeForWarmup', () => {
  it('sends n invocations at once with the plugin payload, client context and Tail, and counts cold starts', async () => {
    const fake = fakeInvoke((i) => tail(i < 2 ? COLD : WARM_XRAY));
    const budget = new PageBudget(10);
    const result = await invokeForWarmup(env, 'orders-dev-api', 3, budget);
    expect(fake.seen).toHaveLength(3);
    expect(fake.maxInFlight()).toBe(3);
    for (const { headers, body } of fake.seen) {
      expect(body).toBe('{"source":"serverless-plugin-warmup"}');
      expect(headers.get('X-Amz-Log-Type')).toBe('Tail');
      expect(headers.get('X-Amz-Client-Context')).toBe(WARMUP_CLIENT_CONTEXT);
      expect(headers.get('X-Amz-Invocation-Type')).toBe('RequestResponse');
    }
    expect(result.coldStarts).toBe(2);
    expect(result.skipped).toBe(0);
    expect(result.invocations.map((i) => i.report?.billedDurationMs)).toEqual([171, 171, 3]);
    expect(budget.used).toBe(3);
  });

  it('sends only what the budget allows and says how many it skipped', async () => {
    const fake = fakeInvoke(() => tail(WARM_XRAY));
    const result = await invokeForWarmup(env, 'f', 5, new PageBudget(2));
    expect(fake.seen).toHaveLength(2);
    expect(result).toMatchObject({ coldStarts: 0, skipped: 3 });
  });

  it('reports a failed invocation without a report and does not throw', async () => {
    vi.spyOn(globalThis, 'fetch').mockResolvedValue(Response.json({ message: 'Rate Exceeded.' }, { status: 429 }));
    const result = await invokeForWarmup(env, 'f', 1, new PageBudget(5));
    expect(result.invocations).toEqual([{ kind: 'throttled', status: 429, error: '{"message":"Rate Exceeded."}', roundTripMs: expect.any(Number), coldStart: false }]);
  });
});

describe('warming cost', () => {
  it('counts invocations per month and GB-seconds against the free tier', () => {
    // Every 5 minutes for 730 hours: 8,760 runs; 2 instances → 17,520 invocations.
    const cost = warmingCost({ functionName: 'api', instances: 2, intervalMinutes: 5, memorySizeMb: 1024, billedDurationMs: 100 });
    expect(cost.invocationsPerMonth).toBe(17_520);
    expect(cost.gbSecondsPerMonth).toBeCloseTo(1752, 6);
    expect(cost.shareOfFreeRequests).toBeCloseTo(0.01752, 8);
    expect(cost.shareOfFreeGbSeconds).toBeCloseTo(1752 / FREE_GB_SECONDS_PER_MONTH, 10);
  });

  it('adds the functions up, since the free tier is per account', () => {
    const { functions, total } = warmingCosts([
      { functionName: 'a', instances: 1, intervalMinutes: 5, memorySizeMb: 128, billedDurationMs: 3 },
      { functionName: 'b', instances: 10, intervalMinutes: 5, memorySizeMb: 512, billedDurationMs: 10 },
    ]);
    expect(functions.map((f) => f.invocationsPerMonth)).toEqual([8760, 87_600]);
    expect(total.invocationsPerMonth).toBe(96_360);
    expect(total.gbSecondsPerMonth).toBeCloseTo(8760 * 0.003 * 0.125 + 87_600 * 0.01 * 0.5, 6);
  });
});
