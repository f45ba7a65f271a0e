/** MessageRetentionPeriod: which messages still count, and the bounded clean-up of those that do not. */
import type { QueueConfig } from './config';
import type { MessageStore } from './store';

const DEFAULT_RETENTION_SECONDS = 345_600;

/** Messages sent at or before this time are past retention: hidden at once, deleted by `cleanup` later. */
export function retentionCutoff(config: QueueConfig | null, now: number): number {
  return now - retentionMs(config);
}

export function retentionMs(config: QueueConfig | null): number {
  return Number(config?.attributes.MessageRetentionPeriod ?? DEFAULT_RETENTION_SECONDS) * 1000;
}

/** Drops messages past retention, at most once a minute and a bounded amount at a time. */
export class ExpiryCleanup {
  #lastRun = 0;

  constructor(private readonly store: MessageStore) {}

  run(config: QueueConfig | null, now: number): void {
    if (now - this.#lastRun < 60_000) return;
    this.#lastRun = now;
    this.store.deleteExpired(retentionCutoff(config, now));
  }
}
