/**
 * The delivery engine over an in-memory port: no queue object, no SQL. What the engine asks of
 * the port, and what it settles through it, is the whole of its contract with the queue.
 */
import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Delivery } from '../../src/delivery/delivery';
import { SAVE_INTERVAL_MS } from '../../src/shared/usage';
import { fakeLambda, ok } from './fake-lambda';
import { ARN, mapping, memoryPort, message } from './memory-port';

afterEach(() => vi.restoreAllMocks());

describe('Delivery over a port', () => {
  it('delivers with the receipt and ARN the queue hands in, deletes through the port and ends its claims', async () => {
    const now = Date.now();
    const queue = memoryPort([message(1, now - 10), message(2, now - 5), message(3, now + 60_000)]);
    vi.spyOn(Date, 'now').mockReturnValueOnce(now - SAVE_INTERVAL_MS); // started 5 minutes ago: the report is due for saving
    const delivery = new Delivery(queue.port, env);
    let dueWhileOut: number | null = null;
    const calls = fakeLambda(() => {
      dueWhileOut = delivery.nextDue(Date.now());
      return ok();
    });
    delivery.setMapping(mapping());
    expect(await delivery.run(now)).toBe(false);
    expect(calls).toHaveLength(1);
    const records = calls[0].event.Records;
    expect(records.map((r: any) => r.body)).toEqual(['body 1', 'body 2']);
    expect(records[0]).toMatchObject({ eventSourceARN: ARN, awsRegion: env.AWS_REGION });
    expect(records[0].receiptHandle).toMatch(/^receipt:1:n1:\d+$/);
    expect(queue.done.deleted).toEqual([1, 2]);
    expect([...queue.held.keys()]).toEqual([3]);
    expect(queue.claims.size).toBe(0);
    // The claim's stored lease: one visibility timeout past the batch's taking.
    expect(queue.done.leases).toHaveLength(1);
    expect(queue.done.leases[0]).toBeGreaterThanOrEqual(now + 30_000);
    // While the batch was out, the next waiting message was the next due time (the port keeps leased rows back).
    expect(dueWhileOut).toBe(now + 60_000);
    expect(delivery.report().counters).toMatchObject({ invocations: 1, delivered: 2, alarmRuns: 1 });
    expect(queue.state.get('report')).toMatchObject({ counters: { delivered: 2 } });
  });

  it('returns a failed batch with its receive count raised, and dead-letters it at maxReceiveCount', async () => {
    const calls = fakeLambda(() => new Response('{"errorMessage":"boom"}', { status: 200, headers: { 'X-Amz-Function-Error': 'Unhandled' } }));
    const now = Date.now();
    const queue = memoryPort([message(1, now - 1), message(2, now - 1, 1)], { maxReceiveCount: 2, visibilityTimeoutSeconds: 45 });
    const delivery = new Delivery(queue.port, env);
    delivery.setMapping(mapping());
    await delivery.run(now);
    expect(calls).toHaveLength(1);
    const returned = queue.held.get(1)!;
    expect(returned.receiveCount).toBe(1);
    expect(returned.visibleAt).toBeGreaterThanOrEqual(now + 45_000);
    expect(returned.firstReceivedAt).toBeGreaterThanOrEqual(now);
    expect(queue.done.deadLettered.map((m) => m.seq)).toEqual([2]);
    expect(delivery.report().counters).toMatchObject({ failures: 1, deadLettered: 1, delivered: 0 });
  });

  it('returns a failed batch at the visibility timeout when the function is known to be done, at the lease when it may still run', async () => {
    const now = Date.now();
    const settleAfter = async (respond: () => Response | Promise<Response>) => {
      fakeLambda(respond);
      const queue = memoryPort([message(1, now - 1)], { visibilityTimeoutSeconds: 2 });
      const delivery = new Delivery(queue.port, env);
      // Timeout 1 s: a call is waited for 6 s (the Timeout and a margin), and the lease lasts as long.
      delivery.setMapping(mapping({ functionTimeoutSeconds: 1 }));
      await delivery.run(now);
      vi.restoreAllMocks();
      return queue.held.get(1)!.visibleAt - now;
    };
    const functionError = await settleAfter(() => new Response('{}', { status: 200, headers: { 'X-Amz-Function-Error': 'Unhandled' } }));
    expect(functionError).toBeGreaterThanOrEqual(2_000);
    expect(functionError).toBeLessThan(6_000);
    const serverError = await settleAfter(() => new Response('{}', { status: 500 }));
    expect(serverError).toBeLessThan(6_000);
    const dropped = await settleAfter(() => Promise.reject(new TypeError('network connection lost')));
    expect(dropped).toBeGreaterThanOrEqual(6_000);
  });

  it('starts whole waves in a run: 48 invocations of 6 at once, not 50 ending in a partial wave', async () => {
    const now = Date.now();
    const calls = fakeLambda(() => ok());
    const queue = memoryPort(Array.from({ length: 60 }, (_, i) => message(i + 1, now - 1)));
    const delivery = new Delivery(queue.port, env);
    delivery.setMapping(mapping({ batchSize: 1 }));
    expect(await delivery.run(now)).toBe(true); // more is due: the caller re-arms at once
    expect(calls).toHaveLength(48);
  });

  it('sends messages already past maxReceiveCount to the dead-letter queue without invoking', async () => {
    const calls = fakeLambda(() => ok());
    const now = Date.now();
    const queue = memoryPort([message(1, now - 1, 3)], { maxReceiveCount: 3 });
    const delivery = new Delivery(queue.port, env);
    delivery.setMapping(mapping());
    await delivery.run(now);
    expect(calls).toHaveLength(0);
    expect(queue.done.deadLettered.map((m) => m.seq)).toEqual([1]);
  });

  it('says when the alarm is due: not without a mapping, at the window, now for a full batch, at the lease while claims are out', () => {
    const now = Date.now();
    const queue = memoryPort([message(1, now - 1000), message(2, now - 500)]);
    const delivery = new Delivery(queue.port, env);
    expect(delivery.nextDue(now)).toBeNull();
    delivery.setMapping(mapping({ batchSize: 3, maximumBatchingWindowInSeconds: 5 }));
    expect(delivery.nextDue(now)).toBe(now - 1000 + 5000);
    delivery.setMapping(mapping({ batchSize: 2, maximumBatchingWindowInSeconds: 5 }));
    expect(delivery.nextDue(now)).toBe(now);
    delivery.setMapping(mapping());
    expect(delivery.nextDue(now)).toBe(now - 1000);
  });

  it('restores its mapping and report from the state the port saved', async () => {
    fakeLambda(() => ok());
    const now = Date.now();
    const queue = memoryPort([message(1, now - 1)]);
    // An object started 5 minutes ago: its report is due for saving (saved at most every SAVE_INTERVAL_MS from the start).
    vi.spyOn(Date, 'now').mockReturnValueOnce(now - SAVE_INTERVAL_MS);
    const first = new Delivery(queue.port, env);
    first.setMapping(mapping({ batchSize: 7 }));
    await first.run(now);
    const restarted = new Delivery(queue.port, env);
    restarted.load();
    expect(restarted.mapping).toMatchObject({ batchSize: 7 });
    expect(restarted.report().counters).toMatchObject({ delivered: 1, invocations: 1 });
    restarted.reset();
    expect(restarted.mapping).toBeNull();
    expect(restarted.report().counters.delivered).toBe(0);
  });
});
