/** MessageRetentionPeriod: which messages still count, and the clean-up of those that do not, on a schedule. */
import type { QueueConfig } from './config';
import type { MessageStore } from './store';

const DEFAULT_RETENTION_SECONDS = 345_600;

/**
 * The retention alarm fires this long after the oldest message expires, so one alarm (one billed row written)
 * deletes a minute's worth of expired messages rather than one each.
 */
export const RETENTION_BATCH_MS = 60_000;

/** Messages sent at or before this time are past retention: hidden at once, deleted by `cleanup` later. */
export function retentionCutoff(config: QueueConfig | null, now: number): number {
  return now - retentionMs(config);
}

export function retentionMs(config: QueueConfig | null): number {
  return Number(config?.attributes.MessageRetentionPeriod ?? DEFAULT_RETENTION_SECONDS) * 1000;
}

/**
 * Drops messages past retention from the front of the due order, where they sit. Looks at one row when there is
 * nothing to drop, so it runs before every alarm decision: an expired front row never makes an alarm in the past.
 */
export class ExpiryCleanup {
  constructor(private readonly store: MessageStore) {}

  /** Returns true when a full batch went and more may be expired. */
  run(config: QueueConfig | null, now: number): boolean {
    const cutoff = retentionCutoff(config, now);
    const front = this.store.frontSentAt();
    if (front === null || front > cutoff) return false;
    const max = 1000;
    return this.store.deleteExpired(cutoff, max) >= max;
  }

  /**
   * When retention next has work: the front message's expiry plus the batching delay. Unconsumed queues and
   * dead-letter queues (no mapping, no consumer) thus shrink by themselves, as SQS deletes expired messages.
   */
  nextExpiry(config: QueueConfig | null): number | null {
    const front = this.store.frontSentAt();
    return front === null ? null : front + retentionMs(config) + RETENTION_BATCH_MS;
  }
}
