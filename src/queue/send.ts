/** The checks and answers of SendMessage that depend on the queue's settings. */
import { type BatchError, invalidParameter, toBatchError } from '../shared/errors';
import { type NewMessage, type SendResult, sequenceNumber } from '../shared/messages';
import type { QueueConfig } from './config';
import { retentionMs } from './retention';
import type { MessageStore, NewRow } from './store';

/** What a send stored: each entry's answer, in entry order, and the stored messages' keys (and FIFO groups). */
export interface SendOutcome {
  results: (SendResult | BatchError)[];
  stored: { seq: number; visibleAt: number; groupId?: string }[];
}

/**
 * A standard queue's SendMessage(Batch): every valid entry is stored by one insertMany, so the entries that become
 * visible together share a row (store-packed.ts): one billed row for a batch of 10 instead of 10.
 */
export function sendStandard(store: MessageStore, messages: NewMessage[], config: QueueConfig, now: number): SendOutcome {
  const results: (SendResult | BatchError)[] = [];
  const rows: NewRow[] = [];
  const accepted: number[] = [];
  messages.forEach((message, i) => {
    try {
      checkSize(message, config);
      checkNoDeduplicationId(message);
      rows.push({ ...message, messageId: crypto.randomUUID(), sentAt: now, visibleAt: visibleAtFor(message, config, now) });
      accepted.push(i);
    } catch (error) {
      results[i] = toBatchError(message.entryId ?? '', error);
    }
  });
  const seqs = rows.length > 0 ? store.insertMany(rows, now) : [];
  rows.forEach((row, k) => {
    results[accepted[k]] = sendResult(messages[accepted[k]], row.messageId, seqs[k], false);
  });
  return { results, stored: rows.map((row, k) => ({ seq: seqs[k], visibleAt: row.visibleAt })) };
}

/** MaximumMessageSize counts the body and the attributes. */
export function checkSize(message: NewMessage, config: QueueConfig): void {
  const maxSize = Number(config.attributes.MaximumMessageSize);
  if (message.size !== undefined && message.size > maxSize) {
    throw invalidParameter(`One or more parameters are invalid. Reason: Message must be shorter than ${maxSize} bytes.`);
  }
}

export function checkNoDeduplicationId(message: NewMessage): void {
  if (message.deduplicationId !== undefined) {
    throw invalidParameter(
      'Value for parameter MessageDeduplicationId is invalid. Reason: The request include parameter that is not valid for this queue type.',
    );
  }
}

/** When the message becomes visible: its own delay, or the queue's DelaySeconds. */
export function visibleAtFor(message: NewMessage, config: QueueConfig, now: number): number {
  const delay = message.delaySeconds ?? Number(config.attributes.DelaySeconds ?? 0);
  // Only the extended delay (sqsflare.DelaySeconds) can outlive retention; SQS's own ≤ 900 s delays are as AWS has them.
  if (delay > 900 && delay * 1000 >= retentionMs(config)) {
    throw invalidParameter(`Value ${delay} for the delay is invalid. Reason: a message cannot be delayed past the queue's MessageRetentionPeriod.`);
  }
  return now + delay * 1000;
}

export function sendResult(message: NewMessage, messageId: string, seq: number, fifo: boolean): SendResult {
  const result: SendResult = { entryId: message.entryId, MessageId: messageId, MD5OfMessageBody: message.md5OfBody };
  if (message.md5OfMessageAttributes) result.MD5OfMessageAttributes = message.md5OfMessageAttributes;
  if (message.md5OfMessageSystemAttributes) result.MD5OfMessageSystemAttributes = message.md5OfMessageSystemAttributes;
  if (fifo) result.SequenceNumber = sequenceNumber(seq);
  return result;
}
