/**
 * What asynchronous delivery costs the queue's object (issue 13): the usage meter (src/shared/usage.ts) counts the
 * object's active time per activity; the alarm runs that deliver count as 'deliveries'. A function that runs 30 s
 * keeps a synchronous delivery's object active 30 s; handed over with an Event invocation it costs the hand-off
 * only. Goal: ≤ 50 ms of object time per asynchronous invocation, whatever the function runs.
 */
import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Mapping } from '../../src/delivery/mapping';
import { createQueue, sqs, uniqueName } from '../support/sqs';
import { fakeLambda, type Invocation } from './fake-lambda';

afterEach(() => vi.restoreAllMocks());

const base: Mapping = {
  functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:job',
  batchSize: 1,
  maximumBatchingWindowInSeconds: 0,
  reportBatchItemFailures: false,
  state: 'Disabled',
};
const stub = (name: string) => env.QUEUE.getByName(name);

/** Sends `n` messages one at a time, each delivered (and settled) before the next: one alarm run, one invocation each. */
async function deliverOneByOne(name: string, url: string, calls: Invocation[], n: number) {
  for (let i = 0; i < n; i++) {
    await sqs('SendMessage', { QueueUrl: url, MessageBody: `job ${i}` });
    await vi.waitFor(() => expect(calls.length).toBe(i + 1), { timeout: 10_000, interval: 5 });
    await vi.waitFor(async () => expect((await stub(name).stats()).delivery.counters.delivered).toBe(i + 1), { timeout: 10_000, interval: 5 });
  }
  const stats = await stub(name).stats();
  return { perInvocation: (stats.usage.activities.deliveries?.activeMs ?? 0) / stats.delivery.counters.invocations, invocations: stats.delivery.counters.invocations };
}

describe('object active time per invocation (usage meter)', () => {
  it('asynchronous: ≤ 50 ms per invocation while the function runs 30 s after its 202', async () => {
    // Lambda accepts at once and runs the 30 s function on its own side, after the 202: nothing here waits for it.
    const calls = fakeLambda(() => new Response(null, { status: 202 }));
    const { name, url } = await createQueue(uniqueName('async-cost'));
    await stub(name).setMapping({ ...base, functionTimeoutSeconds: 900, invocationMode: 'async', asyncReason: 'timeout' });
    const { perInvocation, invocations } = await deliverOneByOne(name, url, calls, 5);
    console.log(`asynchronous: ${perInvocation.toFixed(1)} ms of object time per invocation (${invocations} invocations)`);
    expect(calls.every((c) => c.headers['x-amz-invocation-type'] === 'Event')).toBe(true);
    expect(perInvocation).toBeLessThanOrEqual(50);
  });

  it('synchronous, for comparison: a 1 s function keeps the object active at least 1 s per invocation', async () => {
    const calls = fakeLambda(() => new Promise<Response>((resolve) => setTimeout(() => resolve(new Response('null', { status: 200 })), 1000)));
    const { name, url } = await createQueue(uniqueName('sync-cost'));
    await stub(name).setMapping({ ...base, functionTimeoutSeconds: 3 });
    const { perInvocation } = await deliverOneByOne(name, url, calls, 2);
    console.log(`synchronous (1 s function): ${perInvocation.toFixed(1)} ms of object time per invocation`);
    expect(calls.every((c) => c.headers['x-amz-invocation-type'] === 'RequestResponse')).toBe(true);
    expect(perInvocation).toBeGreaterThanOrEqual(1000);
  });
});
