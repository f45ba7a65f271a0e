/**
 * Issue 12 point 3: a long poll parks in the Worker and the queue object hibernates (src/queue/long-poll.ts). Measured
 * with the object's own usage meter: active time and DO requests per poll of an empty queue; and the behaviours a
 * wait inside the object had: early answers, due messages, only satisfiable polls woken, DeleteQueue, no lost messages.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { RECEIVE_OPTIONS_HEADER } from '../../src/shared/long-poll';
import { createQueue, sqs, sqsError } from '../support/sqs';

const send = (url: string, body: string, extra: Record<string, unknown> = {}) => sqs('SendMessage', { QueueUrl: url, MessageBody: body, ...extra });
const receive = (url: string, extra: Record<string, unknown> = {}) =>
  sqs<{ Messages?: any[] }>('ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 10, ...extra }).then((r) => r.Messages ?? []);
const counts = async (url: string) => (await sqs('GetQueueAttributes', { QueueUrl: url, AttributeNames: ['All'] })).Attributes as Record<string, string>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const receivesOf = async (name: string) => {
  const usage = (await env.QUEUE.getByName(name).stats()).usage;
  const receives = usage.activities.receives ?? { activeMs: 0, requests: 0 };
  return { activeMs: receives.activeMs, requests: receives.requests, dayActiveMs: usage.activeMs };
};

describe('long polls parked in the Worker', () => {
  it('an empty queue long-polled costs the object a few ms and ~1 DO request per poll, not the wait', async () => {
    const { name, url } = await createQueue();
    const before = await receivesOf(name);
    const polls = 4;
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: polls }, () => receive(url, { WaitTimeSeconds: 2 })));
    const waited = Date.now() - started;
    expect(answers.flat()).toEqual([]);
    expect(waited).toBeGreaterThanOrEqual(1900);
    const after = await receivesOf(name);
    const activeMsPerPoll = (after.activeMs - before.activeMs) / polls;
    const requestsPerPoll = (after.requests - before.requests) / polls;
    console.log(`long poll of an empty queue (WaitTimeSeconds 2): ${activeMsPerPoll.toFixed(1)} active ms and ${requestsPerPoll.toFixed(3)} DO requests per poll`);
    // Inside the object each poll was 2,000 ms active; parked, it is the upgrade and the close.
    expect(activeMsPerPoll).toBeLessThan(100);
    expect(requestsPerPoll).toBeLessThanOrEqual(1.1);
    expect(after.dayActiveMs - before.dayActiveMs).toBeLessThan(400);
  });

  it('before, for comparison: a poll waiting inside the object (the receive RPC) keeps it active for the whole wait', async () => {
    const { name } = await createQueue();
    const before = await receivesOf(name);
    expect(await env.QUEUE.getByName(name).receive({ maxMessages: 1, waitTimeSeconds: 2 })).toEqual([]);
    const after = await receivesOf(name);
    console.log(`long poll inside the object (WaitTimeSeconds 2): ${after.activeMs - before.activeMs} active ms, ${after.requests - before.requests} DO request`);
    expect(after.activeMs - before.activeMs).toBeGreaterThanOrEqual(1900);
  });

  it('answers at once when a message arrives (JSON and query), with a receipt handle that deletes it', async () => {
    const { url } = await createQueue();
    const started = Date.now();
    const waiting = receive(url, { WaitTimeSeconds: 10 });
    await sleep(200);
    await send(url, 'wake up');
    const [message] = await waiting;
    expect(message.Body).toBe('wake up');
    expect(Date.now() - started).toBeLessThan(3000);
    await sqs('DeleteMessage', { QueueUrl: url, ReceiptHandle: message.ReceiptHandle });
    expect(await counts(url)).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
  });

  it('a delayed message is answered when due, by the Worker asking again (no alarm, no timer in the object)', async () => {
    const { name, url } = await createQueue();
    await send(url, 'later', { DelaySeconds: 1 });
    const alarmWrites = async () => (await env.QUEUE.getByName(name).stats()).usage.alarmWrites;
    const writesBefore = await alarmWrites();
    const started = Date.now();
    const messages = await receive(url, { WaitTimeSeconds: 5 });
    expect(messages.map((m) => m.Body)).toEqual(['later']);
    expect(Date.now() - started).toBeLessThan(2500);
    expect(await alarmWrites()).toBe(writesBefore);
  });

  it('a send wakes only the parked polls it can satisfy, the longest-waiting first', async () => {
    const { url } = await createQueue();
    const first = receive(url, { WaitTimeSeconds: 2 });
    await sleep(100);
    const second = receive(url, { WaitTimeSeconds: 2 });
    await sleep(100);
    await send(url, 'one');
    expect((await first).map((m) => m.Body)).toEqual(['one']);
    expect(await second).toEqual([]);
  });

  it('FIFO: a parked poll gets the group\'s next message when the one in flight is deleted', async () => {
    const { url } = await createQueue(`fifo-${Date.now().toString(36)}.fifo`, { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    await send(url, 'first', { MessageGroupId: 'g' });
    await send(url, 'second', { MessageGroupId: 'g' });
    const [first] = await receive(url, { MaxNumberOfMessages: 1 });
    expect(first.Body).toBe('first');
    const started = Date.now();
    const waiting = receive(url, { WaitTimeSeconds: 10 });
    await sleep(200);
    await sqs('DeleteMessage', { QueueUrl: url, ReceiptHandle: first.ReceiptHandle });
    expect((await waiting).map((m) => m.Body)).toEqual(['second']);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('uses the queue ReceiveMessageWaitTimeSeconds when the call names none', async () => {
    const { url } = await createQueue(undefined, { ReceiveMessageWaitTimeSeconds: '1' });
    const started = Date.now();
    expect(await receive(url)).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('DeleteQueue ends a parked poll with QueueDoesNotExist', async () => {
    const { url } = await createQueue();
    const started = Date.now();
    const waiting = sqsError('ReceiveMessage', { QueueUrl: url, WaitTimeSeconds: 10 });
    await sleep(200);
    await sqs('DeleteQueue', { QueueUrl: url });
    expect(await waiting).toMatchObject({ status: 400, type: 'QueueDoesNotExist' });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('messages sent as the Worker gives up are delivered or stay receivable, never stuck invisible', async () => {
    const { name, url } = await createQueue();
    for (let round = 0; round < 5; round++) {
      const response = await env.QUEUE.getByName(name).fetch('https://queue.internal/receive', {
        headers: { Upgrade: 'websocket', [RECEIVE_OPTIONS_HEADER]: JSON.stringify({ maxMessages: 1, waitTimeSeconds: 10 }) },
      });
      const socket = response.webSocket!;
      const got: string[] = [];
      const closed = new Promise<void>((resolve) => socket.addEventListener('close', () => resolve()));
      socket.addEventListener('message', (event) => {
        const frame = JSON.parse(String(event.data));
        if (frame.messages) got.push(...frame.messages.map((m: { body: string }) => m.body));
      });
      socket.accept();
      // The Worker's deadline and a send, racing.
      const sending = send(url, `race ${round}`);
      await sleep(round);
      socket.close(1000, 'waited');
      await sending;
      await closed;
      const left = await receive(url);
      expect([...got, ...left.map((m) => m.Body)]).toEqual([`race ${round}`]);
      for (const m of left) await sqs('DeleteMessage', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle });
    }
  });
});
