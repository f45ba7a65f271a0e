/**
 * Asynchronous delivery (issue 13) over an in-memory port: which functions are invoked with
 * `X-Amz-Invocation-Type: Event`, what Lambda's 202 settles, what a failure before it does, and how batches are
 * split to fit the asynchronous payload limit (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html).
 */
import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ASYNC_MAX_PAYLOAD_BYTES, packRecords } from '../../src/delivery/batching';
import { Delivery } from '../../src/delivery/delivery';
import { invocationOf, withFunction } from '../../src/delivery/mapping';
import { payloadLimitOf } from '../../src/lambda/client';
import { asyncTagged } from '../../src/registry/functions';
import { invocationNote } from '../../src/web/views';
import { fakeLambda } from './fake-lambda';
import { mapping, memoryPort, message } from './memory-port';

afterEach(() => vi.restoreAllMocks());

const accepted = () => new Response(null, { status: 202 });
const big = (seq: number, visibleAt: number, bytes: number) => ({ ...message(seq, visibleAt), body: 'x'.repeat(bytes) });
const eventBytes = (call: { event: unknown }) => new TextEncoder().encode(JSON.stringify(call.event)).byteLength;

describe('which functions are delivered asynchronously', () => {
  it('[sqsflare:async] in the Description, or a Timeout of 14 minutes or more; everything else synchronously', () => {
    expect(asyncTagged('Exports orders [sqsflare:async]')).toBe(true);
    expect(asyncTagged('[SQSFLARE:ASYNC] [sqsflare:warm=2]')).toBe(true);
    expect(asyncTagged('Says hello')).toBe(false);
    expect(invocationOf(withFunction(mapping(), { asyncTag: true, timeoutSeconds: 30 }))).toEqual({ mode: 'async', reason: 'tag' });
    expect(invocationOf(withFunction(mapping(), { asyncTag: false, timeoutSeconds: 900 }))).toEqual({ mode: 'async', reason: 'timeout' });
    expect(invocationOf(withFunction(mapping(), { asyncTag: false, timeoutSeconds: 840 }))).toEqual({ mode: 'async', reason: 'timeout' });
    expect(invocationOf(withFunction(mapping(), { asyncTag: false, timeoutSeconds: 839 }))).toEqual({ mode: 'sync', reason: null });
    expect(invocationOf(mapping())).toEqual({ mode: 'sync', reason: null });
    // A registry that fills only the Timeout still gets asynchronous delivery for a 15-minute function.
    expect(invocationOf(mapping({ functionTimeoutSeconds: 900 }))).toEqual({ mode: 'async', reason: 'timeout' });
    // Synchronous mappings are left as they were (their Timeout would also change leases: issue 10's registry work).
    expect(withFunction(mapping(), { asyncTag: false, timeoutSeconds: 60 })).toEqual(mapping());
    expect(withFunction(mapping(), { asyncTag: true, timeoutSeconds: 60 })).toMatchObject({ functionTimeoutSeconds: 60, invocationMode: 'async' });
  });

  it('the dashboard says why, and that ReportBatchItemFailures cannot apply', () => {
    expect(invocationNote(mapping())).toBeNull();
    expect(invocationNote(null)).toBeNull();
    const tagged = invocationNote(withFunction(mapping({ reportBatchItemFailures: true }), { asyncTag: true }));
    expect(tagged).toMatch(/asynchronously .*Event.*\[sqsflare:async\]/);
    expect(tagged).toMatch(/ReportBatchItemFailures cannot apply.*asks for it; it is ignored/);
    expect(invocationNote(withFunction(mapping(), { asyncTag: false, timeoutSeconds: 900 }))).toMatch(/Timeout \(900 s\) is 14 minutes or more/);
  });
});

