#!/usr/bin/env node
/**
 * `npm run demo` (with `npm run dev` running): the original use case through the real AWS SDK. Sends "world" with
 * SendMessageBatch and DelaySeconds 10, then "hello" with SendMessage and DelaySeconds 5, and shows when the demo
 * function ran for each — hello first, about 5 s after sending; world about 10 s after.
 */
import { CreateQueueCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The SDK warns on every run that its releases from 2027 will need Node 22: not news for a demo.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const varsFile = existsSync(join(root, '.dev.vars')) ? join(root, '.dev.vars') : join(root, '.dev.vars.example');
const vars = Object.fromEntries(
  readFileSync(varsFile, 'utf8')
    .split('\n')
    .filter((line) => line.includes('=') && !line.trim().startsWith('#'))
    .map((line) => [line.slice(0, line.indexOf('=')).trim(), line.slice(line.indexOf('=') + 1).trim()]),
);
const origin = `http://127.0.0.1:${process.env.SQSFLARE_PORT ?? 8787}`;
const emulator = `http://127.0.0.1:${process.env.LAMBDA_EMULATOR_PORT ?? 9001}`;
const FUNCTION = 'sqsflare-demo-dev-hello';

const sqs = new SQSClient({
  region: 'us-east-1',
  endpoint: origin,
  credentials: { accessKeyId: vars.SQS_ACCESS_KEY_ID, secretAccessKey: vars.SQS_SECRET_ACCESS_KEY },
});

try {
  await fetch(`${emulator}/_emulator/invocations`);
} catch {
  console.error(`The Lambda emulator is not answering at ${emulator}: start \`npm run dev\` first.`);
  process.exit(1);
}

// The cron sync created demo-queue from the example's (disabled) mapping; CreateQueue is idempotent.
const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'demo-queue' }));
const sentAt = Date.now();
await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'world', MessageBody: 'world', DelaySeconds: 10 }] }));
await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'hello', DelaySeconds: 5 }));
const stamp = (ms) => new Date(ms).toISOString().slice(11, 23);
console.log(`${stamp(sentAt)}  sent "world" (SendMessageBatch, DelaySeconds 10) and "hello" (SendMessage, DelaySeconds 5) to ${QueueUrl}`);

const seen = new Map();
const deadline = sentAt + 30_000;
while (seen.size < 2 && Date.now() < deadline) {
  await new Promise((r) => setTimeout(r, 100));
  const invocations = await (await fetch(`${emulator}/_emulator/invocations`)).json();
  for (const invocation of invocations) {
    if (invocation.functionName !== FUNCTION || invocation.receivedAt < sentAt || invocation.outcome !== 'ok') continue;
    for (const body of invocation.bodies) {
      if ((body === 'hello' || body === 'world') && !seen.has(body)) {
        seen.set(body, invocation.receivedAt);
        console.log(`${stamp(invocation.receivedAt)}  ${FUNCTION} ran with "${body}", ${((invocation.receivedAt - sentAt) / 1000).toFixed(2)} s after sending`);
      }
    }
  }
}
if (seen.size < 2) {
  console.error(`Not delivered within 30 s: ${['hello', 'world'].filter((b) => !seen.has(b)).join(', ')}. Is the mapping synced? See ${origin}/admin`);
  process.exit(1);
}
console.log(`\nhello first: ${seen.get('hello') < seen.get('world')}. The delivery log: ${origin}/admin/queues/demo-queue (user admin)`);
