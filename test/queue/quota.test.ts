/**
 * At an exhausted Cloudflare quota (src/shared/quota.ts): the platform's own error is injected into the queue
 * object's SQL and alarm calls, and real SQS requests go through the Worker. Clients get RequestThrottled (which
 * every AWS SDK retries as a throttle), never a 500; what was acknowledged stays; delivery resumes after the reset.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { afterEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { nextUtcMidnight } from '../../src/shared/usage';
import { fakeLambda, ok } from '../delivery/fake-lambda';
import { callQuery, createQueue, sqs, sqsError, uniqueName } from '../support/sqs';
import { mapping } from '../support/mapping';

const ROWS_WRITTEN = 'Exceeded allowed rows written in Durable Objects free tier.';
const ROWS_READ = 'Exceeded allowed rows read in Durable Objects free tier.';
const stub = (name: string) => env.QUEUE.getByName(name);
const WRITE = /^\s*(INSERT|UPDATE|DELETE|REPLACE)/i;

/** The injected refusals, undone by `allow()` (the fake Lambda's spy stays). */
const spies: MockInstance[] = [];
const allow = () => {
  for (const spy of spies.splice(0)) spy.mockRestore();
};

/** The object's SQL refuses `which` statements as the runtime does at the quota; setAlarm() too when `alarms`. */
function refuse(name: string, message: string, which: RegExp, alarms: boolean) {
  return runInDurableObject(stub(name), (_instance, state) => {
    const sql = state.storage.sql;
    const exec = sql.exec.bind(sql);
    const spy = vi.spyOn(sql, 'exec').mockImplementation(((query: string, ...bindings: unknown[]) => {
      if (which.test(query)) throw new Error(`SQL query failed: ${message}`);
      return exec(query, ...bindings);
    }) as typeof sql.exec);
    spies.push(spy as MockInstance);
    if (alarms) spies.push(vi.spyOn(state.storage, 'setAlarm').mockRejectedValue(new Error(message)) as MockInstance);
  });
}

const alarmAt = (name: string) => runInDurableObject(stub(name), (_i, state) => state.storage.getAlarm());

afterEach(() => {
  allow();
  vi.restoreAllMocks();
});

describe('at an exhausted quota', () => {
  it('answers RequestThrottled in both protocols, never a 500, and keeps what it acknowledged', async () => {
    const { name, url } = await createQueue(uniqueName('quota'));
    await sqs('SendMessage', { QueueUrl: url, MessageBody: 'acknowledged' });
    await refuse(name, ROWS_WRITTEN, WRITE, true);

    const single = await sqsError('SendMessage', { QueueUrl: url, MessageBody: 'refused' });
    expect(single).toMatchObject({ status: 403, type: 'RequestThrottled', queryError: 'RequestThrottled' });
    expect(single.message).toMatch(/rows written quota .* resets at 00:00 UTC/);
    // The SDKs retry it as a throttle: RequestThrottled is in @smithy/core's THROTTLING_ERROR_CODES (@aws-sdk names
    // the error by its code) and in botocore's standard-mode throttling codes.
    const batch = await sqsError('SendMessageBatch', { QueueUrl: url, Entries: [{ Id: 'a', MessageBody: 'a' }, { Id: 'b', MessageBody: 'b' }] });
    expect(batch).toMatchObject({ status: 403, type: 'RequestThrottled' });
    const query = await callQuery({ Action: 'SendMessage', QueueUrl: url, MessageBody: 'refused' });
    expect(query.status).toBe(403);
    expect(await query.text()).toMatch(/<Type>Sender<\/Type><Code>RequestThrottled<\/Code>/);
    // Receiving writes (receive count, visibility): refused the same way, the message stays.
    expect(await sqsError('ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 10 })).toMatchObject({ status: 403, type: 'RequestThrottled' });

    allow();
    const { Messages } = await sqs('ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 10 });
    expect(Messages.map((m: { Body: string }) => m.Body)).toEqual(['acknowledged']);
  });

  it('puts a refused alarm run off to the reset when setAlarm still works (rows read used up)', async () => {
    const calls = fakeLambda(() => ok());
    const { name, url } = await createQueue(uniqueName('quota'));
    await stub(name).setMapping(mapping());
    await sqs('SendMessage', { QueueUrl: url, MessageBody: 'waits', DelaySeconds: 600 });
    await refuse(name, ROWS_READ, /SELECT/i, false);
    expect(await runDurableObjectAlarm(stub(name))).toBe(true);
    // No retry storm: the run returned normally with the alarm at 00:01 UTC.
    expect(await alarmAt(name)).toBe(nextUtcMidnight(Date.now()) + 60_000);
    expect(calls).toHaveLength(0);

    allow();
    await runInDurableObject(stub(name), (instance) => {
      (instance as any).ctx.storage.sql.exec('UPDATE messages SET visible_at = ?', Date.now() - 1);
    });
    // After the reset the alarm fires by itself; run it now instead of waiting for tomorrow.
    await runDurableObjectAlarm(stub(name));
    expect(calls.flatMap((c) => c.event.Records.map((r: { body: string }) => r.body))).toEqual(['waits']);
  });

  it('rethrows when setAlarm is refused too (rows written), and the daily wake re-arms delivery', async () => {
    const calls = fakeLambda(() => ok());
    const { name, url } = await createQueue(uniqueName('quota'));
    await stub(name).setMapping(mapping());
    await sqs('SendMessage', { QueueUrl: url, MessageBody: 'stuck', DelaySeconds: 600 });
    await runInDurableObject(stub(name), (instance) => {
      (instance as any).ctx.storage.sql.exec('UPDATE messages SET visible_at = ?', Date.now() - 1);
    });
    await refuse(name, ROWS_WRITTEN, WRITE, true);
    // The runtime retries a throwing alarm with backoff; nothing is deleted, the lease write was refused.
    await expect(runInDurableObject(stub(name), (instance) => instance.alarm())).rejects.toThrow(ROWS_WRITTEN);
    expect(calls.length).toBeLessThanOrEqual(1);

    allow();
    await runInDurableObject(stub(name), (_i, state) => state.storage.deleteAlarm()); // the runtime gave up
    // wake() arms the alarm at the message's (past) due time: it fires at once and delivers.
    await stub(name).wake();
    await vi.waitFor(() => expect(calls.flatMap((c) => c.event.Records.map((r: { body: string }) => r.body))).toContain('stuck'));
    await vi.waitFor(async () => expect((await stub(name).stats()).visible).toBe(0));
  });
});