describe('asynchronous hand-off', () => {
  it('invokes with X-Amz-Invocation-Type: Event; the 202 deletes the batch and counts it delivered', async () => {
    const calls = fakeLambda(() => accepted());
    const now = Date.now();
    const queue = memoryPort([message(1, now - 2), message(2, now - 1)], { visibilityTimeoutSeconds: 30 });
    const delivery = new Delivery(queue.port, env);
    delivery.setMapping(mapping({ invocationMode: 'async', asyncReason: 'tag', functionTimeoutSeconds: 900, reportBatchItemFailures: true }));
    expect(await delivery.run(now)).toBe(false);
    expect(calls).toHaveLength(1);
    expect(calls[0].headers['x-amz-invocation-type']).toBe('Event');
    expect(calls[0].event.Records.map((r: any) => r.body)).toEqual(['body 1', 'body 2']);
    expect(queue.done.deleted).toEqual([1, 2]);
    // Leased for the visibility timeout, not the function's 900 s: nothing waits on the function.
    expect(queue.done.leases[0]).toBeLessThan(now + 31_000);
    const report = delivery.report();
    expect(report.counters).toMatchObject({ invocations: 1, delivered: 2, failures: 0 });
    expect(report.log[0]).toMatchObject({ outcome: 'success', status: 202, invocationType: 'Event', messages: 2 });
  });

  it('a 5xx before the 202 is a failure: back after the lease with the receive counted, dead-lettered at maxReceiveCount', async () => {
    const calls = fakeLambda(() => new Response('{"message":"internal"}', { status: 500 }));
    const now = Date.now();
    const queue = memoryPort([message(1, now - 1), message(2, now - 1, 1)], { maxReceiveCount: 2, visibilityTimeoutSeconds: 20 });
    const delivery = new Delivery(queue.port, env);
    delivery.setMapping(mapping({ invocationMode: 'async', asyncReason: 'tag' }));
    await delivery.run(now);
    expect(calls).toHaveLength(1);
    expect(queue.held.get(1)).toMatchObject({ receiveCount: 1 });
    expect(queue.held.get(1)!.visibleAt).toBeGreaterThanOrEqual(now + 20_000);
    expect(queue.done.deadLettered.map((m) => m.seq)).toEqual([2]);
    expect(delivery.report().counters).toMatchObject({ failures: 1, delivered: 0, deadLettered: 1 });
  });

  it('a 429 hand-off is retried with backoff inside the lease, then returned like any failure', async () => {
    const calls = fakeLambda((_call, n) => (n < 3 ? new Response('{"message":"Rate Exceeded."}', { status: 429 }) : accepted()));
    const now = Date.now();
    const queue = memoryPort([message(1, now - 1)], { visibilityTimeoutSeconds: 10 });
    const delivery = new Delivery(queue.port, env);
    delivery.setMapping(mapping({ invocationMode: 'async', asyncReason: 'tag' }));
    await delivery.run(now);
    expect(calls).toHaveLength(3);
    expect(queue.done.deleted).toEqual([1]);
    expect(delivery.report().counters).toMatchObject({ throttles: 2, delivered: 1 });
  });

  it('splits a batch too large for one asynchronous call, each call within 1 MB, every record received once', async () => {
    const calls = fakeLambda(() => accepted());
    const now = Date.now();
    const rows = Array.from({ length: 10 }, (_, i) => big(i + 1, now - 10 + i, 300_000));
    const queue = memoryPort(rows, { visibilityTimeoutSeconds: 60 });
    const delivery = new Delivery(queue.port, env);
    delivery.setMapping(mapping({ invocationMode: 'async', asyncReason: 'timeout', functionTimeoutSeconds: 900 }));
    for (let run = 0; run < 5 && queue.held.size > 0; run++) await delivery.run(Date.now());
    expect(calls.length).toBeGreaterThanOrEqual(4);
    for (const call of calls) expect(eventBytes(call)).toBeLessThanOrEqual(ASYNC_MAX_PAYLOAD_BYTES);
    const records = calls.flatMap((c) => c.event.Records);
    expect(records.map((r: any) => r.messageId)).toEqual(rows.map((m) => m.messageId));
    expect(records.every((r: any) => r.attributes.ApproximateReceiveCount === '1')).toBe(true);
    expect(queue.held.size).toBe(0);
  });

  it('a 413 naming a lower limit (256 KB) splits and hands over again without burning receive counts, and is remembered', async () => {
    const limit = 262_144;
    const calls = fakeLambda((call) => {
      const bytes = eventBytes(call);
      if (bytes <= limit) return accepted();
      return new Response(JSON.stringify({ Type: 'User', message: `${bytes} byte payload is too large for the Event invocation type (limit ${limit} bytes)` }), {
        status: 413,
        headers: { 'x-amzn-ErrorType': 'RequestEntityTooLargeException' },
      });
    });
    const now = Date.now();
    const queue = memoryPort(Array.from({ length: 6 }, (_, i) => big(i + 1, now - 10 + i, 100_000)), { maxReceiveCount: 1 });
    const delivery = new Delivery(queue.port, env);
    delivery.setMapping(mapping({ invocationMode: 'async', asyncReason: 'tag' }));
    await delivery.run(now);
    const refused = calls.filter((c) => eventBytes(c) > limit);
    expect(refused).toHaveLength(1);
    const taken = calls.filter((c) => eventBytes(c) <= limit).flatMap((c) => c.event.Records);
    expect(taken.map((r: any) => r.messageId)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6']);
    // maxReceiveCount 1: a 413 counted as a failed receive would have dead-lettered them all.
    expect(queue.done.deadLettered).toEqual([]);
    expect(queue.done.deleted).toHaveLength(6);
    expect(delivery.report().counters).toMatchObject({ failures: 0, delivered: 6 });
    expect(delivery.report().log.some((e) => e.outcome === 'split' && e.status === 413)).toBe(true);
    // The next batches are planned under the limit Lambda named: no 413 again.
    const before = calls.length;
    for (let i = 11; i <= 16; i++) queue.held.set(i, big(i, Date.now() - 1, 100_000));
    await delivery.run(Date.now());
    const later = calls.slice(before);
    expect(later.flatMap((c) => c.event.Records)).toHaveLength(6);
    for (const call of later) expect(eventBytes(call)).toBeLessThanOrEqual(limit);
  });

  it('synchronous mappings still invoke with RequestResponse', async () => {
    const calls = fakeLambda(() => new Response('null', { status: 200 }));
    const now = Date.now();
    const queue = memoryPort([message(1, now - 1)]);
    const delivery = new Delivery(queue.port, env);
    delivery.setMapping(mapping({ functionTimeoutSeconds: 60 }));
    await delivery.run(now);
    expect(calls[0].headers['x-amz-invocation-type']).toBe('RequestResponse');
    expect(delivery.report().log[0].invocationType).toBeUndefined();
  });
});

describe('packing records into asynchronous calls', () => {
  it('keeps order, counts the envelope and commas, and sends an oversized record alone', () => {
    const r = (id: number, bytes: number) => ({ id, bytes });
    const groups = packRecords([r(1, 40), r(2, 40), r(3, 40), r(4, 200), r(5, 10)], 14 + 40 + 1 + 40);
    expect(groups.map((g) => g.map((x) => x.id))).toEqual([[1, 2], [3], [4], [5]]);
    expect(packRecords([], 100)).toEqual([]);
  });

  it('reads the limit a 413 names', () => {
    expect(payloadLimitOf('{"message":"264496 byte payload is too large for the Event invocation type (limit 262144 bytes)"}')).toBe(262_144);
    expect(payloadLimitOf('Request must be smaller than 6291456 bytes for the InvokeFunction operation')).toBe(6_291_456);
    expect(payloadLimitOf('too large')).toBeNull();
  });
});
