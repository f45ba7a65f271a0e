/**
 * Issue 12 point 3: the billed cost per delivered message, measured with the queue's own usage meter (SQL rows and
 * every setAlarm/deleteAlarm; RPC calls and alarm runs), and packed rows (store-packed.ts) keeping every
 * per-message operation right: receipts, visibility, partial deletes, counts.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Mapping } from '../../src/delivery/mapping';
import { changeByReceipt, deleteByReceipt } from '../../src/queue/received';
import { Leases } from '../../src/queue/leases';
import { MessageStore, type NewRow } from '../../src/queue/store';
import { PACK_MAX, packGroups } from '../../src/queue/store-packed';
import { SqlCounters } from '../../src/shared/sql';
import { fakeLambda, ok } from '../delivery/fake-lambda';
import { mapping } from '../support/mapping';
import { createQueue, sqs, uniqueName } from '../support/sqs';

const T = 1_700_000_000_000;
const stub = (name: string) => env.QUEUE.getByName(name);

afterEach(() => vi.restoreAllMocks());

async function mappedQueue(extra: Partial<Mapping> = {}) {
  const queue = await createQueue(uniqueName('pk'));
  await stub(queue.name).setMapping(mapping({ state: 'Disabled', ...extra }));
  return queue;
}

/** The queue object's billed figures of today (usage meter) and the report rows among them (saved at most every 5 minutes). */
async function billed(name: string) {
  const stats = await stub(name).stats();
  return { rows: stats.usage.rowsWritten, requests: stats.usage.requests, reportRows: stats.instance.reportRowsWritten };
}

/** Billed rows and DO requests between two looks, less the later look itself (one request) and the report rows. */
function perMessage(before: Awaited<ReturnType<typeof billed>>, after: Awaited<ReturnType<typeof billed>>, n: number) {
  return { rows: (after.rows - before.rows - (after.reportRows - before.reportRows)) / n, requests: (after.requests - before.requests - 1) / n };
}

const row = (body: string, extra: Partial<NewRow> = {}): NewRow => ({ messageId: `id-${body}`, body, md5OfBody: `md5-${body}`, sentAt: T, visibleAt: T, ...extra });

function withStore<R>(fn: (store: MessageStore, sql: SqlCounters) => R): Promise<R> {
  return runInDurableObject(stub(uniqueName('pks')), (_instance, state) => {
    const sql = new SqlCounters(state.storage.sql);
    const store = new MessageStore(sql, '123456789012');
    store.migrate();
    return fn(store, sql);
  });
}

describe('issue 12 point 3 — billed writes per delivered message', () => {
  it('a SendMessage delivered alone costs at most 4 billed rows (store, alarm, lease, delete) and 2 DO requests', async () => {
    const calls = fakeLambda(() => ok());
    const { name, url } = await mappedQueue();
    const before = await billed(name);
    for (let i = 0; i < 10; i++) {
      await sqs('SendMessage', { QueueUrl: url, MessageBody: `s${i}`, DelaySeconds: i === 5 ? 1 : 0 });
      await vi.waitFor(() => expect(calls.length).toBe(i + 1), { timeout: 5000 });
    }
    await new Promise((r) => setTimeout(r, 300)); // the last delete and the run's alarm decision
    const cost = perMessage(before, await billed(name), 10);
    expect((await stub(name).stats()).delivery.counters.delivered).toBe(10);
    expect(cost.rows).toBeLessThanOrEqual(4);
    expect(cost.requests).toBeLessThanOrEqual(2);
  }, 20_000);

  it('SendMessageBatch of 10 delivered in invocations of 10: ≤ 0.6 billed rows and ≤ 0.2 DO requests per message (3.1 rows before packing)', async () => {
    const calls = fakeLambda(() => ok());
    const { name, url } = await mappedQueue();
    const before = await billed(name);
    for (let b = 0; b < 10; b++) {
      await sqs('SendMessageBatch', { QueueUrl: url, Entries: Array.from({ length: 10 }, (_, j) => ({ Id: `e${j}`, MessageBody: `b${b}-${j}` })) });
    }
    await vi.waitFor(() => expect(calls.flatMap((c) => c.event.Records)).toHaveLength(100), { timeout: 8000 });
    await new Promise((r) => setTimeout(r, 300)); // the last batch's delete and the run's alarm decision
    const cost = perMessage(before, await billed(name), 100);
    expect(calls.every((c) => c.event.Records.length === 10)).toBe(true);
    expect(cost.rows).toBeLessThanOrEqual(0.6);
    expect(cost.requests).toBeLessThanOrEqual(0.2);
    expect((await stub(name).getAttributes(['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'])).ApproximateNumberOfMessages).toBe('0');
  });

  it('a partial batch failure in a packed row deletes the others and returns only the listed message', async () => {
    const calls = fakeLambda((call) => ok({ batchItemFailures: [{ itemIdentifier: call.event.Records[3].messageId }] }));
    const { name, url } = await mappedQueue({ reportBatchItemFailures: true });
    await sqs('SendMessageBatch', { QueueUrl: url, Entries: Array.from({ length: 10 }, (_, j) => ({ Id: `e${j}`, MessageBody: `p${j}` })) });
    await vi.waitFor(() => expect(calls).toHaveLength(1), { timeout: 5000 });
    await vi.waitFor(async () => expect((await stub(name).stats()).delivery.inFlight).toBe(0), { timeout: 5000 });
    const attributes = await stub(name).getAttributes(['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible']);
    expect(attributes).toEqual({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '1' });
    const left = await runInDurableObject(stub(name), (i) => (i as any).ctx.storage.sql.exec('SELECT body, n, receive_count FROM messages').toArray());
    expect(left).toEqual([{ body: 'p3', n: 1, receive_count: 1 }]);
  }, 15_000);
});

