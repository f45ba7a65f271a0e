import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { callJson, callQuery, createQueue, sqs, sqsError, uniqueName } from '../support/sqs';

const send = (url: string, body: string, extra: Record<string, unknown> = {}) =>
  sqs<{ MessageId: string; MD5OfMessageBody: string; SequenceNumber?: string }>('SendMessage', { QueueUrl: url, MessageBody: body, ...extra });
const receive = (url: string, extra: Record<string, unknown> = {}) =>
  sqs<{ Messages?: any[] }>('ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 10, ...extra }).then((r) => r.Messages ?? []);
const counts = async (url: string) =>
  (await sqs('GetQueueAttributes', { QueueUrl: url, AttributeNames: ['All'] })).Attributes as Record<string, string>;

/** Moves every message's visibility into the past, instead of sleeping through delays. */
async function makeAllVisible(name: string) {
  await runInDurableObject(env.QUEUE.getByName(name), (instance) => {
    (instance as any).ctx.storage.sql.exec('UPDATE messages SET visible_at = ?', Date.now() - 1);
  });
}

describe('queues', () => {
  it('creates idempotently and refuses conflicting attributes', async () => {
    const name = uniqueName();
    const first = await createQueue(name, { VisibilityTimeout: '45' });
    const again = await createQueue(name, { VisibilityTimeout: '45' });
    expect(again.url).toBe(first.url);
    expect(first.url).toMatch(new RegExp(`/123456789012/${name}$`));
    const conflict = await sqsError('CreateQueue', { QueueName: name, Attributes: { VisibilityTimeout: '46' } });
    expect(conflict).toMatchObject({ status: 400, type: 'QueueNameExists', queryError: 'QueueAlreadyExists' });
  });

  it('resolves AWS-form queue URLs by name', async () => {
    const { name } = await createQueue();
    await send(`https://sqs.us-east-1.amazonaws.com/123456789012/${name}`, 'via aws url');
    expect(await receive(`https://sqs.us-east-1.amazonaws.com/123456789012/${name}`)).toHaveLength(1);
  });

  it('lists with prefix and pages with NextToken', async () => {
    const prefix = uniqueName('list');
    for (const suffix of ['a', 'b', 'c']) await createQueue(`${prefix}-${suffix}`);
    const page1 = await sqs('ListQueues', { QueueNamePrefix: prefix, MaxResults: 2 });
    expect(page1.QueueUrls).toHaveLength(2);
    expect(page1.NextToken).toBeTruthy();
    const page2 = await sqs('ListQueues', { QueueNamePrefix: prefix, MaxResults: 2, NextToken: page1.NextToken });
    expect(page2.QueueUrls).toHaveLength(1);
    expect(page2.NextToken).toBeUndefined();
    expect([...page1.QueueUrls, ...page2.QueueUrls].map((u: string) => u.split('/').pop())).toEqual(['a', 'b', 'c'].map((s) => `${prefix}-${s}`));
  });

  it('deletes queues', async () => {
    const { name, url } = await createQueue();
    await sqs('DeleteQueue', { QueueUrl: url });
    expect(await sqsError('GetQueueUrl', { QueueName: name })).toMatchObject({ type: 'QueueDoesNotExist', queryError: 'AWS.SimpleQueueService.NonExistentQueue' });
    expect((await sqs('ListQueues', { QueueNamePrefix: name })).QueueUrls).toEqual([]);
  });

  it('reports attributes and counts', async () => {
    const { url } = await createQueue(uniqueName(), { DelaySeconds: '0' });
    await send(url, 'visible');
    await send(url, 'delayed', { DelaySeconds: 60 });
    await receive(url, { MaxNumberOfMessages: 1 });
    await send(url, 'visible 2');
    const attributes = await counts(url);
    expect(attributes).toMatchObject({
      ApproximateNumberOfMessages: '1',
      ApproximateNumberOfMessagesNotVisible: '1',
      ApproximateNumberOfMessagesDelayed: '1',
      VisibilityTimeout: '30',
      MaximumMessageSize: '1048576',
      MessageRetentionPeriod: '345600',
      DelaySeconds: '0',
      ReceiveMessageWaitTimeSeconds: '0',
    });
    expect(attributes.QueueArn).toMatch(/^arn:aws:sqs:us-east-1:123456789012:/);
    expect(Number(attributes.CreatedTimestamp)).toBeGreaterThan(1_600_000_000);
  });
});

describe('messages', () => {
  it('round-trips bodies and attributes with their digests', async () => {
    const { url } = await createQueue();
    const sent = await send(url, 'hello', {
      MessageAttributes: { attribName1: { DataType: 'String', StringValue: 'attribValue 1' } },
      MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1-5759e988-bd862e3fe1be46a994272793' } },
    });
    expect(sent.MD5OfMessageBody).toBe('5d41402abc4b2a76b9719d911017c592');
    expect((sent as any).MD5OfMessageAttributes).toBe('19e27d4e946b072f3f58da80d94fd778');
    const [message] = await receive(url, { MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] });
    expect(message).toMatchObject({
      MessageId: sent.MessageId,
      Body: 'hello',
      MD5OfBody: '5d41402abc4b2a76b9719d911017c592',
      MD5OfMessageAttributes: '19e27d4e946b072f3f58da80d94fd778',
      MessageAttributes: { attribName1: { DataType: 'String', StringValue: 'attribValue 1' } },
    });
    expect(message.Attributes).toMatchObject({ ApproximateReceiveCount: '1', AWSTraceHeader: 'Root=1-5759e988-bd862e3fe1be46a994272793' });
  });

  it('hides delayed messages until due', async () => {
    const { name, url } = await createQueue();
    await send(url, 'later', { DelaySeconds: 5 });
    expect(await receive(url)).toHaveLength(0);
    await makeAllVisible(name);
    expect((await receive(url)).map((m) => m.Body)).toEqual(['later']);
  });

  it('keeps a received message invisible, then returns it with a higher receive count', async () => {
    const { name, url } = await createQueue();
    await send(url, 'once');
    const [first] = await receive(url, { AttributeNames: ['ApproximateReceiveCount'] });
    expect(first.Attributes.ApproximateReceiveCount).toBe('1');
    expect(await receive(url)).toHaveLength(0);
    await makeAllVisible(name);
    const [second] = await receive(url, { AttributeNames: ['ApproximateReceiveCount'] });
    expect(second.Attributes.ApproximateReceiveCount).toBe('2');
    expect(second.ReceiptHandle).not.toBe(first.ReceiptHandle);
    // The first handle is stale: the delete succeeds but the message stays (SQS behaviour).
    await sqs('DeleteMessage', { QueueUrl: url, ReceiptHandle: first.ReceiptHandle });
    expect((await counts(url)).ApproximateNumberOfMessagesNotVisible).toBe('1');
    await sqs('DeleteMessage', { QueueUrl: url, ReceiptHandle: second.ReceiptHandle });
    expect((await counts(url)).ApproximateNumberOfMessagesNotVisible).toBe('0');
  });

  it('changes visibility, and refuses invalid receipt handles', async () => {
    const { url } = await createQueue();
    await send(url, 'x');
    const [message] = await receive(url);
    await sqs('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 });
    expect(await receive(url)).toHaveLength(1);
    expect(await sqsError('DeleteMessage', { QueueUrl: url, ReceiptHandle: 'garbage' })).toMatchObject({
      status: 404,
      type: 'ReceiptHandleIsInvalid',
    });
  });

  it('answers ChangeMessageVisibility for a deleted message as SQS does', async () => {
    const { url } = await createQueue();
    await send(url, 'x');
    const [message] = await receive(url);
    await sqs('DeleteMessage', { QueueUrl: url, ReceiptHandle: message.ReceiptHandle });
    const gone = await sqsError('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 10 });
    expect(gone).toMatchObject({ status: 400, queryError: 'InvalidParameterValue' });
    expect(gone.message).toMatch(/Message does not exist or is not available for visibility timeout change/);
  });

  it('a receipt handle stays valid after ChangeMessageVisibility moves the message', async () => {
    const { url } = await createQueue();
    await send(url, 'x');
    const [message] = await receive(url);
    await sqs('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 120 });
    await sqs('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 60 });
    await sqs('DeleteMessage', { QueueUrl: url, ReceiptHandle: message.ReceiptHandle });
    expect(await counts(url)).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
  });

  it('long polling returns as soon as a message arrives', async () => {
    const { url } = await createQueue();
    const started = Date.now();
    const waiting = receive(url, { WaitTimeSeconds: 10 });
    await new Promise((r) => setTimeout(r, 200));
    await send(url, 'wake up');
    const messages = await waiting;
    expect(messages.map((m) => m.Body)).toEqual(['wake up']);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('sends batches in one call with per-entry failures', async () => {
    const { url } = await createQueue();
    const result = await sqs('SendMessageBatch', {
      QueueUrl: url,
      Entries: [
        { Id: 'ok', MessageBody: 'fine' },
        { Id: 'bad', MessageBody: 'nul \u0000 inside' },
        { Id: 'late', MessageBody: 'later', DelaySeconds: 2 },
      ],
    });
    expect(result.Successful.map((e: any) => e.Id).sort()).toEqual(['late', 'ok']);
    expect(result.Failed).toEqual([expect.objectContaining({ Id: 'bad', Code: 'InvalidMessageContents', SenderFault: true })]);
  });

  it('refuses oversized messages', async () => {
    const { url } = await createQueue();
    expect(await sqsError('SendMessage', { QueueUrl: url, MessageBody: 'x'.repeat(1_048_577) })).toMatchObject({
      status: 400,
      queryError: 'InvalidParameterValue',
    });
  });

  it('moves messages to the dead-letter queue after maxReceiveCount, and redrives them back', async () => {
    const dlq = await createQueue(uniqueName('dlq'));
    const dlqArn = `arn:aws:sqs:us-east-1:123456789012:${dlq.name}`;
    const source = await createQueue(uniqueName('src'), {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }),
    });
    await send(source.url, 'poison');
    for (let i = 0; i < 2; i++) {
      expect(await receive(source.url)).toHaveLength(1);
      await makeAllVisible(source.name);
    }
    expect(await receive(source.url)).toHaveLength(0);
    const [dead] = await receive(dlq.url, { MessageSystemAttributeNames: ['DeadLetterQueueSourceArn'] });
    expect(dead.Body).toBe('poison');
    expect(dead.Attributes.DeadLetterQueueSourceArn).toBe(`arn:aws:sqs:us-east-1:123456789012:${source.name}`);
    expect((await sqs('ListDeadLetterSourceQueues', { QueueUrl: dlq.url })).queueUrls).toEqual([source.url]);

    await makeAllVisible(dlq.name);
    const { TaskHandle } = await sqs('StartMessageMoveTask', { SourceArn: dlqArn });
    expect(TaskHandle).toBeTruthy();
    // The task runs on the DLQ's alarm, which fires by itself.
    await vi.waitFor(async () => {
      const tasks = await sqs('ListMessageMoveTasks', { SourceArn: dlqArn });
      expect(tasks.Results[0]).toMatchObject({ Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 1 });
    });
    expect((await receive(source.url)).map((m) => m.Body)).toEqual(['poison']);
  });

  it('issue 10 point 8: RedrivePolicy is validated: the target exists, is not the queue itself, and is of the same type', async () => {
    const arnOf = (name: string) => `arn:aws:sqs:us-east-1:123456789012:${name}`;
    const policy = (target: string) => JSON.stringify({ deadLetterTargetArn: arnOf(target), maxReceiveCount: 3 });
    const missing = uniqueName('missing');
    const refused = await sqsError('CreateQueue', { QueueName: uniqueName('src'), Attributes: { RedrivePolicy: policy(missing) } });
    expect(refused).toMatchObject({ status: 400, type: 'InvalidParameterValue' });
    expect(refused.message).toMatch(/for parameter RedrivePolicy is invalid\. Reason: Dead letter target does not exist\./);
    const source = await createQueue();
    const self = await sqsError('SetQueueAttributes', { QueueUrl: source.url, Attributes: { RedrivePolicy: policy(source.name) } });
    expect(self).toMatchObject({ status: 400, type: 'InvalidParameterValue' });
    const fifoDlq = await createQueue(`${uniqueName('dlq')}.fifo`, { FifoQueue: 'true' });
    const otherType = await sqsError('SetQueueAttributes', { QueueUrl: source.url, Attributes: { RedrivePolicy: policy(fifoDlq.name) } });
    expect(otherType).toMatchObject({ status: 400, type: 'InvalidParameterValue' });
    expect(otherType.message).toMatch(/Reason: Dead-letter queue must be same type of queue as the source\./);
    expect((await sqs('GetQueueAttributes', { QueueUrl: source.url, AttributeNames: ['All'] })).Attributes.RedrivePolicy).toBeUndefined();
  });

  it('issue 10 point 8: an idempotent CreateQueue without attributes keeps the RedrivePolicy and the dead-letter link', async () => {
    const dlq = await createQueue(uniqueName('dlq'));
    const RedrivePolicy = JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:us-east-1:123456789012:${dlq.name}`, maxReceiveCount: 2 });
    const source = await createQueue(uniqueName('src'), { RedrivePolicy });
    await sqs('CreateQueue', { QueueName: source.name });
    expect((await sqs('GetQueueAttributes', { QueueUrl: source.url, AttributeNames: ['RedrivePolicy'] })).Attributes.RedrivePolicy).toBeTruthy();
    expect((await sqs('ListDeadLetterSourceQueues', { QueueUrl: dlq.url })).queueUrls).toEqual([source.url]);
  });

  it('issue 10 point 8: messages over maxReceiveCount whose dead-letter move fails are still received, never an empty answer', async () => {
    const dlq = await createQueue(uniqueName('dlq'));
    const RedrivePolicy = JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:us-east-1:123456789012:${dlq.name}`, maxReceiveCount: 1 });
    const source = await createQueue(uniqueName('src'), { RedrivePolicy });
    await send(source.url, 'poison');
    expect(await receive(source.url, { VisibilityTimeout: 0 })).toHaveLength(1);
    await sqs('DeleteQueue', { QueueUrl: dlq.url });
    // The DLQ is gone: SQS keeps the message in the source queue, and a consumer still gets it.
    expect((await receive(source.url)).map((m) => m.Body)).toEqual(['poison']);
  });

  it('tags queues', async () => {
    const { url } = await createQueue();
    await sqs('TagQueue', { QueueUrl: url, Tags: { team: 'core', env: 'dev' } });
    await sqs('UntagQueue', { QueueUrl: url, TagKeys: ['env'] });
    expect(await sqs('ListQueueTags', { QueueUrl: url })).toEqual({ Tags: { team: 'core' } });
  });

  it('leaves the tags as they were when TagQueue is refused', async () => {
    const { url } = await createQueue();
    await sqs('TagQueue', { QueueUrl: url, Tags: { team: 'core' } });
    const tooMany = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
    expect(await sqsError('TagQueue', { QueueUrl: url, Tags: tooMany })).toMatchObject({ status: 400, queryError: 'InvalidParameterValue' });
    expect(await sqs('ListQueueTags', { QueueUrl: url })).toEqual({ Tags: { team: 'core' } });
  });

  it('accepts queue attribute names in the deprecated ReceiveMessage AttributeNames, not in MessageSystemAttributeNames', async () => {
    const { url } = await createQueue();
    await send(url, 'a');
    const [message] = await receive(url, { AttributeNames: ['SqsManagedSseEnabled', 'SentTimestamp'] });
    expect(Object.keys(message.Attributes)).toEqual(['SentTimestamp']);
    expect(await sqsError('ReceiveMessage', { QueueUrl: url, MessageSystemAttributeNames: ['SqsManagedSseEnabled'] })).toMatchObject({
      queryError: 'InvalidAttributeName',
    });
    expect(await sqsError('ReceiveMessage', { QueueUrl: url, AttributeNames: ['NoSuchName'] })).toMatchObject({ queryError: 'InvalidAttributeName' });
  });
});

describe('FIFO queues', () => {
  const fifo = () => createQueue(`${uniqueName('f')}.fifo`, { FifoQueue: 'true', ContentBasedDeduplication: 'true' });

  it('deduplicates by content for five minutes and numbers messages', async () => {
    const { url } = await fifo();
    const a = await send(url, 'same', { MessageGroupId: 'g' });
    const b = await send(url, 'same', { MessageGroupId: 'g' });
    expect(b.MessageId).toBe(a.MessageId);
    expect(a.SequenceNumber).toMatch(/^\d{20}$/);
    expect(await receive(url)).toHaveLength(1);
  });

  it('keeps order within a group and holds the group while a batch is in flight', async () => {
    const { url } = await fifo();
    for (const body of ['g1-a', 'g1-b', 'g1-c']) await send(url, body, { MessageGroupId: 'g1' });
    await send(url, 'g2-a', { MessageGroupId: 'g2' });
    const first = await receive(url, { MaxNumberOfMessages: 2 });
    expect(first.map((m) => m.Body)).toEqual(['g1-a', 'g1-b']);
    const second = await receive(url);
    expect(second.map((m) => m.Body)).toEqual(['g2-a']);
    expect(await receive(url)).toHaveLength(0);
    for (const m of first) await sqs('DeleteMessage', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle });
    expect((await receive(url)).map((m) => m.Body)).toEqual(['g1-c']);
  });

  it('refuses to delete with an expired receipt handle, where a standard queue succeeds', async () => {
    const { url } = await fifo();
    await send(url, 'late', { MessageGroupId: 'g' });
    const [message] = await receive(url, { VisibilityTimeout: 30 });
    // Visibility 0 ends the handle's time at once (AWS: such a handle cannot delete on a FIFO queue).
    await sqs('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 });
    const expired = await sqsError('DeleteMessage', { QueueUrl: url, ReceiptHandle: message.ReceiptHandle });
    expect(expired).toMatchObject({ status: 400, queryError: 'InvalidParameterValue' });
    expect(expired.message).toMatch(/receipt handle has expired/);
    const [again] = await receive(url);
    expect(again.Body).toBe('late');
    await sqs('DeleteMessage', { QueueUrl: url, ReceiptHandle: again.ReceiptHandle });
    // A second delete while the handle is still within its visibility is not an error.
    await sqs('DeleteMessage', { QueueUrl: url, ReceiptHandle: again.ReceiptHandle });
    expect(await receive(url)).toHaveLength(0);

    const standard = await createQueue();
    await send(standard.url, 'late');
    const [first] = await receive(standard.url, { VisibilityTimeout: 30 });
    await makeAllVisible(standard.name);
    await sqs('DeleteMessage', { QueueUrl: standard.url, ReceiptHandle: first.ReceiptHandle });
  });

  it('requires a group id and refuses per-message delays', async () => {
    const { url } = await fifo();
    expect(await sqsError('SendMessage', { QueueUrl: url, MessageBody: 'x' })).toMatchObject({ queryError: 'MissingParameter' });
    expect(await sqsError('SendMessage', { QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g', DelaySeconds: 5 })).toMatchObject({
      queryError: 'InvalidParameterValue',
    });
  });
});

describe('query protocol', () => {
  it('accepts actions posted to the queue URL path', async () => {
    const { name } = await createQueue();
    const response = await callQuery({ Action: 'SendMessage', MessageBody: 'via path' }, `/123456789012/${name}`);
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/<SendMessageResponse[^>]*><SendMessageResult><MessageId>/);
  });
});

describe('extended delay (sqsflare.DelaySeconds)', () => {
  const attr = (value: string, type = 'Number') => ({ 'sqsflare.DelaySeconds': { DataType: type, StringValue: value } });

  it('delays a message beyond 900 s and keeps the attribute', async () => {
    const { url, name } = await createQueue(uniqueName('ext'));
    const sent = await sqs('SendMessage', { QueueUrl: url, MessageBody: 'in three days', MessageAttributes: attr(String(3 * 24 * 3600)) });
    expect(sent.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
    const attributes = await sqs('GetQueueAttributes', { QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessagesDelayed'] });
    expect(attributes.Attributes.ApproximateNumberOfMessagesDelayed).toBe('1');
    const [stored] = await env.QUEUE.getByName(name).peek(1);
    expect(stored.visibleAt - stored.sentAt).toBe(3 * 24 * 3600 * 1000);
    expect(stored.messageAttributes?.['sqsflare.DelaySeconds']).toMatchObject({ DataType: 'Number' });
  });

  it('rejects bad values, delays past retention and FIFO queues', async () => {
    const { url } = await createQueue(uniqueName('ext'), { MessageRetentionPeriod: '3600' });
    for (const bad of [attr('-1'), attr('1.5'), attr(String(15 * 24 * 3600)), attr('60', 'String')]) {
      const response = await callJson('SendMessage', { QueueUrl: url, MessageBody: 'x', MessageAttributes: bad });
      expect(response.status).toBe(400);
      expect(((await response.json()) as any).__type).toBe('com.amazonaws.sqs#InvalidParameterValue');
    }
    const pastRetention = await callJson('SendMessage', { QueueUrl: url, MessageBody: 'x', MessageAttributes: attr('7200') });
    expect(((await pastRetention.json()) as any).message).toMatch(/MessageRetentionPeriod/);
    const fifo = await createQueue(uniqueName('ext') + '.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    const onFifo = await callJson('SendMessage', { QueueUrl: fifo.url, MessageBody: 'x', MessageGroupId: 'g', MessageAttributes: attr('1000') });
    expect(onFifo.status).toBe(400);
  });
});
