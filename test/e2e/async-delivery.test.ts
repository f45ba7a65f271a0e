/**
 * Asynchronous delivery end to end (issue 13): wrangler dev hands batches to the local Lambda emulator with
 * `X-Amz-Invocation-Type: Event`, which answers 202 and runs the handler afterwards, as Lambda does
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html).
 */
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatedFunction } from '../../dev/lambda-emulator';
import { ADMIN_PASSWORD } from '../../bench/support/wrangler';
import { ACCOUNT, mapping, queueArn, type Stack, startStack } from './support/stack';

let stack: Stack;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A function that records its events and then runs on for `runMs` after the hand-off. */
const fn = (name: string, extra: Partial<EmulatedFunction> = {}, runMs = 0): EmulatedFunction => ({
  name,
  handler: async () => {
    if (runMs) await sleep(runMs);
    return null;
  },
  ...extra,
});

beforeAll(async () => {
  stack = await startStack(
    [
      fn('svc-dev-job', { description: 'Runs jobs [sqsflare:async]' }, 5000),
      fn('svc-dev-long', { description: 'A 15-minute function', timeout: 900 }),
      fn('svc-dev-busy', { description: 'Throttled [sqsflare:async]' }),
      fn('svc-dev-bulk', { description: 'Takes big batches [sqsflare:async]' }),
      fn('svc-dev-old', { description: 'An account still at 256 KB [sqsflare:async]', asyncPayloadLimit: 262_144 }),
    ],
    [
      mapping('jobs', 'svc-dev-job', { FunctionResponseTypes: ['ReportBatchItemFailures'] }),
      mapping('long', 'svc-dev-long'),
      mapping('busy', 'svc-dev-busy'),
      mapping('bulk', 'svc-dev-bulk', { BatchSize: 10, MaximumBatchingWindowInSeconds: 4 }),
      mapping('old', 'svc-dev-old', { BatchSize: 10, MaximumBatchingWindowInSeconds: 3 }),
    ],
  );
  await stack.createQueue('busy-dlq');
  await stack.createQueue('busy', { VisibilityTimeout: '2', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn('busy-dlq'), maxReceiveCount: 2 }) });
  await stack.createQueue('jobs', { VisibilityTimeout: '2' });
  await stack.createQueue('old', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn('busy-dlq'), maxReceiveCount: 1 }) });
  await stack.cron();
});
afterAll(async () => stack?.stop());

const url = (queue: string) => `${stack.dev.url}/${ACCOUNT}/${queue}`;
const send = (queue: string, MessageBody: string) => stack.sqs.send(new SendMessageCommand({ QueueUrl: url(queue), MessageBody }));
const invocationsOf = (name: string) => stack.emulator.invocations.filter((i) => i.functionName === name);
const recordsOf = (name: string) => invocationsOf(name).flatMap((i) => (i.outcome === 'ok' ? i.event.Records : []));
async function until<T>(probe: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(50);
  }
}
async function emptied(queue: string) {
  for (let i = 0; i < 100; i++) {
    const q = await stack.admin(`/admin/api/queues/${queue}`);
    if (q.visible + q.inFlight + q.delayed === 0) return q;
    await sleep(100);
  }
  throw new Error(`${queue} was not emptied`);
}