describe('packed rows', () => {
  it('ten 1 MiB messages never share a row; small ones of one send visible together do, FIFO ones never', () => {
    const big = 'x'.repeat(1024 * 1024);
    expect(packGroups(Array.from({ length: 10 }, () => row(big))).map((g) => g.length)).toEqual(Array(10).fill(1));
    expect(packGroups(Array.from({ length: 10 }, (_, i) => row(`${i}`.repeat(30_000)))).map((g) => g.length)).toEqual([10]);
    expect(packGroups(Array.from({ length: 12 }, (_, i) => row(`${i}`))).map((g) => g.length)).toEqual([PACK_MAX, 2]);
    expect(packGroups([row('a'), row('b', { visibleAt: T + 1 }), row('c', { visibleAt: T + 1 })]).map((g) => g.length)).toEqual([1, 2]);
    expect(packGroups([row('a', { groupId: 'g' }), row('b', { groupId: 'g' })]).map((g) => g.length)).toEqual([1, 1]);
  });

  it('a consumer receiving 3 of a packed 10: counts, receipts and the other 7 stay right', async () => {
    const { name, url } = await createQueue(uniqueName('pkc'));
    const sent = await sqs('SendMessageBatch', { QueueUrl: url, Entries: Array.from({ length: 10 }, (_, j) => ({ Id: `e${j}`, MessageBody: `c${j}` })) });
    const counts = async () => {
      const a = await stub(name).getAttributes(['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible']);
      return [Number(a.ApproximateNumberOfMessages), Number(a.ApproximateNumberOfMessagesNotVisible)];
    };
    expect(await counts()).toEqual([10, 0]);
    const first = await sqs('ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 3, VisibilityTimeout: 60 });
    expect(first.Messages).toHaveLength(3);
    expect(await counts()).toEqual([7, 3]);
    await sqs('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: first.Messages[2].ReceiptHandle, VisibilityTimeout: 120 });
    const deleted = await sqs('DeleteMessageBatch', {
      QueueUrl: url,
      Entries: first.Messages.map((m: { ReceiptHandle: string }, i: number) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })),
    });
    expect(deleted.Successful).toHaveLength(3);
    expect(await counts()).toEqual([7, 0]);
    const rest = await sqs('ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 60 });
    const ids = [...first.Messages, ...rest.Messages].map((m: { MessageId: string }) => m.MessageId).sort();
    expect(ids).toEqual(sent.Successful.map((s: { MessageId: string }) => s.MessageId).sort());
    expect(await counts()).toEqual([0, 7]);
  });

  it('a whole packed row is leased, moved and deleted with one row written each; counts are of messages', () =>
    withStore((store, sql) => {
      const written = () => sql.totals().rowsWritten;
      let w = written();
      const seqs = store.insertMany(Array.from({ length: 10 }, (_, i) => row(`m${i}`)), T);
      expect(written() - w).toBe(1);
      expect(store.counts(T, 0)).toEqual({ visible: 10, inFlight: 0, delayed: 0 });
      const keys = store.selectDueKeys(T, 0, 10, new Set());
      expect(keys.map((k) => k.seq)).toEqual(seqs);
      w = written();
      store.claimRows(keys, { leaseUntil: T + 30_000, nonce: 'n1', receivedAt: T });
      expect(written() - w).toBe(1);
      expect(store.counts(T, 0)).toEqual({ visible: 0, inFlight: 10, delayed: 0 });
      const messages = store.loadRows(keys);
      expect(messages.map((m) => m.body)).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`));
      w = written();
      store.markFailedDelivery(keys, { visibleAt: T + 30_000, receiveCount: 1, firstReceivedAt: T, nonce: 'n1' });
      expect(written() - w).toBe(2); // the row's move and its relocation
      expect(store.counts(T, 0)).toEqual({ visible: 0, inFlight: 10, delayed: 0 });
      w = written();
      store.deleteRows(keys.map((k) => ({ ...k, visibleAt: T + 30_000, receiveCount: 1 })));
      expect(written() - w).toBe(2); // the row and its relocation
      expect(store.counts(T, 0)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    }));

  it('receipt handles stay valid when their packed row is split, moved as a whole, or split after a move', () =>
    withStore((store) => {
      const leases = new Leases();
      const seqs = store.insertMany(Array.from({ length: 10 }, (_, i) => row(`r${i}`)), T);
      const now = Date.now();
      const keys = seqs.map((seq) => ({ seq, visibleAt: T }));
      store.claimRows(keys, { leaseUntil: now + 60_000, nonce: 'n1', receivedAt: now });
      const receipt = (i: number) => ({ seq: seqs[i], visibleAt: T, nonce: 'n1', receivedAt: now });
      for (let i = 0; i < 10; i++) expect(store.findReceived(receipt(i))).toMatchObject({ visibleAt: T, relocated: false });
      // The function deletes one of its records: the row splits, the others' handles still name their messages.
      deleteByReceipt(store, receipt(4), { ReceiptHandle: 'h' }, false, now);
      expect(store.findReceived(receipt(4))).toBeUndefined();
      for (const i of [0, 3, 5, 9]) expect(store.findReceived(receipt(i))).toMatchObject({ visibleAt: T, relocated: false });
      expect(store.counts(now, 0).inFlight).toBe(9);
      changeByReceipt(store, leases, receipt(7), { ReceiptHandle: 'h', VisibilityTimeout: 300 }, now);
      expect(store.findReceived(receipt(7))).toMatchObject({ visibleAt: now + 300_000, relocated: true });
      // A second packed row returned whole after a failed invocation, then split by one DeleteMessage.
      const more = store.insertMany(Array.from({ length: 5 }, (_, i) => row(`q${i}`)), T);
      const moreKeys = more.map((seq) => ({ seq, visibleAt: T }));
      store.claimRows(moreKeys, { leaseUntil: now + 60_000, nonce: 'n2', receivedAt: now });
      store.markFailedDelivery(moreKeys, { visibleAt: now + 90_000, receiveCount: 1, firstReceivedAt: now, nonce: 'n2' });
      const old = (i: number) => ({ seq: more[i], visibleAt: T, nonce: 'n2', receivedAt: now });
      for (let i = 0; i < 5; i++) expect(store.findReceived(old(i))).toMatchObject({ visibleAt: now + 90_000, relocated: true });
      deleteByReceipt(store, old(0), { ReceiptHandle: 'h' }, false, now);
      for (let i = 1; i < 5; i++) expect(store.findReceived(old(i))).toMatchObject({ visibleAt: now + 90_000, relocated: true });
      expect(store.counts(now, 0)).toEqual({ visible: 0, inFlight: 13, delayed: 0 });
    }));
});
