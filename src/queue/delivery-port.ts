/**
 * The queue's side of the delivery port: what the engine may see and do, over the store, the
 * leases and the waiters. The engine never reaches past this.
 */
import type { Attempt, Claim, DeliveryPort, DeliverySettings } from '../delivery/port';
import type { Env } from '../env';
import { queueArn } from '../shared/names';
import { isFifo, type QueueConfig, redrivePolicy, visibilityTimeoutSeconds } from './config';
import { moveToDeadLetterQueue } from './dead-letter';
import { selectDueKeys } from './fifo';
import type { Leases } from './leases';
import { encodeReceipt, newNonce } from './receipt';
import type { MessageStore, ReceiveMark, RowKey } from './store';
import type { UsageMeter } from '../shared/usage';
import { withUsage } from './usage';
import type { Waiters } from './waiters';

/** The parts of a queue object the port works over. */
export interface QueueParts {
  env: Env;
  store: MessageStore;
  leases: Leases;
  waiters: Waiters;
  /** the day's usage figures ride in the delivery report row */
  meter: UsageMeter;
  config(): QueueConfig | null;
  /** throws QueueDoesNotExist */
  requireConfig(): QueueConfig;
}

export function deliveryPort(q: QueueParts): DeliveryPort {
  const { env, store, leases } = q;
  return {
    settings(): DeliverySettings {
      const config = q.requireConfig();
      return {
        queueName: config.name,
        eventSourceArn: queueArn(env, config.name),
        fifo: isFifo(config),
        visibilityTimeoutSeconds: visibilityTimeoutSeconds(config),
      };
    },
    maxReceiveCount: () => redrivePolicy(q.config())?.maxReceiveCount,
    due: (now, limit) => selectDueKeys(store, leases, q.config(), now, limit),
    load: (batch) => store.loadRows(batch),
    earliestDue: () => store.earliestDue(leases.excluded()),
    dueCount: (now, cap) => store.dueCount(now, cap, 0),
    nextVisibleAt: (now) => store.nextVisibleAt(now),
    claimed: () => leases.size,
    claim(batch, leaseUntil, receivedAt) {
      // One nonce per invocation: with the seq it names each record's receive. Stored before the invoke.
      const nonce = newNonce();
      store.claimRows(batch, { leaseUntil, nonce, receivedAt });
      return leases.hold(batch, nonce);
    },
    issueReceipt: (claim: Claim, receivedAt: number) => encodeReceipt(q.requireConfig().name, { ...claim, receivedAt }),
    // Rows are deleted where they are now (the function may have moved one); one it deleted itself is already gone.
    deleteDelivered: (messages) => store.deleteRows(messages.map((m) => movedKey(leases, m))),
    returnFailed(attempts: Attempt[], visibleAt: number) {
      // Messages that go back alike go back together: a packed row all of whose messages failed moves as one row.
      const alike = new Map<string, { keys: RowKey[]; mark: ReceiveMark }>();
      for (const { message, receiveCount, firstReceivedAt } of attempts) {
        const lease = leases.get(message.seq);
        const mark = { visibleAt: lease?.visibleAtOverride ?? visibleAt, receiveCount, firstReceivedAt, nonce: lease?.nonce ?? null };
        const id = JSON.stringify(mark);
        if (!alike.has(id)) alike.set(id, { keys: [], mark });
        alike.get(id)?.keys.push(leases.keyOf(message));
      }
      for (const { keys, mark } of alike.values()) store.markFailedDelivery(keys, mark);
    },
    async deadLetter(keys) {
      const config = q.requireConfig();
      const redrive = redrivePolicy(config);
      const mine = leases.startMove(keys.map((k) => leases.keyOf(k)));
      try {
        const messages = store.loadRows(mine);
        return redrive && messages.length > 0 ? await moveToDeadLetterQueue(env, store, config.name, redrive, messages) : 0;
      } finally {
        leases.endMove(mine);
      }
    },
    release(batch) {
      leases.release(batch.map((m) => m.seq));
      q.waiters.wakeAll();
    },
    loadState: () => store.deliveryState(),
    saveState: (key, value) => store.saveDeliveryState(key, withUsage(key, value, q.meter)),
  };
}

/** A row the function moved has a `relocated` entry to clear with it: deleteRows clears it when receiveCount > 0. */
function movedKey<M extends { seq: number; visibleAt: number; receiveCount: number }>(leases: Leases, message: M): M {
  const key = leases.keyOf(message);
  return key === message ? message : { ...key, receiveCount: Math.max(1, key.receiveCount) };
}
