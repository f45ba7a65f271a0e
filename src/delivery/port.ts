/**
 * What a queue hands its delivery engine. The engine keeps no rows and runs no SQL: it takes due
 * work and claims it through this port, and settles each outcome through it. A claim is a lease
 * the queue stores before the engine invokes anything, so it outlives the object's memory.
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

/** A due message as a batch is planned on it: its key, group, receives so far and UTF-8 size, no body. */
export interface DueMessage {
  seq: number;
  visibleAt: number;
  groupId?: string;
  receiveCount: number;
  /** UTF-8 bytes of body and message attributes */
  bytes: number;
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

  /** Due messages nobody holds, in delivery order (FIFO: group order, no group that is busy), at most `limit`: keys only. */
  due(now: number, limit: number): DueMessage[];
  /** The stored messages of one planned batch (bodies included), in the order given; any gone meanwhile left out. */
  load(batch: DueMessage[]): StoredMessage[];
  /** The earliest time a message is deliverable: visible, and its lease (if a crashed run left one) over; or null. */
  earliestDue(): number | null;
  /** How many unclaimed messages are due now, counted up to `cap`. */
  dueCount(now: number, cap: number): number;
  /** The next time a message becomes visible or a lease ends, after `now`, or null. */
  nextVisibleAt(now: number): number | null;
  /** Messages this instance has out for delivery right now. */
  claimed(): number;

  /**
   * Claims a batch before any await, so concurrent workers never take the same messages: stores the lease (in
   * flight until `leaseUntil`, receive count + 1) before the engine invokes anything.
   */
  claim(batch: StoredMessage[], leaseUntil: number, receivedAt: number): Claim[];
  /** The receipt handle a record carries for this claim. */
  issueReceipt(claim: Claim, receivedAt: number): string;

  /** The function took these: their rows go, at the key they had when claimed. */
  deleteDelivered(messages: StoredMessage[]): void;
  /**
   * These failed: back in the queue, invisible until `visibleAt` (or the visibility the function
   * set on the message itself meanwhile), with the attempt's receive count.
   */
  returnFailed(attempts: Attempt[], visibleAt: number): void;
  /**
   * Moves these to the dead-letter queue, deleting them here once stored there; returns how many moved. Takes
   * them before its first await, so a concurrent worker never moves the same messages.
   */
  deadLetter(messages: { seq: number; visibleAt: number }[]): Promise<number>;
  /** Ends the claims of a settled batch and wakes long polls waiting on the queue. */
  release(batch: StoredMessage[]): void;

  /** The engine's saved state, key and value, and saving one. */
  loadState(): [string, unknown][];
  saveState(key: string, value: unknown): void;
}
