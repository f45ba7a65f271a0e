/** The queue object's own behaviour, called over RPC as the protocol layer calls it (no wire format). */
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { QueueDO } from '../../src/queue/queue-do';
import { queueObject } from '../../src/shared/rpc';
import { uniqueName } from '../support/sqs';
import { mapping } from '../support/mapping';

async function newQueue(attributes: Record<string, string> = {}) {
  const name = uniqueName('do');
  const queue = queueObject(env, name);
  await queue.create(name, attributes, {}, Date.now());
  return { name, queue };
}

const message = (body: string) => ({ body, md5OfBody: 'md5' });
const alarmAt = (name: string) => runInDurableObject(env.QUEUE.getByName(name), (_i, state) => state.storage.getAlarm());


describe('QueueDO', () => {
  it('exposes only its RPC methods, the alarm and the long-poll handlers (fetch, webSocketMessage, webSocketClose)', () => {
    const members = Object.getOwnPropertyNames(QueueDO.prototype).filter((n) => n !== 'constructor');
    expect(members.sort()).toEqual(
      [
        'alarm', 'cancelMoveTask', 'changeVisibility', 'create', 'deleteMessages', 'deleteQueue', 'exists', 'getAttributes',
        'getMapping', 'listMoveTasks', 'listTags', 'moveIn', 'peek', 'purge', 'receive', 'send', 'setAttributes', 'setMapping',
        'startMoveTask', 'stats', 'tag', 'untag', 'wake', 'fetch', 'webSocketMessage', 'webSocketClose',
      ].sort(),
    );
  });

  it('refuses to keep a message invisible for more than 12 hours from its receive', async () => {
    const { queue } = await newQueue();
    await queue.send([message('x')]);
    const [received] = await queue.receive({ maxMessages: 1, visibilityTimeout: 60 });
    const fiveSecondsLater = Date.now() + 5000;
    const [beyond] = await queue.changeVisibility([{ Id: 'a', ReceiptHandle: received.receiptHandle, VisibilityTimeout: 43_200 }], fiveSecondsLater);
    expect(beyond).toMatchObject({ Code: 'InvalidParameterValue', SenderFault: true });
    expect((beyond as { Message: string }).Message).toMatch(/Total VisibilityTimeout for the message is beyond the limit \[43200 seconds\]/);
    const [within] = await queue.changeVisibility([{ Id: 'b', ReceiptHandle: received.receiptHandle, VisibilityTimeout: 43_190 }], fiveSecondsLater);
    expect(within).toEqual({ Id: 'b' });
  });

  it('purges, once a minute, and remembers the last purge in storage', async () => {
    const { name, queue } = await newQueue();
    await queue.send([message('a')]);
    await queue.purge();
    expect(await queue.receive({ maxMessages: 10 })).toHaveLength(0);
    await expect(queue.purge()).rejects.toMatchObject({ code: 'PurgeQueueInProgress', status: 403 });
    // Persisted with the config, so an evicted and restarted object still refuses a second purge within 60 s.
    const stored = await runInDurableObject(env.QUEUE.getByName(name), (instance) =>
      JSON.parse((instance as any).ctx.storage.sql.exec('SELECT value FROM config').one().value as string),
    );
    expect(stored.lastPurgeAt).toBeGreaterThan(Date.now() - 60_000);
  });

  it('ends a waiting long poll at once when the queue is deleted, and forgets messages, mapping and alarm', async () => {
    const { name, queue } = await newQueue();
    await queue.setMapping(mapping());
    await queue.send([{ ...message('later'), delaySeconds: 600 }]);
    expect(await alarmAt(name)).toBeGreaterThan(Date.now());
    const started = Date.now();
    const polling = queue.receive({ maxMessages: 1, waitTimeSeconds: 10 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await queue.deleteQueue();
    // Woken at once, the poll finds no queue: it answers QueueDoesNotExist rather than waiting out its 10 s.
    await expect(polling).rejects.toMatchObject({ code: 'QueueDoesNotExist' });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await alarmAt(name)).toBeNull();
    expect(await queue.exists()).toBe(false);
    await queue.create(name, {}, {}, Date.now());
    expect(await queue.peek(10)).toEqual([]);
    expect(await queue.getMapping()).toBeNull();
  });

  it('arms the alarm for delivery only while a mapped function has work; otherwise only for retention', async () => {
    const { name, queue } = await newQueue();
    const retentionEnds = Date.now() + 345_600_000;
    await queue.send([{ ...message('delayed'), delaySeconds: 300 }]);
    expect(await alarmAt(name)).toBeGreaterThanOrEqual(retentionEnds);
    await queue.setMapping(mapping());
    const at = await alarmAt(name);
    expect(at).toBeGreaterThan(Date.now() + 290_000);
    expect(at).toBeLessThan(Date.now() + 310_000);
    expect((await queue.stats()).alarmAt).toBe(at);
    // Unmapped, the alarm stays where it is: it fires once and moves itself to the expiry (moving it now costs the same).
    await queue.setMapping(null);
    expect(await alarmAt(name)).toBe(at);
  });

  it('issue 10 point 6: a FIFO queue with more busy groups than one query may bind keeps answering ReceiveMessage', async () => {
    const name = `${uniqueName('do')}.fifo`;
    const queue = queueObject(env, name);
    await queue.create(name, { FifoQueue: 'true', ContentBasedDeduplication: 'true' }, {}, Date.now());
    const fifo = (body: string, groupId: string) => ({ body, md5OfBody: 'md5', groupId });
    for (let b = 0; b < 20; b++) {
      await queue.send(Array.from({ length: 10 }, (_, i) => fifo(`g${b * 10 + i}-1`, `g${b * 10 + i}`)));
      await queue.send(Array.from({ length: 10 }, (_, i) => fifo(`g${b * 10 + i}-2`, `g${b * 10 + i}`)));
    }
    await queue.send([fifo('free', 'free')]);
    // 200 groups in flight, one message each.
    for (let i = 0; i < 20; i++) {
      const bodies = (await queue.receive({ maxMessages: 10, visibilityTimeout: 300 })).map((m) => m.body);
      expect(bodies).toEqual(Array.from({ length: 10 }, (_, g) => `g${i * 10 + g}-1`));
    }
    const received = await queue.receive({ maxMessages: 10 });
    expect(received.map((m) => m.body)).toEqual(['free']);
  });

  it('issue 10 point 10: an expired head row never sets the alarm in the past', async () => {
    const { name, queue } = await newQueue({ MessageRetentionPeriod: '60' });
    await queue.setMapping(mapping());
    await queue.send([{ ...message('later'), delaySeconds: 600 }]);
    await runInDurableObject(env.QUEUE.getByName(name), (instance) => {
      // A message sent two minutes ago and visible since: past the 60 s retention.
      const sql = (instance as any).ctx.storage.sql;
      sql.exec("INSERT INTO messages (visible_at, seq, id, body, md5, sent_at) VALUES (?, 1, 'old', 'old', 'md5', ?)", Date.now() - 100_000, Date.now() - 120_000);
    });
    await queue.setMapping(mapping());
    expect(await alarmAt(name)).toBeGreaterThan(Date.now());
  });

  it('issue 10 point 10: retention is enforced on a schedule, on a queue nobody consumes', async () => {
    const { name, queue } = await newQueue({ MessageRetentionPeriod: '60' });
    const sentAt = Date.now();
    await queue.send([message('a'), message('b')]);
    const at = await alarmAt(name);
    // One alarm for the batch of expiries, at the oldest message's expiry (plus a short batching delay).
    expect(at).toBeGreaterThanOrEqual(sentAt + 60_000);
    expect(at).toBeLessThanOrEqual(Date.now() + 60_000 + 60_000);
    await runInDurableObject(env.QUEUE.getByName(name), (instance) => {
      (instance as any).ctx.storage.sql.exec('UPDATE messages SET sent_at = sent_at - 120000');
    });
    await runDurableObjectAlarm(env.QUEUE.getByName(name));
    expect(await queue.peek(10)).toEqual([]);
    expect(await queue.getAttributes(['ApproximateNumberOfMessages'])).toEqual({ ApproximateNumberOfMessages: '0' });
    expect(await alarmAt(name)).toBeNull();
  });

  // Which polls a send wakes is proven in waiters.test.ts and long-poll.test.ts (their counts failed on the old
  // wake-everyone code); from outside, this one can only show that one message answers one poll and the rest end empty.
  it('a send of one message to three long polls answers one; the others end empty at their deadline', async () => {
    const { queue } = await newQueue();
    const polls = [0, 1, 2].map(() => queue.receive({ maxMessages: 1, waitTimeSeconds: 2 }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const sent = Date.now();
    await queue.send([message('one')]);
    const first = await Promise.race(polls.map((p, i) => p.then((r) => ({ i, r }))));
    expect(first.r.map((m) => m.body)).toEqual(['one']);
    expect(Date.now() - sent).toBeLessThan(1000);
    const rest = await Promise.all(polls.filter((_, i) => i !== first.i));
    expect(rest).toEqual([[], []]);
  });
});
