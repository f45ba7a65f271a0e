import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Mapping } from '../../src/delivery/mapping';
import { mapping as testMapping } from '../support/mapping';
import { createQueue, sqs, uniqueName } from '../support/sqs';
import { fakeLambda, type Invocation, ok } from './fake-lambda';

/** Disabled: the tests run the alarm themselves. */
const mapping = (extra: Partial<Mapping> = {}) => testMapping({ state: 'Disabled', ...extra });

async function mappedQueue(extraMapping: Partial<Mapping> = {}, attributes: Record<string, string> = {}) {
  const queue = await createQueue(uniqueName('d'), attributes);
  await env.QUEUE.getByName(queue.name).setMapping(mapping(extraMapping));
  return queue;
}

const stub = (name: string) => env.QUEUE.getByName(name);

/**
 * Alarms that are due run by themselves in workerd: wait until the fake Lambda has seen `n`
 * calls and the queue has settled them.
 */
async function settled(name: string, calls: Invocation[], n: number) {
  await vi.waitFor(() => expect(calls.length).toBeGreaterThanOrEqual(n), { timeout: 5000 });
  await vi.waitFor(async () => expect((await stub(name).stats()).delivery.inFlight).toBe(0), { timeout: 5000 });
}
const alarmAt = (name: string) => runInDurableObject(stub(name), (_i, state) => state.storage.getAlarm());
const makeAllVisible = (name: string) =>
  runInDurableObject(stub(name), (instance) => {
    (instance as any).ctx.storage.sql.exec('UPDATE messages SET visible_at = ?', Date.now() - 1);
  });
/** Messages stored, not rows: a row may hold the messages of one SendMessageBatch (n of them, store-packed.ts). */
const storedCount = (name: string) =>
  runInDurableObject(stub(name), (instance) => (instance as any).ctx.storage.sql.exec('SELECT COALESCE(SUM(n), 0) AS n FROM messages').one().n as number);

afterEach(() => vi.restoreAllMocks());

