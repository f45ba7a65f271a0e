/**
 * "The API answers at once, the queue runs the job": an HTTP handler (function URL or API Gateway) that queues a job
 * in sqsflare and answers 202 with its id in milliseconds. sqsflare then hands the message to the job function
 * (long-job.ts, `[sqsflare:async]`) with an Event invocation, and the job runs for as long as its Timeout allows.
 *
 * Environment: SQSFLARE_ENDPOINT (the Worker's URL), SQSFLARE_ACCESS_KEY_ID / SQSFLARE_SECRET_ACCESS_KEY (the
 * SQS_* secrets of the Worker), JOBS_QUEUE_URL. `npm run dev` sets them for the emulator.
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

let client: SQSClient | undefined;

function sqs(): SQSClient {
  client ??= new SQSClient({
    region: process.env.AWS_REGION ?? 'us-east-1',
    endpoint: process.env.SQSFLARE_ENDPOINT,
    credentials: { accessKeyId: process.env.SQSFLARE_ACCESS_KEY_ID ?? '', secretAccessKey: process.env.SQSFLARE_SECRET_ACCESS_KEY ?? '' },
  });
  return client;
}

export async function handler(event: {
  body?: string;
  requestContext?: { http?: { method?: string } };
}): Promise<{ statusCode: number; headers: Record<string, string>; body: string }> {
  // Only a POST queues a job: a GET (sqsflare's warming ping, a browser) just learns how to ask.
  if (event.requestContext?.http?.method !== 'POST') {
    return { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ usage: 'POST {"steps":6,"stepMs":5000} to queue a job' }) };
  }
  let request: { steps?: number; stepMs?: number } = {};
  try {
    request = event.body ? JSON.parse(event.body) : {};
  } catch {
    return { statusCode: 400, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ error: 'the body must be JSON' }) };
  }
  const job = `job-${Date.now().toString(36)}`;
  await sqs().send(new SendMessageCommand({ QueueUrl: process.env.JOBS_QUEUE_URL, MessageBody: JSON.stringify({ ...request, job }) }));
  return { statusCode: 202, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ job, status: 'queued' }) };
}
