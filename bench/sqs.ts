/**
 * SQS API benchmarks, side by side in one process against two references:
 * the platform floor (a do-nothing Worker on the same wrangler dev) and the in-memory peer
 * local-aws-sqs. Every client is the real AWS SDK (latest, JSON 1.0).
 */
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { performance } from 'node:perf_hooks';

export interface Target {
  name: string;
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** the floor stores nothing: only send benchmarks apply */
  sendOnly?: boolean;
}

export function client(target: Target): SQSClient {
  return new SQSClient({ region: 'us-east-1', endpoint: target.endpoint, credentials: target.credentials, maxAttempts: 1 });
}

export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const BODY_512 = 'b'.repeat(512);

export async function queueFor(target: Target, name: string): Promise<string> {
  if (target.sendOnly) return `${target.endpoint}/000000000000/${name}`;
  const { QueueUrl } = await client(target).send(new CreateQueueCommand({ QueueName: name }));
  return QueueUrl!;
}

/** SendMessageBatch throughput: `clients` concurrent senders, batches of 10 × 512 B, for `seconds`. */
export async function sendBatchThroughput(target: Target, clients: number, seconds: number) {
  const url = await queueFor(target, `tput-${Date.now()}`);
  const sqs = client(target);
  const entries = Array.from({ length: 10 }, (_, i) => ({ Id: `e${i}`, MessageBody: BODY_512 }));
  let messages = 0;
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) {
        try {
          const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
          messages += out.Successful?.length ?? 0;
          errors += out.Failed?.length ?? 0;
        } catch {
          errors += 10;
        }
      }
    }),
  );
  return { messagesPerSecond: messages / seconds, requestsPerSecond: messages / 10 / seconds, errors, url };
}

/** SendMessage latency, one client, sequential. */
export async function sendLatency(target: Target, count: number, url?: string) {
  const queueUrl = url ?? (await queueFor(target, `lat-${Date.now()}`));
  const sqs = client(target);
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: BODY_512 }));
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

/** Receive + DeleteMessageBatch throughput over a prefilled queue, `clients` consumers. */
export async function receiveDeleteThroughput(target: Target, clients: number, prefill: number) {
  const url = await queueFor(target, `rd-${Date.now()}`);
  const sqs = client(target);
  const entries = Array.from({ length: 10 }, (_, i) => ({ Id: `e${i}`, MessageBody: BODY_512 }));
  for (let sent = 0; sent < prefill; ) {
    await Promise.all(
      Array.from({ length: 10 }, () => sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }))),
    );
    sent += 100;
  }
  let consumed = 0;
  let errors = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (;;) {
        const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }));
        if (Messages.length === 0) return;
        const out = await sqs.send(
          new DeleteMessageBatchCommand({ QueueUrl: url, Entries: Messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle! })) }),
        );
        consumed += out.Successful?.length ?? 0;
        errors += out.Failed?.length ?? 0;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const left = await client(target).send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }));
  return { messagesPerSecond: consumed / seconds, consumed, errors, left: Number(left.Attributes?.ApproximateNumberOfMessages ?? NaN) };
}

/** Fills one queue with `count` messages (batches of 10, 10 concurrent senders). */
export async function fillBacklog(target: Target, url: string, count: number, onProgress?: (n: number) => void) {
  const sqs = client(target);
  const entries = Array.from({ length: 10 }, (_, i) => ({ Id: `e${i}`, MessageBody: BODY_512.slice(0, 100) }));
  let sent = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (next < count) {
        next += 10;
        for (let attempt = 0; ; attempt++) {
          try {
            await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
            break;
          } catch (error) {
            if (attempt > 3) throw error;
          }
        }
        sent += 10;
        if (sent % 100_000 === 0) onProgress?.(sent);
      }
    }),
  );
  return sent;
}
