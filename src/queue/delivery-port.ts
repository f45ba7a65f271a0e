/**
 * The queue's side of the delivery port: what the engine may see and do, over the store, the
 * claims (leases) and the alarm. The engine never reaches past this.
 */
import type { Attempt, Claim, DeliveryPort, DeliverySettings } from '../delivery/port';
import type { Env } from '../env';
import type { StoredMessage } from '../shared/messages';
import { queueArn } from '../shared/names';
import type { AlarmClock } from './alarm';
import { isFifo, type QueueConfig, redrivePolicy, visibilityTimeoutSeconds } from './config';
import { moveToDeadLetterQueue } from './dead-letter';
import { selectDue } from './fifo';
import type { Leases } from './leases';
import { encodeReceipt } from './receipt';
import type { MessageStore } from './store';
import type { UsageMeter } from '../shared/usage';
import { withUsage } from './usage';
import type { Waiters } from './waiters';

/** The parts of a queue object the port works over. */
export interface QueueParts {
  env: Env;
  store: MessageStore;
  leases: Leases;
  waiters: Waiters;
  alarm: AlarmClock;
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
    due: (now, limit) => selectDue(store, leases, q.config(), now, limit),
    earliestWaiting: () => store.earliestExcept(leases.seqs()),
    dueCount: (now, cap) => store.dueCount(now, cap, leases.size),
    nextVisibleAt: (now) => store.nextVisibleAt(now),
    claimed: () => leases.size,
    claim: (batch) => leases.claim(batch, isFifo(q.config())),
    issueReceipt: (claim: Claim, receivedAt: number) => encodeReceipt(q.requireConfig().name, { ...claim, receivedAt }),
    // Rows are deleted at the key they had when taken; one the function deleted itself is already gone.
    deleteDelivered: (messages) => store.deleteRows(messages),
    returnFailed(attempts: Attempt[], visibleAt: number) {
      for (const { message, receiveCount, firstReceivedAt } of attempts) {
        const lease = leases.get(message.seq);
        const at = lease?.visibleAtOverride ?? visibleAt;
        store.markFailedDelivery(message, { visibleAt: at, receiveCount, firstReceivedAt, nonce: lease?.nonce ?? null });
      }
    },
    keepReceiveCounts(attempts: Attempt[]) {
      for (const a of attempts) store.setReceiveCount(a.message, a.receiveCount);
    },
    async deadLetter(messages: StoredMessage[]) {
      const config = q.requireConfig();
      const redrive = redrivePolicy(config);
      return redrive ? moveToDeadLetterQueue(env, store, config.name, redrive, messages) : 0;
    },
    release(batch) {
      leases.release(batch.map((m) => m.seq));
      q.waiters.wakeAll();
    },
    armLease: (until) => q.alarm.setAt(until),
    loadState: () => store.deliveryState(),
    saveState: (key, value) => store.saveDeliveryState(key, withUsage(key, value, q.meter)),
  };
}
