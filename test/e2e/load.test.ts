/**
 * Load: 10 clients send and 10 consume for LOAD_SECONDS (default 60) against one queue. Every acknowledged send must
 * be received and deleted; no request may fail.
 */
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SQS_CREDENTIALS, startWranglerDev, type WranglerDev } from '../../bench/support/wrangler';

const SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
let dev: WranglerDev;
beforeAll(async () => {
  dev = await startWranglerDev();
});
afterAll(async () => dev?.stop());

it(`10 producers and 10 consumers for ${SECONDS} s: zero errors, zero lost`, async () => {
  const client = new SQSClient({ region: 'us-east-1', endpoint: dev.url, credentials: SQS_CREDENTIALS, maxAttempts: 1 });
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'load', Attributes: { VisibilityTimeout: '30' } }));
  const acknowledged = new Set<string>();
  const received = new Set<string>();
  const errors: string[] = [];
  let duplicates = 0;
  let producing = true;
  const stopAt = Date.now() + SECONDS * 1000;

  const producer = async (p: number) => {
    let n = 0;
    while (Date.now() < stopAt) {
      const entries = Array.from({ length: 10 }, (_, i) => ({ Id: `e${i}`, MessageBody: `p${p}-${n++}-${'x'.repeat(200)}` }));
      try {
        const result = await client.send(new SendMessageBatchCommand({ QueueUrl, Entries: entries }));
        for (const ok of result.Successful ?? []) acknowledged.add(entries.find((e) => e.Id === ok.Id)!.MessageBody);
        for (const failed of result.Failed ?? []) errors.push(`send entry ${failed.Code}`);
      } catch (e) {
        errors.push(`send ${(e as Error).name}`);
      }
    }
  };
  const consumer = async () => {
    while (producing || received.size < acknowledged.size) {
      try {
        const { Messages = [] } = await client.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
        if (!producing && Messages.length === 0 && received.size >= acknowledged.size) break;
        for (const m of Messages) {
          if (received.has(m.Body!)) duplicates++;
          received.add(m.Body!);
        }
        if (Messages.length) {
          const result = await client.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: Messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle! })) }));
          for (const failed of result.Failed ?? []) errors.push(`delete entry ${failed.Code}`);
        }
      } catch (e) {
        errors.push(`receive ${(e as Error).name}`);
      }
      if (!producing && Date.now() > stopAt + 60_000) break;
    }
  };
  const consumers = Array.from({ length: 10 }, consumer);
  await Promise.all(Array.from({ length: 10 }, (_, p) => producer(p)));
  producing = false;
  await Promise.all(consumers);

  const lost = [...acknowledged].filter((body) => !received.has(body));
  console.log(`load: ${acknowledged.size} acknowledged, ${received.size} received, ${duplicates} duplicates, ${errors.length} errors in ${SECONDS} s`);
  expect(errors).toEqual([]);
  expect(lost).toEqual([]);
  expect(acknowledged.size).toBeGreaterThan(SECONDS * 100);
}, (SECONDS + 120) * 1000);
