/** sqs-producer sends and sqs-consumer consumes (and deletes) through sqsflare, as an app using those libraries would. */
import { SQSClient } from '@aws-sdk/client-sqs';
import { Consumer } from 'sqs-consumer';
import { Producer } from 'sqs-producer';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SQS_CREDENTIALS, startWranglerDev, type WranglerDev } from '../../bench/support/wrangler';

let dev: WranglerDev;
beforeAll(async () => {
  dev = await startWranglerDev();
});
afterAll(async () => dev?.stop());

it('produces 25 messages, consumes each once and leaves the queue empty', async () => {
  const sqs = new SQSClient({ region: 'us-east-1', endpoint: dev.url, credentials: SQS_CREDENTIALS });
  const { CreateQueueCommand, GetQueueAttributesCommand } = await import('@aws-sdk/client-sqs');
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'orders', Attributes: { VisibilityTimeout: '5' } }));
  const producer = Producer.create({ queueUrl: QueueUrl!, sqs, batchSize: 10 });
  const sent = Array.from({ length: 25 }, (_, i) => ({
    id: `order-${i}`,
    body: JSON.stringify({ order: i }),
    messageAttributes: { kind: { DataType: 'String', StringValue: 'order' } },
  }));
  const results = await producer.send(sent);
  expect(results).toHaveLength(25);
  expect(await producer.queueSize()).toBe(25);

  const consumed: { body: string; kind?: string }[] = [];
  const errors: Error[] = [];
  const consumer = Consumer.create({
    queueUrl: QueueUrl!,
    sqs,
    batchSize: 10,
    waitTimeSeconds: 1,
    messageAttributeNames: ['All'],
    handleMessage: async (message) => {
      consumed.push({ body: message.Body!, kind: message.MessageAttributes?.kind?.StringValue });
      return message;
    },
  });
  consumer.on('error', (e) => errors.push(e));
  consumer.on('processing_error', (e) => errors.push(e));
  consumer.start();
  const deadline = Date.now() + 20_000;
  while (consumed.length < 25 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  consumer.stop({ abort: true });

  expect(errors).toEqual([]);
  expect(consumed.map((c) => JSON.parse(c.body).order).sort((a, b) => a - b)).toEqual(sent.map((_, i) => i));
  expect(consumed.every((c) => c.kind === 'order')).toBe(true);
  // Consumed messages were deleted: nothing comes back after the visibility timeout.
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
  expect(attributes.Attributes).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
});