describe('asynchronous delivery through the Lambda API', () => {
  it('an [sqsflare:async] function receives each message once, through Event invocations, while it runs on for 5 s', async () => {
    const bodies = ['job 1', 'job 2', 'job 3', 'job 4', 'job 5'];
    for (const body of bodies) await send('jobs', body);
    await until(() => recordsOf('svc-dev-job').length >= bodies.length);
    const q = await emptied('jobs');
    // Three visibility timeouts later nothing came back: the 202 deleted each message.
    await sleep(6000);
    expect(recordsOf('svc-dev-job').map((r: any) => r.body).sort()).toEqual(bodies);
    expect(invocationsOf('svc-dev-job').every((i) => i.invocationType === 'Event' && i.outcome === 'ok')).toBe(true);
    expect(recordsOf('svc-dev-job').every((r: any) => r.attributes.ApproximateReceiveCount === '1')).toBe(true);
    // Handed over before the 5 s handlers ended.
    expect(invocationsOf('svc-dev-job').some((i) => i.finishedAt === undefined || i.finishedAt - i.receivedAt >= 4900)).toBe(true);
    expect(q.mapping).toMatchObject({ invocationMode: 'async', asyncReason: 'tag' });
    expect(q.counters).toMatchObject({ delivered: 5, failures: 0 });
    expect(q.log[0]).toMatchObject({ outcome: 'success', status: 202, invocationType: 'Event' });
    // The object is active for the hand-off only, however long the function runs.
    const activeMs = q.usage.activities.deliveries.activeMs / q.counters.invocations;
    console.log(`object time per asynchronous invocation (5 s function): ${activeMs.toFixed(1)} ms`);
    expect(activeMs).toBeLessThanOrEqual(50);
    // The dashboard says so, with ReportBatchItemFailures.
    const page = await fetch(`${stack.dev.url}/admin/queues/jobs`, { headers: { authorization: `Basic ${btoa(`admin:${ADMIN_PASSWORD}`)}` } });
    const html = await page.text();
    expect(html).toContain('data-invocation="async"');
    expect(html).toMatch(/ReportBatchItemFailures cannot apply/);
  }, 60_000);

  it('a function whose Timeout is 900 s is delivered asynchronously without a tag', async () => {
    await send('long', 'a long one');
    const [invocation] = await until(() => invocationsOf('svc-dev-long').length > 0 && invocationsOf('svc-dev-long'));
    expect(invocation).toMatchObject({ invocationType: 'Event', outcome: 'ok' });
    const q = await emptied('long');
    expect(q.mapping).toMatchObject({ invocationMode: 'async', asyncReason: 'timeout', functionTimeoutSeconds: 900 });
  });

  it('a throttled (429) hand-off is retried, and the message reaches the dead-letter queue after maxReceiveCount', async () => {
    stack.emulator.setFault('svc-dev-busy', 'throttle');
    await send('busy', 'never accepted');
    let dead: { Body?: string }[] = [];
    for (let i = 0; i < 20 && dead.length === 0; i++) {
      dead = (await stack.sqs.send(new ReceiveMessageCommand({ QueueUrl: url('busy-dlq'), WaitTimeSeconds: 1 }))).Messages ?? [];
    }
    stack.emulator.setFault('svc-dev-busy', null);
    expect(dead.map((m) => m.Body)).toEqual(['never accepted']);
    const attempts = invocationsOf('svc-dev-busy');
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(attempts.every((i) => i.outcome === 'throttle' && i.invocationType === 'Event')).toBe(true);
    // Two receives (maxReceiveCount 2), each one's attempts inside its lease.
    expect(new Set(attempts.map((i) => i.event.Records[0].attributes.ApproximateReceiveCount))).toEqual(new Set(['1', '2']));
    const q = await stack.admin('/admin/api/queues/busy');
    expect(q.counters).toMatchObject({ delivered: 0, deadLettered: 1 });
  }, 40_000);

  it('a batch too large for one asynchronous call (10 × 200 KB) is split into calls of at most 1 MB', async () => {
    const bodies = Array.from({ length: 10 }, (_, i) => `${i}:${'x'.repeat(200_000)}`);
    for (const body of bodies) await send('bulk', body);
    await until(() => recordsOf('svc-dev-bulk').length >= 10);
    const calls = invocationsOf('svc-dev-bulk');
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const call of calls) expect(Buffer.byteLength(JSON.stringify(call.event))).toBeLessThanOrEqual(1024 * 1024);
    expect(recordsOf('svc-dev-bulk').map((r: any) => r.body.split(':')[0]).sort()).toEqual(bodies.map((b) => b.split(':')[0]).sort());
    expect(recordsOf('svc-dev-bulk').every((r: any) => r.attributes.ApproximateReceiveCount === '1')).toBe(true);
    await emptied('bulk');
  }, 40_000);

  it('a 413 from a function still at 256 KB splits the batch and hands it over again, burning no receive count', async () => {
    const bodies = Array.from({ length: 6 }, (_, i) => `${i}:${'y'.repeat(100_000)}`);
    for (const body of bodies) await send('old', body);
    await until(() => recordsOf('svc-dev-old').length >= 6);
    const calls = invocationsOf('svc-dev-old');
    expect(calls[0].outcome).toBe('too-large');
    expect(calls.slice(1).every((c) => c.outcome === 'ok')).toBe(true);
    expect(recordsOf('svc-dev-old').every((r: any) => r.attributes.ApproximateReceiveCount === '1')).toBe(true);
    const q = await emptied('old');
    // maxReceiveCount 1: had the 413 counted as a failed receive, the messages would be in the dead-letter queue.
    expect(q.counters).toMatchObject({ delivered: 6, deadLettered: 0, failures: 0 });
    expect(q.log.some((e: any) => e.outcome === 'split' && e.status === 413)).toBe(true);
  }, 40_000);
});
