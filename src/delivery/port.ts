/**
 * What a queue hands its delivery engine. The engine keeps no rows and runs no SQL: it takes due
 * work and claims it through this port, and settles each outcome through it. Claims are the
 * queue's to keep (in memory today); a persisted lease slots in behind `claim` and `release`.
 */
import type { StoredMessage } from '../shared/messages';

/** The queue settings delivery reads; asked afresh each time, since SetQueueAttributes may change them. */
export interface DeliverySettings {
  queueName: string;
  /** `arn:aws:sqs:<region>:<account>:<queue>`, the records' eventSourceARN */
  eventSourceArn: string;
  fifo: boolean;
  visibilityTimeoutSeconds: number;
}

/** A message claimed for one invocation: its row's key and the receive (nonce) its receipt handle names. */
export interface Claim {
  seq: number;
  visibleAt: number;
  nonce: string;
}

/** A message as delivery took it, with what this receive made of it. */
export interface Attempt {
  message: StoredMessage;
  receiveCount: number;
  firstReceivedAt: number;
}

export interface DeliveryPort {
  /** Throws when the queue is gone. */
  settings(): DeliverySettings;
  /** The RedrivePolicy's maxReceiveCount; undefined without a dead-letter queue (or without a queue). */
  maxReceiveCount(): number | undefined;

  /** Due messages nobody holds, in delivery order (FIFO: group order, no group that is busy), at most `limit`. */
  due(now: number, limit: number): StoredMessage[];
  /** The earliest visible_at of a message no claim holds, or null when there is none. */
  earliestWaiting(): number | null;
  /** How many unclaimed messages are due now, counted up to `cap`. */
  dueCount(now: number, cap: number): number;
  /** The next time a message becomes visible after `now`, or null. */
  nextVisibleAt(now: number): number | null;
  /** Messages claimed right now. */
  claimed(): number;

  /** Claims a batch before any await, so concurrent workers never take the same messages. */
  claim(batch: StoredMessage[]): Claim[];
  /** The receipt handle a record carries for this claim. */
  issueReceipt(claim: Claim, receivedAt: number): string;

  /** The function took these: their rows go, at the key they had when claimed. */
  deleteDelivered(messages: StoredMessage[]): void;
  /**
   * These failed: back in the queue, invisible until `visibleAt` (or the visibility the function
   * set on the message itself meanwhile), with the attempt's receive count.
   */
  returnFailed(attempts: Attempt[], visibleAt: number): void;
  /** Stores the attempts' raised receive counts, so a dead-letter move that fails still counts this receive. */
  keepReceiveCounts(attempts: Attempt[]): void;
  /** Moves these to the dead-letter queue, deleting them here once stored there; returns how many moved. */
  deadLetter(messages: StoredMessage[]): Promise<number>;
  /** Ends the claims of a settled batch and wakes long polls waiting on the queue. */
  release(batch: StoredMessage[]): void;

  /** Keeps an alarm at `until`, so a run the runtime kills is taken up again. */
  armLease(until: number): Promise<void>;
  /** The engine's saved state, key and value, and saving one. */
  loadState(): [string, unknown][];
  saveState(key: string, value: unknown): void;
}