describe('delivery', () => {
  it('invokes the function with the exact SQS event and deletes on success', async () => {
    const calls = fakeLambda(() => ok());
    const { name, url } = await mappedQueue();
    const sent = await sqs('SendMessage', {
      QueueUrl: url,
      MessageBody: '{"hello":"world"}',
      MessageAttributes: { attribName1: { DataType: 'String', StringValue: 'attribValue 1' } },
    });
    await settled(name, calls, 1);
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call.url).toBe('http://lambda.test/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Aworker/invocations');
    expect(call.headers['x-amz-invocation-type']).toBe('RequestResponse');
    expect(call.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=lambda-key\/\d{8}\/us-east-1\/lambda\/aws4_request/);
    const [record] = call.event.Records;
    expect(Object.keys(record)).toEqual([
      'messageId', 'receiptHandle', 'body', 'attributes', 'messageAttributes', 'md5OfBody', 'md5OfMessageAttributes',
      'eventSource', 'eventSourceARN', 'awsRegion',
    ]);
    expect(record).toMatchObject({
      messageId: sent.MessageId,
      body: '{"hello":"world"}',
      attributes: { ApproximateReceiveCount: '1', SenderId: '123456789012' },
      messageAttributes: { attribName1: { stringValue: 'attribValue 1', stringListValues: [], binaryListValues: [], dataType: 'String' } },
      md5OfBody: sent.MD5OfMessageBody,
      md5OfMessageAttributes: '19e27d4e946b072f3f58da80d94fd778',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:us-east-1:123456789012:${name}`,
      awsRegion: 'us-east-1',
    });
    expect(Number(record.attributes.SentTimestamp)).toBeGreaterThan(0);
    expect(Number(record.attributes.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(Number(record.attributes.SentTimestamp));
    expect(await storedCount(name)).toBe(0);
    // Idle again: no alarm left behind.
    expect(await alarmAt(name)).toBeNull();
  });

  it('writes at most three SQLite rows per delivered message (store, lease, delete)', async () => {
    const calls = fakeLambda(() => ok());
    const { name, url } = await mappedQueue();
    const before = (await stub(name).stats()).instance;
    for (let i = 0; i < 20; i++) await sqs('SendMessage', { QueueUrl: url, MessageBody: `m${i}`, DelaySeconds: i % 2 });
    await vi.waitFor(async () => expect((await stub(name).stats()).delivery.counters.delivered).toBe(20), { timeout: 8000 });
    // One row to store, one to lease it before the invoke, one to delete; the delivery report (a diagnostics row)
    // is saved at most every 5 minutes.
    const after = (await stub(name).stats()).instance;
    const reportRows = after.reportRowsWritten - before.reportRowsWritten;
    expect(reportRows).toBeLessThanOrEqual(1);
    expect(after.rowsWritten - before.rowsWritten - reportRows).toBeLessThanOrEqual(3 * 20);
    expect(calls.length).toBeGreaterThan(0);
  });

  it('counts alarm runs and rows of the running instance, without counting the look itself', async () => {
    fakeLambda(() => ok());
    const { name, url } = await mappedQueue();
    // The first look after a start reads the table once, for the message counts kept in memory from then on.
    await stub(name).stats();
    const first = (await stub(name).stats()).instance;
    const second = (await stub(name).stats()).instance;
    const third = (await stub(name).stats()).instance;
    // Between two looks lies one whole earlier look: the same cost each time, and no writes.
    expect(third.rowsRead - second.rowsRead).toBe(second.rowsRead - first.rowsRead);
    expect(third.rowsWritten).toBe(first.rowsWritten);
    expect(third.alarmRuns).toBe(first.alarmRuns);
    await sqs('SendMessage', { QueueUrl: url, MessageBody: 'x', DelaySeconds: 60 });
    await runDurableObjectAlarm(stub(name));
    const after = (await stub(name).stats()).instance;
    expect(after.alarmRuns).toBe(first.alarmRuns + 1);
    expect(after.rowsWritten).toBeGreaterThan(third.rowsWritten);
    expect(after.startedAt).toBe(first.startedAt);
  });

  it('sets no delivery alarm for a queue without a mapping: only retention, when its message expires', async () => {
    const calls = fakeLambda(() => ok());
    const { name, url } = await createQueue();
    const sent = Date.now();
    await sqs('SendMessage', { QueueUrl: url, MessageBody: 'x' });
    expect(await alarmAt(name)).toBeGreaterThanOrEqual(sent + 345_600_000);
    expect(calls).toHaveLength(0);
  });

  it('arms the alarm for the delay end', async () => {
    fakeLambda(() => ok());
    const { name, url } = await mappedQueue();
    const before = Date.now();
    await sqs('SendMessage', { QueueUrl: url, MessageBody: 'x', DelaySeconds: 30 });
    const at = await alarmAt(name);
    expect(at).toBeGreaterThanOrEqual(before + 30_000);
    expect(at).toBeLessThan(Date.now() + 31_000);
  });

  it.each([
    ['a function error', () => new Response('{"errorMessage":"boom"}', { status: 200, headers: { 'X-Amz-Function-Error': 'Unhandled' } })],
    ['a 500', () => new Response('oops', { status: 500 })],
    ['a network error', () => Promise.reject(new TypeError('connection reset'))],
  ])('after %s the batch becomes visible again after the visibility timeout, then goes to the DLQ', async (_, fail) => {
    const calls = fakeLambda(() => fail());
    const dlq = await createQueue(uniqueName('dlq'));
    const { name, url } = await mappedQueue({}, {
      VisibilityTimeout: '60',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:us-east-1:123456789012:${dlq.name}`, maxReceiveCount: 2 }),
    });
    const before = Date.now();
    await sqs('SendMessage', { QueueUrl: url, MessageBody: 'fails' });
    await settled(name, calls, 1);
    expect(calls).toHaveLength(1);
    expect(await storedCount(name)).toBe(1);
    const at = await alarmAt(name);
    expect(at).toBeGreaterThanOrEqual(before + 60_000);
    expect((await sqs('GetQueueAttributes', { QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessagesNotVisible'] })).Attributes).toEqual({
      ApproximateNumberOfMessagesNotVisible: '1',
    });

    await makeAllVisible(name);
    await runDurableObjectAlarm(stub(name));
    await settled(name, calls, 2);
    expect(calls).toHaveLength(2);
    expect(calls[1].event.Records[0].attributes.ApproximateReceiveCount).toBe('2');
    expect(await storedCount(name)).toBe(0);
    const dead = await sqs('ReceiveMessage', { QueueUrl: dlq.url });
    expect(dead.Messages.map((m: any) => m.Body)).toEqual(['fails']);
    const report = await stub(name).stats();
    expect(report.delivery.counters).toMatchObject({ invocations: 2, failures: 2, deadLettered: 1 });
  });

  it('keeps the visibility the function set on its own message with ChangeMessageVisibility when it then fails', async () => {
    let queueUrl = '';
    const calls = fakeLambda(async (call) => {
      // A common backoff: the function pushes its message out by 10 minutes, then reports the failure.
      await sqs('ChangeMessageVisibility', { QueueUrl: queueUrl, ReceiptHandle: call.event.Records[0].receiptHandle, VisibilityTimeout: 600 });
      return new Response('{"errorMessage":"later"}', { status: 200, headers: { 'X-Amz-Function-Error': 'Unhandled' } });
    });
    const { name, url } = await mappedQueue({}, { VisibilityTimeout: '30' });
    queueUrl = url;
    const before = Date.now();
    await sqs('SendMessage', { QueueUrl: url, MessageBody: 'back off' });
    await settled(name, calls, 1);
    const visibleAt = await runInDurableObject(stub(name), (instance) =>
      (instance as any).ctx.storage.sql.exec('SELECT visible_at FROM messages').one().visible_at as number,
    );
    expect(visibleAt).toBeGreaterThanOrEqual(before + 600_000);
    expect(await alarmAt(name)).toBeGreaterThanOrEqual(before + 600_000);
  });

  it('retries throttles with backoff within the visibility timeout', async () => {
    const calls = fakeLambda((_c, n) => (n < 3 ? new Response('{"message":"Rate Exceeded."}', { status: 429 }) : ok()));
    const { name, url } = await mappedQueue();
    await sqs('SendMessage', { QueueUrl: url, MessageBody: 'x' });
    await settled(name, calls, 3);
    expect(calls).toHaveLength(3);
    expect(await storedCount(name)).toBe(0);
    expect((await stub(name).stats()).delivery.counters.throttles).toBe(2);
  });

  it('with ReportBatchItemFailures retries only the listed messages', async () => {
    const calls = fakeLambda((call) => ok({ batchItemFailures: [{ itemIdentifier: call.event.Records[1].messageId }] }));
    const { name, url } = await mappedQueue({ reportBatchItemFailures: true });
    await sqs('SendMessageBatch', {
      QueueUrl: url,
      Entries: ['a', 'b', 'c'].map((b) => ({ Id: b, MessageBody: b })),
    });
    await settled(name, calls, 1);
    expect(calls[0].event.Records).toHaveLength(3);
    const left = await runInDurableObject(stub(name), (i) =>
      (i as any).ctx.storage.sql.exec('SELECT body, receive_count FROM messages').toArray(),
    );
    expect(left).toEqual([{ body: calls[0].event.Records[1].body, receive_count: 1 }]);
  });

  it('an invalid batchItemFailures response fails the whole batch', async () => {
    const calls = fakeLambda(() => ok({ batchItemFailures: [{ itemIdentifier: '' }] }));
    const { name, url } = await mappedQueue({ reportBatchItemFailures: true });
    await sqs('SendMessageBatch', { QueueUrl: url, Entries: ['a', 'b'].map((b) => ({ Id: b, MessageBody: b })) });
    await settled(name, calls, 1);
    expect(await storedCount(name)).toBe(2);
  });

  it('deletes records that match no filter without invoking', async () => {
    const calls = fakeLambda(() => ok());
    const { name, url } = await mappedQueue({ filterCriteria: { Filters: [{ Pattern: '{"body":{"kind":["order"]}}' }] } });
    await sqs('SendMessageBatch', {
      QueueUrl: url,
      Entries: [
        { Id: 'a', MessageBody: '{"kind":"order"}' },
        { Id: 'b', MessageBody: '{"kind":"noise"}' },
        { Id: 'c', MessageBody: 'not json' },
      ],
    });
    await settled(name, calls, 1);
    await vi.waitFor(async () => expect(await storedCount(name)).toBe(0));
    expect(calls).toHaveLength(1);
    expect(calls[0].event.Records.map((r: any) => r.body)).toEqual(['{"kind":"order"}']);
    expect(await storedCount(name)).toBe(0);
  });

  it('waits for the batching window unless the batch is full', async () => {
    const calls = fakeLambda(() => ok());
    const { name, url } = await mappedQueue({ batchSize: 3, maximumBatchingWindowInSeconds: 20 });
    const before = Date.now();
    await sqs('SendMessage', { QueueUrl: url, MessageBody: '1' });
    expect(await alarmAt(name)).toBeGreaterThanOrEqual(before + 20_000);
    await runDurableObjectAlarm(stub(name));
    expect(calls).toHaveLength(0);
    await sqs('SendMessageBatch', { QueueUrl: url, Entries: ['2', '3'].map((b) => ({ Id: `e${b}`, MessageBody: b })) });
    // The batch is full: delivered at once, not when the window closes.
    await settled(name, calls, 1);
    expect(calls).toHaveLength(1);
    expect(calls[0].event.Records.map((r: any) => r.body)).toEqual(['1', '2', '3']);
  });

  it('delivers FIFO groups in order, one batch per group at a time', async () => {
    const calls = fakeLambda(() => ok());
    const name = `${uniqueName('df')}.fifo`;
    const { url } = await createQueue(name, { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    await stub(name).setMapping(mapping({ batchSize: 2 }));
    await sqs('SendMessageBatch', {
      QueueUrl: url,
      Entries: ['a1', 'a2', 'a3', 'b1'].map((body) => ({ Id: body, MessageBody: body, MessageGroupId: body[0] })),
    });
    await vi.waitFor(async () => expect(await storedCount(name)).toBe(0), { timeout: 5000 });
    const delivered = calls.map((c) => c.event.Records.map((r: any) => r.body));
    expect(delivered.flat().filter((b: string) => b.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
    const fifoRecord = calls[0].event.Records[0];
    expect(fifoRecord.attributes).toMatchObject({ MessageGroupId: 'a' });
    expect(fifoRecord.attributes.SequenceNumber).toMatch(/^\d{20}$/);
    expect(fifoRecord.attributes.MessageDeduplicationId).toMatch(/^[0-9a-f]{64}$/);
  });
});
