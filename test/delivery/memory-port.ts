/** A queue in memory behind the delivery port, for the engine's tests: no queue object, no SQL. */
import type { Claim, DeliveryPort } from '../../src/delivery/port';
import type { StoredMessage } from '../../src/shared/messages';

export const ARN = 'arn:aws:sqs:us-east-1:123456789012:engine-q';

export { mapping } from '../support/mapping';

export const message = (seq: number, visibleAt: number, receiveCount = 0): StoredMessage => ({
  seq,
  messageId: `m${seq}`,
  body: `body ${seq}`,
  md5OfBody: 'md5',
  sentAt: visibleAt,
  receiveCount,
  visibleAt,
  senderId: '123456789012',
});

/** A queue in memory behind the port, recording what the engine did. */
export function memoryPort(rows: StoredMessage[], options: { maxReceiveCount?: number; visibilityTimeoutSeconds?: number } = {}) {
  const held = new Map(rows.map((m) => [m.seq, m]));
  const claims = new Map<number, Claim>();
  const state = new Map<string, unknown>();
  const done = { deleted: [] as number[], deadLettered: [] as StoredMessage[], leases: [] as number[] };
  const waiting = () => [...held.values()].filter((m) => !claims.has(m.seq)).sort((a, b) => a.visibleAt - b.visibleAt);
  const port: DeliveryPort = {
    settings: () => ({ queueName: 'engine-q', eventSourceArn: ARN, fifo: false, visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 30 }),
    maxReceiveCount: () => options.maxReceiveCount,
    due: (now, limit) =>
      waiting()
        .filter((m) => m.visibleAt <= now)
        .slice(0, limit)
        .map((m) => ({ ...m, bytes: m.body.length })),
    load: (batch) => batch.flatMap((k) => held.get(k.seq) ?? []),
    earliestDue: () => waiting()[0]?.visibleAt ?? null,
    dueCount: (now, cap) => Math.min(cap, waiting().filter((m) => m.visibleAt <= now).length),
    nextVisibleAt: (now) => waiting().find((m) => m.visibleAt > now)?.visibleAt ?? null,
    claimed: () => claims.size,
    claim(batch, leaseUntil) {
      done.leases.push(leaseUntil);
      return batch.map((m) => claims.set(m.seq, { seq: m.seq, visibleAt: m.visibleAt, nonce: `n${m.seq}` }).get(m.seq)!);
    },
    issueReceipt: (claim, receivedAt) => `receipt:${claim.seq}:${claim.nonce}:${receivedAt}`,
    deleteDelivered(messages) {
      for (const m of messages) if (held.delete(m.seq)) done.deleted.push(m.seq);
    },
    returnFailed(attempts, visibleAt) {
      for (const a of attempts) held.set(a.message.seq, { ...a.message, visibleAt, receiveCount: a.receiveCount, firstReceivedAt: a.firstReceivedAt });
    },
    deadLetter: async (keys) => {
      const messages = keys.flatMap((k) => held.get(k.seq) ?? []);
      for (const m of messages) held.delete(m.seq);
      done.deadLettered.push(...messages);
      return messages.length;
    },
    release(batch) {
      for (const m of batch) claims.delete(m.seq);
    },
    loadState: () => [...state],
    saveState: (key, value) => void state.set(key, value),
  };
  return { port, held, claims, state, done };
}
