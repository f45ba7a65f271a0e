/**
 * Crash safety: 300 acknowledged messages delayed 3–6 s; the runtime is killed with kill -9 while deliveries are under
 * way and restarted on the same state. Every message must reach the function at least once (duplicates are counted).
 */
import { CreateQueueCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { queueArn, type Stack, startStack } from './support/stack';

let stack: Stack;
const delivered: string[] = [];

beforeAll(async () => {
  stack = await startStack(
    [
      {
        name: 'svc-dev-durable',
        handler: async (event: any) => {
          // A little work per batch, so a crash catches some batches mid-invocation.
          await new Promise((r) => setTimeout(r, 50));
          for (const record of event.Records) delivered.push(record.body);
          return null;
        },
      },
    ],
    [{ EventSourceArn: queueArn('durable'), FunctionName: 'svc-dev-durable', BatchSize: 10, State: 'Disabled' }],
  );
  await stack.sqs.send(new CreateQueueCommand({ QueueName: 'durable', Attributes: { VisibilityTimeout: '5' } }));
  await stack.cron();
});
afterAll(async () => stack?.stop());

it('delivers all 300 acknowledged messages at least once across a kill -9 and restart', async () => {
  const acknowledged: string[] = [];
  const firstSend = Date.now();
  for (let batch = 0; batch < 30; batch++) {
    const entries = Array.from({ length: 10 }, (_, i) => ({ Id: `e${i}`, MessageBody: `m-${batch * 10 + i}`, DelaySeconds: 3 + ((batch * 10 + i) % 4) }));
    const result = await stack.sqs.send(new SendMessageBatchCommand({ QueueUrl: `${stack.dev.url}/000000000000/durable`, Entries: entries }));
    for (const ok of result.Successful ?? []) acknowledged.push(entries.find((e) => e.Id === ok.Id)!.MessageBody);
  }
  expect(acknowledged).toHaveLength(300);

  // Kill while the first messages (due after 3 s) are being delivered.
  while (Date.now() - firstSend < 3300) await new Promise((r) => setTimeout(r, 20));
  const beforeCrash = delivered.length;
  await stack.restart({ kill9: true });
  const restartedAt = Date.now();

  const deadline = Date.now() + 60_000;
  while (new Set(delivered).size < 300 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const unique = new Set(delivered);
  const lost = acknowledged.filter((body) => !unique.has(body));
  console.log(
    `durability: ${beforeCrash} delivered before the crash, ${unique.size}/300 after restart (${((Date.now() - restartedAt) / 1000).toFixed(1)} s), ` +
      `${delivered.length - unique.size} duplicates, ${lost.length} lost`,
  );
  expect(beforeCrash).toBeGreaterThan(0);
  expect(beforeCrash).toBeLessThan(300);
  expect(lost).toEqual([]);
}, 120_000);
