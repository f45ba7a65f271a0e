/**
 * Takes orders over HTTP and queues them in sqsflare. The producer is plain AWS SDK v3 code: only `endpoint` and the
 * credentials point at sqsflare. Warming pings carry `x-sqsflare-warmer: 1` and are answered without work.
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

const sqs = new SQSClient({
  region: 'us-east-1',
  endpoint: process.env.SQSFLARE_ENDPOINT,
  credentials: { accessKeyId: process.env.SQSFLARE_ACCESS_KEY_ID ?? '', secretAccessKey: process.env.SQSFLARE_SECRET_ACCESS_KEY ?? '' },
});

interface UrlEvent {
  headers: Record<string, string | undefined>;
  body?: string;
}

export async function handler(event: UrlEvent) {
  if (event.headers['x-sqsflare-warmer']) return { statusCode: 204 };
  const order = { id: crypto.randomUUID(), total: Number(JSON.parse(event.body ?? '{}').total ?? 0) };
  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.ORDERS_QUEUE_URL, MessageBody: JSON.stringify(order) }));
  return { statusCode: 202, body: JSON.stringify(order) };
}
