/**
 * Delivery end to end: wrangler dev invokes the local Lambda emulator, which checks every request's SigV4 signature
 * with an independent implementation (@smithy/signature-v4) and records the exact event.
 */
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT, mapping, queueArn, type Stack, startStack } from './support/stack';

let stack: Stack;
const handled: Record<string, any[]> = {};
const partialFailures = new Set<string>();
// Timeout 1 s, as ListFunctions reports it: AWS refuses a mapping whose function timeout exceeds the queue's
// visibility timeout (1–2 s here). Delivery waits for a call as long as the Timeout (+5 s margin), and a batch whose
// call timed out or dropped stays leased that long; a known failure returns at the visibility timeout.
const fn = (name: string, handler?: (event: any) => unknown) => ({
  name,
  timeout: 1,
  handler:
    handler ??
    ((event: any) => {
      (handled[name] ??= []).push(event);
      return { batchItemFailures: [] };
    }),
});

beforeAll(async () => {
  stack = await startStack(
    [
      fn('svc-dev-shape'),
      fn('svc-dev-faulty'),
      fn('svc-dev-partial', (event: any) => ({
        batchItemFailures: event.Records.filter((r: any) => partialFailures.has(r.body)).map((r: any) => ({ itemIdentifier: r.messageId })),
      })),
      fn('svc-dev-poison', () => {
        throw new Error('cannot handle this');
      }),
    ],
    [
      mapping('shape', 'svc-dev-shape'),
      mapping('faulty', 'svc-dev-faulty'),
      mapping('partial', 'svc-dev-partial', { FunctionResponseTypes: ['ReportBatchItemFailures'], BatchSize: 10, MaximumBatchingWindowInSeconds: 1 }),
      mapping('poison', 'svc-dev-poison'),
    ],
  );
  await stack.createQueue('poison-dlq');
  await stack.createQueue('poison', { VisibilityTimeout: '1', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn('poison-dlq'), maxReceiveCount: 2 }) });
  await stack.createQueue('faulty', { VisibilityTimeout: '2' });
  await stack.createQueue('partial', { VisibilityTimeout: '2' });
  await stack.cron();
});
afterAll(async () => stack?.stop());

const url = (queue: string) => `${stack.dev.url}/${ACCOUNT}/${queue}`;
const invocationsOf = (name: string) => stack.emulator.invocations.filter((i) => i.functionName === name);
async function until<T>(probe: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
const counts = async (queue: string) =>
  (await stack.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url(queue), AttributeNames: ['All'] }))).Attributes!;

