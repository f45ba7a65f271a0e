/**
 * One consumer long-polling an empty queue (issue 12 point 3): what the queue object spends per poll, from its own
 * usage meter (`/admin/api/usage`, its row), and what that makes a day of polls with WaitTimeSeconds 20.
 *
 * Before (the previous release): the poll waited inside the object, which stayed active — billed for duration — for
 * the whole wait, so a poll cost its wait in active time and one DO request (the RPC). test/queue/long-poll.test.ts
 * measures that path too (the `receive` RPC still waits inside the object); here it is the wait by construction.
 */
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ADMIN_PASSWORD, SQS_CREDENTIALS, startWranglerDev } from './support/wrangler';

const ACCOUNT = '000000000000';
const DAY_SECONDS = 86_400;
/** Workers Free, per account per day (https://developers.cloudflare.com/durable-objects/platform/pricing/). */
const FREE_DURATION_GB_S = 13_000;
const FREE_DO_REQUESTS = 100_000;
const GB_PER_OBJECT = 0.125;

export interface LongPollCost {
  polls: number;
  waitSeconds: number;
  activeMsPerPoll: number;
  requestsPerPoll: number;
}

export interface LongPollDay {
  activeSeconds: number;
  durationShare: number;
  requests: number;
  requestsShare: number;
}

/** `polls` long polls of an empty queue, `parallel` at a time, each waiting `waitSeconds`. */
export async function longPollCost(polls = 10, waitSeconds = 2, parallel = 5): Promise<LongPollCost> {
  const dev = await startWranglerDev();
  try {
    const sqs = new SQSClient({ region: 'us-east-1', endpoint: dev.url, credentials: SQS_CREDENTIALS, maxAttempts: 1 });
    await sqs.send(new CreateQueueCommand({ QueueName: 'longpoll' }));
    const url = `${dev.url}/${ACCOUNT}/longpoll`;
    // The queue's own figures of today, as /admin/api/usage lists them (each look is one stats call: 1 request).
    const look = async () => {
      const response = await fetch(`${dev.url}/admin/api/usage`, { headers: { authorization: `Basic ${btoa(`admin:${ADMIN_PASSWORD}`)}` } });
      const { objects } = (await response.json()) as { objects: { name: string; activeMs: number; requests: number }[] };
      const object = objects.find((o) => o.name === 'longpoll');
      return { activeMs: object?.activeMs ?? 0, requests: object?.requests ?? 0 };
    };
    const before = await look();
    for (let done = 0; done < polls; done += parallel) {
      const answers = await Promise.all(
        Array.from({ length: Math.min(parallel, polls - done) }, () => sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: waitSeconds }))),
      );
      if (answers.some((a) => (a.Messages?.length ?? 0) > 0)) throw new Error('the queue was meant to be empty');
    }
    const after = await look();
    return {
      polls,
      waitSeconds,
      // Less the look that read `after` (it counts itself; the first look's own was in `before`).
      activeMsPerPoll: (after.activeMs - before.activeMs) / polls,
      requestsPerPoll: (after.requests - before.requests - 1) / polls,
    };
  } finally {
    await dev.stop();
  }
}

/** One consumer polling around the clock with WaitTimeSeconds 20: 4,320 polls a day. */
export function longPollDay(activeMsPerPoll: number, requestsPerPoll: number, waitSeconds = 20): LongPollDay {
  const pollsPerDay = DAY_SECONDS / waitSeconds;
  const activeSeconds = (pollsPerDay * activeMsPerPoll) / 1000;
  const requests = pollsPerDay * requestsPerPoll;
  return {
    activeSeconds,
    durationShare: (activeSeconds * GB_PER_OBJECT) / FREE_DURATION_GB_S,
    requests,
    requestsShare: requests / FREE_DO_REQUESTS,
  };
}
