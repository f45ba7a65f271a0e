/** The message store against the real SQLite of a queue object (the object's constructor creates the schema). */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { MessageStore, type NewRow } from '../../src/queue/store';
import { SqlCounters } from '../../src/shared/sql';
import { uniqueName } from '../support/sqs';

const T = 1_700_000_000_000;

/** Runs `fn` with a store over a fresh queue object's storage. */
function withStore<R>(fn: (store: MessageStore, sql: SqlCounters) => R): Promise<R> {
  return runInDurableObject(env.QUEUE.getByName(uniqueName('store')), (_instance, state) => {
    const sql = new SqlCounters(state.storage.sql);
    return fn(new MessageStore(sql, '123456789012'), sql);
  });
}

const row = (body: string, visibleAt: number, extra: Partial<NewRow> = {}): NewRow => ({
  messageId: `id-${body}`,
  body,
  md5OfBody: `md5-${body}`,
  sentAt: T,
  visibleAt,
  ...extra,
});

const bodies = (messages: { body: string }[]) => messages.map((m) => m.body);

describe('MessageStore', () => {
  it('stores a message with one billed row and gives back every field', () =>
    withStore((store, sql) => {
      const before = sql.totals().rowsWritten;
      const seq = store.insert(
        row('a', T, {
          messageAttributes: { k: { DataType: 'String', StringValue: 'v' } },
          md5OfMessageAttributes: 'attrs-md5',
          awsTraceHeader: 'Root=1',
          deadLetterSourceArn: 'arn:aws:sqs:us-east-1:123456789012:src',
        }),
        T,
      );
      expect(sql.totals().rowsWritten - before).toBe(1);
      const [stored] = store.oldest(0, 10);
      expect(stored).toEqual({
        seq,
        messageId: 'id-a',
        body: 'a',
        md5OfBody: 'md5-a',
        messageAttributes: { k: { DataType: 'String', StringValue: 'v' } },
        md5OfMessageAttributes: 'attrs-md5',
        awsTraceHeader: 'Root=1',
        groupId: undefined,
        deduplicationId: undefined,
        sentAt: T,
        firstReceivedAt: undefined,
        receiveCount: 0,
        visibleAt: T,
        senderId: '123456789012',
        deadLetterSourceArn: 'arn:aws:sqs:us-east-1:123456789012:src',
      });
    }));

  it('numbers messages in send order, even within one millisecond', () =>
    withStore((store) => {
      const seqs = [store.insert(row('a', T), T), store.insert(row('b', T), T), store.insert(row('c', T), T - 5)];
      expect(seqs[1]).toBeGreaterThan(seqs[0]);
      expect(seqs[2]).toBeGreaterThan(seqs[1]);
      expect(seqs[0]).toBe(T * 1000);
    }));

  it('selects due messages oldest first, within retention, skipping the excluded ones', () =>
    withStore((store) => {
      store.insert(row('late', T + 10), T);
      store.insert(row('first', T - 20), T);
      store.insert(row('second', T - 10), T);
      store.insert(row('future', T + 1000), T);
      store.insert(row('expired', T - 30, { sentAt: T - 5000 }), T);
      const cutoff = T - 1000;
      expect(bodies(store.selectDue(T + 10, cutoff, 10, new Set()))).toEqual(['first', 'second', 'late']);
      expect(bodies(store.selectDue(T + 10, cutoff, 2, new Set()))).toEqual(['first', 'second']);
      const [first] = store.selectDue(T, cutoff, 1, new Set());
      expect(bodies(store.selectDue(T + 10, cutoff, 2, new Set([first.seq])))).toEqual(['second', 'late']);
    }));

  it('selects FIFO messages in send order, never from a busy group', () =>
    withStore((store) => {
      store.insert(row('b1', T - 1, { groupId: 'b' }), T);
      store.insert(row('a1', T - 5, { groupId: 'a' }), T);
      store.insert(row('a2', T - 9, { groupId: 'a' }), T);
      const [b1, a1] = store.selectDue(T, 0, 2, new Set(), true);
      expect(bodies(store.selectDue(T, 0, 10, new Set(), true))).toEqual(['b1', 'a1', 'a2']);
      // b is out for delivery: its head's lease is stored in the row.
      store.claimRows([b1], { leaseUntil: T + 30_000, nonce: 'l', receivedAt: T });
      expect(bodies(store.selectDue(T, 0, 10, new Set(), true))).toEqual(['a1', 'a2']);
      // a's head is held here (being dead-lettered): a waits too, a2 never goes before it.
      expect(bodies(store.selectDue(T, 0, 10, new Set([a1.seq]), true))).toEqual([]);
      store.markReceived(a1, T + 30_000, T, 'nonce');
      // a1 is in flight: group a waits (its head is invisible); b is leased.
      expect(bodies(store.selectDue(T, 0, 10, new Set(), true))).toEqual([]);
      // The lease and the visibility timeout end: both groups are free again.
      expect(bodies(store.selectDue(T + 30_000, 0, 10, new Set(), true))).toEqual(['b1', 'a1', 'a2']);
    }));

  it('issue 10 point 6: FIFO with many busy groups keeps working, and a busy hot group is not scanned', () =>
    withStore((store, sql) => {
      for (let i = 0; i < 5000; i++) store.insert(row(`hot${i}`, T - 10_000 + i, { groupId: 'hot' }), T - 10_000);
      const [head] = store.selectDue(T, 0, 1, new Set(), true);
      store.markReceived(head, T + 30_000, T, 'nonce');
      // 150 groups out for delivery (their heads leased): more than one statement may bind.
      const busy = Array.from({ length: 150 }, (_, i) => `busy${i}`);
      const leased = busy.map((g) => ({ visibleAt: T - 1, seq: store.insert(row(`${g}-1`, T - 1, { groupId: g }), T) }));
      store.claimRows(leased, { leaseUntil: T + 30_000, nonce: 'l', receivedAt: T });
      store.insert(row('cold', T - 1, { groupId: 'cold' }), T);
      const before = sql.totals().rowsRead;
      expect(bodies(store.selectDue(T, 0, 10, new Set(), true))).toEqual(['cold']);
      // Independent of the hot group's 5,000-message backlog: one index step per group, not one row per message.
      expect(sql.totals().rowsRead - before).toBeLessThan(1000);
      expect(store.selectDueKeys(T, 0, 10, new Set(), true).map((k) => k.groupId)).toEqual(['cold']);
    }));

  it('finds a received row by its receipt, also after the row moved, and not with another receive', () =>
    withStore((store) => {
      const seq = store.insert(row('a', T), T);
      store.markReceived({ visibleAt: T, seq }, T + 30_000, T, 'n1');
      const receipt = { seq, visibleAt: T + 30_000, nonce: 'n1' };
      expect(store.findReceived(receipt)).toEqual({ visibleAt: T + 30_000, relocated: false, leaseUntil: null });
      expect(store.findReceived({ ...receipt, nonce: 'other' })).toBeUndefined();
      store.moveVisibility({ visibleAt: T + 30_000, seq }, T + 60_000);
      expect(store.findReceived(receipt)).toEqual({ visibleAt: T + 60_000, relocated: true, leaseUntil: null });
      const [moved] = store.oldest(0, 1);
      expect(moved).toMatchObject({ visibleAt: T + 60_000, receiveCount: 1, firstReceivedAt: T });
      store.deleteOne({ visibleAt: T + 60_000, seq }, true);
      expect(store.findReceived(receipt)).toBeUndefined();
      expect(store.oldest(0, 1)).toEqual([]);
    }));

  it('keeps a failed delivery with its receive count, and its receipt valid where the row went', () =>
    withStore((store) => {
      const seq = store.insert(row('a', T), T);
      store.markFailedDelivery({ visibleAt: T, seq }, { visibleAt: T + 90_000, receiveCount: 3, firstReceivedAt: T, nonce: 'n' });
      expect(store.findReceived({ seq, visibleAt: T, nonce: 'n' })).toEqual({ visibleAt: T + 90_000, relocated: true, leaseUntil: null });
      expect(store.oldest(0, 1)[0]).toMatchObject({ receiveCount: 3, visibleAt: T + 90_000 });
    }));

  it('deletes more rows than one statement may bind, with their relocations', () =>
    withStore((store, sql) => {
      const keys = Array.from({ length: 120 }, (_, i) => ({ visibleAt: T + i, seq: store.insert(row(`m${i}`, T + i), T), receiveCount: 0 }));
      store.moveVisibility(keys[7], T + 999_999);
      keys[7] = { ...keys[7], visibleAt: T + 999_999, receiveCount: 1 };
      store.deleteRows(keys);
      expect(store.oldest(0, 200)).toEqual([]);
      expect(sql.one('SELECT COUNT(*) AS n FROM relocated')?.n).toBe(0);
    }));

  it('counts visible, in flight and delayed messages, out-for-delivery (leased) ones as in flight', () =>
    withStore((store) => {
      const visible = store.insert(row('visible', T - 1), T);
      store.insert(row('visible too', T - 1), T);
      store.insert(row('delayed', T + 5000), T);
      const seq = store.insert(row('received', T - 1), T);
      store.markReceived({ visibleAt: T - 1, seq }, T + 5000, T, 'n');
      expect(store.counts(T, 0)).toEqual({ visible: 2, inFlight: 1, delayed: 1 });
      store.claimRows([{ visibleAt: T - 1, seq: visible }], { leaseUntil: T + 30_000, nonce: 'l', receivedAt: T });
      expect(store.counts(T, 0)).toEqual({ visible: 1, inFlight: 2, delayed: 1 });
      // A lease that ended (its run died) leaves the message visible again.
      expect(store.counts(T + 30_000, 0)).toEqual({ visible: 4, inFlight: 0, delayed: 0 });
    }));

  it('leases rows with one billed row each, keeps them from selection until the lease ends, and loads bodies by key', () =>
    withStore((store, sql) => {
      const a = store.insert(row('a', T - 2), T);
      const b = store.insert(row('漢字', T - 1), T);
      const before = sql.totals().rowsWritten;
      store.claimRows([{ visibleAt: T - 2, seq: a }], { leaseUntil: T + 30_000, nonce: 'l', receivedAt: T });
      expect(sql.totals().rowsWritten - before).toBe(1);
      expect(store.oldest(0, 1)[0]).toMatchObject({ receiveCount: 1, firstReceivedAt: T });
      expect(store.selectDueKeys(T, 0, 10, new Set()).map((k) => [k.seq, k.bytes])).toEqual([[b, 6]]);
      expect(store.earliestDue(new Set())).toBe(T - 1);
      expect(store.selectDueKeys(T + 30_000, 0, 10, new Set()).map((k) => k.seq)).toEqual([a, b]);
      expect(bodies(store.loadRows([{ visibleAt: T - 1, seq: b }, { visibleAt: T - 2, seq: a }]))).toEqual(['漢字', 'a']);
      expect(store.findReceived({ seq: a, visibleAt: T - 2, nonce: 'l' })).toMatchObject({ leaseUntil: T + 30_000 });
    }));

  it('answers the timing questions the alarm asks', () =>
    withStore((store) => {
      expect(store.earliestDue(new Set())).toBeNull();
      expect(store.nextVisibleAt(T)).toBeNull();
      const first = store.insert(row('a', T - 2), T);
      store.insert(row('b', T - 1), T);
      store.insert(row('c', T + 500), T);
      expect(store.earliestDue(new Set())).toBe(T - 2);
      expect(store.earliestDue(new Set([first]))).toBe(T - 1);
      expect(store.nextVisibleAt(T)).toBe(T + 500);
      expect(store.dueCount(T, 10, 0)).toBe(2);
      expect(store.dueCount(T, 10, 1)).toBe(1);
      expect(store.dueCount(T, 1, 0)).toBe(1);
    }));

  it('deletes expired messages only, and all of them on purge', () =>
    withStore((store) => {
      store.insert(row('old', T - 10, { sentAt: T - 100_000 }), T);
      store.insert(row('new', T - 5), T);
      store.deleteExpired(T - 50_000);
      expect(bodies(store.oldest(0, 10))).toEqual(['new']);
      expect(store.oldestSentAt(0)).toBe(T);
      store.deleteAll();
      expect(store.oldest(0, 10)).toEqual([]);
      expect(store.oldestSentAt(0)).toBeNull();
    }));

  it('issue 10 point 10: relocated rows do not leak when their message goes, however it goes', () =>
    withStore((store, sql) => {
      const relocations = () => sql.one('SELECT COUNT(*) AS n FROM relocated')?.n;
      // Received, moved, visible again, received anew: the newest handle names the row's key, not a relocation.
      const seq = store.insert(row('a', T), T);
      store.markReceived({ visibleAt: T, seq }, T + 1000, T, 'n1');
      store.moveVisibility({ visibleAt: T + 1000, seq }, T + 2000);
      store.markReceived({ visibleAt: T + 2000, seq }, T + 9000, T, 'n2');
      store.deleteOne({ visibleAt: T + 9000, seq }, false);
      expect(relocations()).toBe(0);
      // Expired while relocated.
      const old = store.insert(row('old', T, { sentAt: T - 100_000 }), T);
      store.markReceived({ visibleAt: T, seq: old }, T + 1000, T, 'n');
      store.moveVisibility({ visibleAt: T + 1000, seq: old }, T + 5);
      store.deleteExpired(T - 50_000);
      expect(store.oldest(0, 10)).toEqual([]);
      expect(relocations()).toBe(0);
    }));

  it('issue 10 point 10: counts cheap at any backlog: GetQueueAttributes reads a handful of rows, not one per message', () =>
    withStore((store, sql) => {
      // A fresh object counts its table once (here: empty), then keeps the total with the inserts and deletes it makes.
      expect(store.counts(T, 0)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
      for (let i = 0; i < 20_000; i++) store.insert(row(`m${i}`, T - 1), T);
      const seq = store.insert(row('received', T - 1), T);
      store.markReceived({ visibleAt: T - 1, seq }, T + 5000, T, 'n');
      store.insert(row('delayed', T + 5000), T);
      const before = sql.totals().rowsRead;
      expect(store.counts(T, 0)).toEqual({ visible: 20_000, inFlight: 1, delayed: 1 });
      // Three out for delivery (leased in their rows): in flight, once; one of them moved by the function stays so.
      const leased = store.oldest(0, 3);
      store.claimRows(leased, { leaseUntil: T + 30_000, nonce: 'l', receivedAt: T });
      expect(store.counts(T, 0)).toEqual({ visible: 19_997, inFlight: 4, delayed: 1 });
      store.moveVisibility(leased[0], T + 9000);
      expect(store.counts(T, 0)).toEqual({ visible: 19_997, inFlight: 4, delayed: 1 });
      // Per call: the invisible rows (2 to 3 here) and a little more; the 20,000 visible ones are never read.
      expect((sql.totals().rowsRead - before) / 3).toBeLessThan(20);
      // After a restart the table and its stored leases are read once again; the lease keeps them in flight.
      const restarted = new MessageStore(sql, '123456789012');
      expect(restarted.counts(T, 0)).toEqual({ visible: 19_997, inFlight: 4, delayed: 1 });
      // Deleted and returned leased rows leave flight; a lease that ended leaves its row visible.
      restarted.deleteRows([{ ...leased[1], receiveCount: 1 }]);
      restarted.markFailedDelivery(leased[2], { visibleAt: T + 5000, receiveCount: 1, firstReceivedAt: T, nonce: 'l' });
      expect(restarted.counts(T, 0)).toEqual({ visible: 19_997, inFlight: 3, delayed: 1 });
      expect(restarted.counts(T + 30_000, 0)).toEqual({ visible: 20_001, inFlight: 0, delayed: 0 });
    }));

  it('saves and restores the delivery state', () =>
    withStore((store) => {
      store.saveDeliveryState('mapping', { functionArn: 'f' });
      store.saveDeliveryState('mapping', { functionArn: 'g' });
      store.saveDeliveryState('report', { log: [] });
      expect(store.deliveryState().sort()).toEqual([
        ['mapping', { functionArn: 'g' }],
        ['report', { log: [] }],
      ]);
    }));
});
