/**
 * One behavioural suite, run under every client family against `wrangler dev`: the Lambda runtime's SDK (query/XML),
 * the latest SDK (JSON 1.0) and Debian's AWS CLI v2 (query). The SDKs validate MD5s, so a wrong digest fails a test.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SQS_CREDENTIALS, startWranglerDev, type WranglerDev } from '../../bench/support/wrangler';
import { ClientError, clientFamilies, type SqsClientFamily } from './support/clients';

let dev: WranglerDev;
let families: SqsClientFamily[];

beforeAll(async () => {
  dev = await startWranglerDev();
  families = clientFamilies(dev.url, SQS_CREDENTIALS);
});
afterAll(async () => dev?.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

async function errorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ClientError) return error.code;
    throw error;
  }
  throw new Error('expected an error');
}

describe.each(['sdk-3.362-query', 'sdk-latest-json', 'aws-cli-v2'])('%s', (familyName) => {
  let sqs: SqsClientFamily;
  const q = (suffix: string) => `${familyName.replace(/\./g, '')}-${suffix}`;
  beforeAll(() => {
    sqs = families.find((f) => f.name === familyName)!;
  });

  it('creates a queue idempotently, finds it by name and lists it by prefix', async () => {
    const { QueueUrl } = await sqs.call('CreateQueue', { QueueName: q('basic'), Attributes: { VisibilityTimeout: '7' } });
    expect(QueueUrl).toBe(`${dev.url}/000000000000/${q('basic')}`);
    expect((await sqs.call('CreateQueue', { QueueName: q('basic'), Attributes: { VisibilityTimeout: '7' } })).QueueUrl).toBe(QueueUrl);
    expect(await errorCode(sqs.call('CreateQueue', { QueueName: q('basic'), Attributes: { VisibilityTimeout: '8' } }))).toMatch(/QueueAlreadyExists|QueueNameExists/);
    expect((await sqs.call('GetQueueUrl', { QueueName: q('basic') })).QueueUrl).toBe(QueueUrl);
    expect((await sqs.call('ListQueues', { QueueNamePrefix: q('bas') })).QueueUrls).toEqual([QueueUrl]);
    const attributes = (await sqs.call('GetQueueAttributes', { QueueUrl, AttributeNames: ['All'] })).Attributes;
    expect(attributes).toMatchObject({ VisibilityTimeout: '7', DelaySeconds: '0', MaximumMessageSize: '1048576', QueueArn: `arn:aws:sqs:us-east-1:000000000000:${q('basic')}` });
  });

  it('sends String, Number and Binary attributes and receives them with matching MD5s', async () => {
    const { QueueUrl } = await sqs.call('CreateQueue', { QueueName: q('attrs') });
    const body = 'héllo <&> "world"\r\n\t🚀';
    const sent = await sqs.call('SendMessage', {
      QueueUrl,
      MessageBody: body,
      MessageAttributes: {
        text: { DataType: 'String', StringValue: 'attribValue 1' },
        count: { DataType: 'Number', StringValue: '42' },
        blob: { DataType: 'Binary', BinaryValue: sqs.binary(new TextEncoder().encode('Hello binary world!')) },
      },
    });
    expect(sent.MD5OfMessageBody).toBe(md5(body));
    expect(sent.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
    const { Messages } = await sqs.call('ReceiveMessage', { QueueUrl, MessageAttributeNames: ['All'], AttributeNames: ['All'] });
    expect(Messages).toHaveLength(1);
    const [message] = Messages;
    expect(message.MessageId).toBe(sent.MessageId);
    expect(message.Body).toBe(body);
    expect(message.MD5OfBody).toBe(md5(body));
    expect(message.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
    expect(message.MessageAttributes.text).toMatchObject({ DataType: 'String', StringValue: 'attribValue 1' });
    expect(message.MessageAttributes.count).toMatchObject({ DataType: 'Number', StringValue: '42' });
    expect(message.MessageAttributes.blob).toMatchObject({ DataType: 'Binary', BinaryValue: Buffer.from('Hello binary world!').toString('base64') });
    expect(message.Attributes.ApproximateReceiveCount).toBe('1');
    await sqs.call('DeleteMessage', { QueueUrl, ReceiptHandle: message.ReceiptHandle });
    expect((await sqs.call('ReceiveMessage', { QueueUrl })).Messages ?? []).toEqual([]);
  });

  it('batches sends and deletes, reporting bad entries per entry', async () => {
    const { QueueUrl } = await sqs.call('CreateQueue', { QueueName: q('batch') });
    const entries = Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: `body ${i}` }));
    const sent = await sqs.call('SendMessageBatch', { QueueUrl, Entries: entries });
    expect(sent.Successful).toHaveLength(10);
    expect(sent.Failed ?? []).toEqual([]);
    const received: any[] = [];
    for (let i = 0; i < 5 && received.length < 10; i++) {
      received.push(...((await sqs.call('ReceiveMessage', { QueueUrl, MaxNumberOfMessages: 10 })).Messages ?? []));
    }
    expect(received.map((m) => m.Body).sort()).toEqual(entries.map((e) => e.MessageBody).sort());
    const deleted = await sqs.call('DeleteMessageBatch', {
      QueueUrl,
      Entries: [...received.slice(1).map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })), { Id: 'bogus', ReceiptHandle: 'not-a-handle' }],
    });
    expect(deleted.Successful).toHaveLength(9);
    expect(deleted.Failed).toEqual([expect.objectContaining({ Id: 'bogus', Code: 'ReceiptHandleIsInvalid', SenderFault: true })]);
    await sqs.call('DeleteMessage', { QueueUrl, ReceiptHandle: received[0].ReceiptHandle });
    expect(await errorCode(sqs.call('SendMessageBatch', { QueueUrl, Entries: [{ Id: 'a', MessageBody: 'x' }, { Id: 'a', MessageBody: 'y' }] }))).toMatch(/BatchEntryIdsNotDistinct/);
    const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, MessageBody: 'x' }));
    expect(await errorCode(sqs.call('SendMessageBatch', { QueueUrl, Entries: eleven }))).toMatch(/TooManyEntriesInBatchRequest/);
    const attributes = (await sqs.call('GetQueueAttributes', { QueueUrl, AttributeNames: ['All'] })).Attributes;
    expect(attributes.ApproximateNumberOfMessages).toBe('0');
    expect(attributes.ApproximateNumberOfMessagesNotVisible).toBe('0');
  });

  it('holds a delayed message until its delay ends', async () => {
    const { QueueUrl } = await sqs.call('CreateQueue', { QueueName: q('delay') });
    const sentAt = Date.now();
    await sqs.call('SendMessage', { QueueUrl, MessageBody: 'later', DelaySeconds: 6 });
    expect((await sqs.call('ReceiveMessage', { QueueUrl })).Messages ?? []).toEqual([]);
    const attributes = (await sqs.call('GetQueueAttributes', { QueueUrl, AttributeNames: ['ApproximateNumberOfMessagesDelayed'] })).Attributes;
    expect(attributes.ApproximateNumberOfMessagesDelayed).toBe('1');
    // 6 s leaves room for the CLI's ~1 s per call on a loaded machine; the long poll then ends at the delay.
    const { Messages } = await sqs.call('ReceiveMessage', { QueueUrl, WaitTimeSeconds: 12 });
    expect(Messages?.[0]?.Body).toBe('later');
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(5900);
  });

  it('returns an unacknowledged message after its visibility timeout with a higher receive count', async () => {
    const { QueueUrl } = await sqs.call('CreateQueue', { QueueName: q('visibility') });
    await sqs.call('SendMessage', { QueueUrl, MessageBody: 'again' });
    // 5 s leaves room for the CLI's ~1 s per call on a loaded machine; the long poll ends when the message is back.
    const firstAt = Date.now();
    const first = (await sqs.call('ReceiveMessage', { QueueUrl, VisibilityTimeout: 5 })).Messages[0];
    expect((await sqs.call('ReceiveMessage', { QueueUrl })).Messages ?? []).toEqual([]);
    const second = (await sqs.call('ReceiveMessage', { QueueUrl, AttributeNames: ['ApproximateReceiveCount'], WaitTimeSeconds: 10 })).Messages[0];
    expect(Date.now() - firstAt).toBeGreaterThanOrEqual(4900);
    expect(second.MessageId).toBe(first.MessageId);
    expect(second.Attributes.ApproximateReceiveCount).toBe('2');
    await sqs.call('ChangeMessageVisibility', { QueueUrl, ReceiptHandle: second.ReceiptHandle, VisibilityTimeout: 0 });
    expect((await sqs.call('ReceiveMessage', { QueueUrl })).Messages?.[0]?.MessageId).toBe(first.MessageId);
  });

  it('answers a long poll as soon as a message arrives', async () => {
    const { QueueUrl } = await sqs.call('CreateQueue', { QueueName: q('longpoll') });
    const started = Date.now();
    const polling = sqs.call('ReceiveMessage', { QueueUrl, WaitTimeSeconds: 10 });
    await sleep(familyName === 'aws-cli-v2' ? 2000 : 500); // the CLI takes a while to start
    await families[1].call('SendMessage', { QueueUrl, MessageBody: 'wake up' });
    const { Messages } = await polling;
    expect(Messages?.[0]?.Body).toBe('wake up');
    expect(Date.now() - started).toBeLessThan(6000);
  });

  it('keeps FIFO order per group and drops duplicates within the dedup window', async () => {
    const { QueueUrl } = await sqs.call('CreateQueue', { QueueName: q('orders.fifo'), Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' } });
    const sent = await sqs.call('SendMessageBatch', {
      QueueUrl,
      Entries: ['a1', 'a2', 'a3'].map((body) => ({ Id: body, MessageBody: body, MessageGroupId: 'a' })),
    });
    expect(sent.Successful.map((s: any) => s.SequenceNumber).every(Boolean)).toBe(true);
    const duplicate = await sqs.call('SendMessage', { QueueUrl, MessageBody: 'a1', MessageGroupId: 'a' });
    expect(duplicate.MessageId).toBe(sent.Successful[0].MessageId);
    const first = (await sqs.call('ReceiveMessage', { QueueUrl, MaxNumberOfMessages: 2, AttributeNames: ['All'] })).Messages;
    expect(first.map((m: any) => m.Body)).toEqual(['a1', 'a2']);
    expect(first[0].Attributes.MessageGroupId).toBe('a');
    // The group is locked while a batch of it is in flight.
    expect((await sqs.call('ReceiveMessage', { QueueUrl })).Messages ?? []).toEqual([]);
    await sqs.call('DeleteMessageBatch', { QueueUrl, Entries: first.map((m: any, i: number) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) });
    expect((await sqs.call('ReceiveMessage', { QueueUrl })).Messages.map((m: any) => m.Body)).toEqual(['a3']);
    expect(await errorCode(sqs.call('SendMessage', { QueueUrl, MessageBody: 'no group' }))).toMatch(/MissingParameter/);
  });

  it('moves a message to its dead-letter queue after maxReceiveCount and redrives it back', async () => {
    const dlq = await sqs.call('CreateQueue', { QueueName: q('dlq') });
    const dlqArn = (await sqs.call('GetQueueAttributes', { QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] })).Attributes.QueueArn;
    const { QueueUrl } = await sqs.call('CreateQueue', {
      QueueName: q('source'),
      Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }) },
    });
    await sqs.call('SendMessage', { QueueUrl, MessageBody: 'poison' });
    await sqs.call('ReceiveMessage', { QueueUrl, VisibilityTimeout: 1 });
    await sleep(1200);
    expect((await sqs.call('ReceiveMessage', { QueueUrl })).Messages ?? []).toEqual([]);
    expect((await sqs.call('ListDeadLetterSourceQueues', { QueueUrl: dlq.QueueUrl })).queueUrls).toEqual([QueueUrl]);
    const dead = (await sqs.call('ReceiveMessage', { QueueUrl: dlq.QueueUrl, VisibilityTimeout: 0 })).Messages;
    expect(dead.map((m: any) => m.Body)).toEqual(['poison']);
    // Debian's CLI 2.9.19 predates the move-task commands: it redrives through the JSON SDK.
    const redriver = familyName === 'aws-cli-v2' ? families[1] : sqs;
    const task = await redriver.call('StartMessageMoveTask', { SourceArn: dlqArn });
    expect(task.TaskHandle).toBeTruthy();
    const back = await sqs.call('ReceiveMessage', { QueueUrl, WaitTimeSeconds: 5 });
    expect(back.Messages?.map((m: any) => m.Body)).toEqual(['poison']);
  });

  it('tags, purges and deletes a queue', async () => {
    const { QueueUrl } = await sqs.call('CreateQueue', { QueueName: q('ops') });
    await sqs.call('TagQueue', { QueueUrl, Tags: { team: 'blue', env: 'test' } });
    await sqs.call('UntagQueue', { QueueUrl, TagKeys: ['env'] });
    expect((await sqs.call('ListQueueTags', { QueueUrl })).Tags).toEqual({ team: 'blue' });
    await sqs.call('SendMessageBatch', { QueueUrl, Entries: [{ Id: 'a', MessageBody: 'a' }, { Id: 'b', MessageBody: 'b' }] });
    await sqs.call('PurgeQueue', { QueueUrl });
    expect(await errorCode(sqs.call('PurgeQueue', { QueueUrl }))).toMatch(/PurgeQueueInProgress/);
    const attributes = (await sqs.call('GetQueueAttributes', { QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] })).Attributes;
    expect(attributes.ApproximateNumberOfMessages).toBe('0');
    await sqs.call('DeleteQueue', { QueueUrl });
    expect(await errorCode(sqs.call('GetQueueUrl', { QueueName: q('ops') }))).toMatch(/QueueDoesNotExist|NonExistentQueue/);
  });

  it('rejects bad input with the AWS error codes', async () => {
    const { QueueUrl } = await sqs.call('CreateQueue', { QueueName: q('errors') });
    expect(await errorCode(sqs.call('SendMessage', { QueueUrl, MessageBody: 'bad \u0001 char' }))).toMatch(/InvalidMessageContents/);
    expect(await errorCode(sqs.call('SendMessage', { QueueUrl, MessageBody: 'x', DelaySeconds: 901 }))).toMatch(/InvalidParameterValue/);
    expect(await errorCode(sqs.call('CreateQueue', { QueueName: 'bad name!' }))).toMatch(/InvalidParameterValue/);
    expect(await errorCode(sqs.call('DeleteMessage', { QueueUrl, ReceiptHandle: 'garbage' }))).toMatch(/ReceiptHandleIsInvalid/);
    expect(await errorCode(sqs.call('GetQueueUrl', { QueueName: q('missing') }))).toMatch(/QueueDoesNotExist|NonExistentQueue/);
    // AWS-form queue URLs resolve by name, so existing code keeps its URLs.
    const awsForm = `https://sqs.us-east-1.amazonaws.com/000000000000/${q('errors')}`;
    expect((await sqs.call('SendMessage', { QueueUrl: awsForm, MessageBody: 'by aws url' })).MessageId).toBeTruthy();
  });
});

describe('authentication', () => {
  it('refuses a client with the wrong secret', async () => {
    const [wrong] = clientFamilies(dev.url, { accessKeyId: SQS_CREDENTIALS.accessKeyId, secretAccessKey: 'wrong' });
    const [unknown] = clientFamilies(dev.url, { accessKeyId: 'AKIAUNKNOWN', secretAccessKey: 'whatever' });
    expect(await errorCode(wrong.call('ListQueues'))).toBe('SignatureDoesNotMatch');
    expect(await errorCode(unknown.call('ListQueues'))).toBe('InvalidClientTokenId');
  });
});