describe('delivery through the Lambda API', () => {
  it('syncs the disabled mappings and creates their queues', async () => {
    const registry = await stack.admin('/admin/api/registry');
    expect(registry.mappings.map((m: any) => m.queue).sort()).toEqual(['faulty', 'partial', 'poison', 'shape']);
    expect(registry.sync.lastError).toBeNull();
    const shape = await stack.admin('/admin/api/queues/shape');
    expect(shape.mapping).toMatchObject({ functionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:svc-dev-shape`, state: 'Disabled' });
  });

  it('invokes with the exact SQS event, signed, and deletes on success', async () => {
    const body = '{"order":42,"note":"ünïcode <&>"}';
    const sent = await stack.sqs.send(
      new SendMessageCommand({
        QueueUrl: url('shape'),
        MessageBody: body,
        MessageAttributes: {
          attribName1: { DataType: 'String', StringValue: 'attribValue 1' },
          blob: { DataType: 'Binary', BinaryValue: Buffer.from('Hello binary world!') },
        },
      }),
    );
    const [invocation] = await until(() => invocationsOf('svc-dev-shape').length > 0 && invocationsOf('svc-dev-shape'));
    expect(invocation.signatureValid).toBe(true);
    expect(invocation.outcome).toBe('ok');
    const [record] = invocation.event.Records;
    expect(Object.keys(record)).toEqual(['messageId', 'receiptHandle', 'body', 'attributes', 'messageAttributes', 'md5OfBody', 'md5OfMessageAttributes', 'eventSource', 'eventSourceARN', 'awsRegion']);
    expect(record).toMatchObject({
      messageId: sent.MessageId,
      body,
      md5OfBody: createHash('md5').update(body).digest('hex'),
      md5OfMessageAttributes: sent.MD5OfMessageAttributes,
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn('shape'),
      awsRegion: 'us-east-1',
    });
    expect(record.receiptHandle).toMatch(/^AQEB/);
    expect(record.attributes).toEqual({
      ApproximateReceiveCount: '1',
      SentTimestamp: expect.stringMatching(/^\d{13}$/),
      SenderId: expect.any(String),
      ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
    });
    expect(record.messageAttributes).toEqual({
      attribName1: { stringValue: 'attribValue 1', stringListValues: [], binaryListValues: [], dataType: 'String' },
      blob: { binaryValue: Buffer.from('Hello binary world!').toString('base64'), stringListValues: [], binaryListValues: [], dataType: 'Binary' },
    });
    // Deleted once the function succeeded.
    for (let i = 0; i < 50; i++) {
      const attributes = await counts('shape');
      if (attributes.ApproximateNumberOfMessages === '0' && attributes.ApproximateNumberOfMessagesNotVisible === '0') return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the delivered message was not deleted');
  });

  it('holds delayed messages until they are due, and does not hand in-flight ones to ReceiveMessage', async () => {
    const sentAt = Date.now();
    await stack.sqs.send(new SendMessageCommand({ QueueUrl: url('shape'), MessageBody: 'later', DelaySeconds: 2 }));
    expect((await stack.sqs.send(new ReceiveMessageCommand({ QueueUrl: url('shape') }))).Messages ?? []).toEqual([]);
    const invocation = await until(() => invocationsOf('svc-dev-shape').find((i) => i.event.Records[0].body === 'later'));
    expect(invocation.receivedAt - sentAt).toBeGreaterThanOrEqual(2000);
    expect(invocation.receivedAt - sentAt).toBeLessThan(3000);
  });

  it.each([
    ['error', 'function error'],
    ['fail-500', 'a 5xx'],
    ['drop', 'a dropped connection'],
    ['hang', 'a timeout'],
  ] as const)('redelivers after %s (%s) with a higher receive count', async (fault, _cause) => {
    stack.emulator.setFault('svc-dev-faulty', fault, 1);
    const before = invocationsOf('svc-dev-faulty').length;
    const body = `after-${fault}`;
    await stack.sqs.send(new SendMessageCommand({ QueueUrl: url('faulty'), MessageBody: body }));
    const ok = await until(() => invocationsOf('svc-dev-faulty').slice(before).find((i) => i.outcome === 'ok'), 20_000);
    const attempts = invocationsOf('svc-dev-faulty').slice(before);
    expect(attempts[0].outcome).toBe(fault);
    expect(ok.event.Records[0].body).toBe(body);
    expect(ok.event.Records[0].attributes.ApproximateReceiveCount).toBe('2');
    // The retry waited for the visibility timeout (2 s).
    expect(ok.receivedAt - attempts[0].receivedAt).toBeGreaterThanOrEqual(1900);
  }, 30_000);

  it('retries throttled invocations with backoff within the visibility timeout', async () => {
    stack.emulator.setFault('svc-dev-faulty', 'throttle', 2);
    const before = invocationsOf('svc-dev-faulty').length;
    await stack.sqs.send(new SendMessageCommand({ QueueUrl: url('faulty'), MessageBody: 'throttled' }));
    const ok = await until(() => invocationsOf('svc-dev-faulty').slice(before).find((i) => i.outcome === 'ok'));
    expect(invocationsOf('svc-dev-faulty').slice(before).map((i) => i.outcome)).toEqual(['throttle', 'throttle', 'ok']);
    expect(ok.event.Records[0].body).toBe('throttled');
    expect(ok.receivedAt - invocationsOf('svc-dev-faulty')[before].receivedAt).toBeLessThan(2000);
  });

  it('retries only the items a function reports as failed (ReportBatchItemFailures)', async () => {
    partialFailures.add('b');
    await stack.sqs.send(
      new SendMessageBatchCommand({ QueueUrl: url('partial'), Entries: ['a', 'b', 'c'].map((body) => ({ Id: body, MessageBody: body })) }),
    );
    const first = await until(() => invocationsOf('svc-dev-partial')[0]);
    expect(first.event.Records.map((r: any) => r.body).sort()).toEqual(['a', 'b', 'c']);
    partialFailures.clear();
    const retry = await until(() => invocationsOf('svc-dev-partial')[1]);
    expect(retry.event.Records.map((r: any) => r.body)).toEqual(['b']);
    expect(retry.event.Records[0].attributes.ApproximateReceiveCount).toBe('2');
  }, 30_000);

  it('moves a message that keeps failing to the dead-letter queue after maxReceiveCount', async () => {
    await stack.sqs.send(new SendMessageCommand({ QueueUrl: url('poison'), MessageBody: 'poison pill' }));
    await until(() => invocationsOf('svc-dev-poison').length >= 2);
    let dead: { Body?: string }[] = [];
    for (let i = 0; i < 20 && dead.length === 0; i++) {
      dead = (await stack.sqs.send(new ReceiveMessageCommand({ QueueUrl: url('poison-dlq'), WaitTimeSeconds: 1 }))).Messages ?? [];
    }
    expect(dead.map((m) => m.Body)).toEqual(['poison pill']);
    expect(invocationsOf('svc-dev-poison')).toHaveLength(2);
    const stats = await stack.admin('/admin/api/queues/poison');
    expect(stats.counters).toMatchObject({ failures: 2, deadLettered: 1 });
    expect(stats.log[0]).toMatchObject({ outcome: 'function-error' });
  }, 30_000);
});
