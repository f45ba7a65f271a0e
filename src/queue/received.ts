/**
 * Received messages, reached by their receipt handles: the one place a consumer's receive is
 * marked and its handle issued, and where DeleteMessage and ChangeMessageVisibility find the row a
 * handle names, whether a consumer holds it or the mapped function does.
 */
import { invalidParameter, sqsError } from '../shared/errors';
import type { ReceivedMessage, StoredMessage } from '../shared/messages';
import type { Leases } from './leases';
import { encodeReceipt, newNonce, type Receipt } from './receipt';
import type { MessageStore } from './store';

/** A message stays invisible at most 12 hours from the receive that took it, however often it is extended. */
const MAX_TOTAL_VISIBILITY_MS = 43_200 * 1000;

interface HandleEntry {
  ReceiptHandle: unknown;
}

/** Takes a message in flight: new receipt, receive count + 1, invisible until `visibleAt`. */
export function markReceived(store: MessageStore, message: StoredMessage, queueName: string, now: number, visibleAt: number): ReceivedMessage {
  const nonce = newNonce();
  const firstReceivedAt = message.firstReceivedAt ?? now;
  store.markReceived(message, visibleAt, firstReceivedAt, nonce);
  const receiptHandle = encodeReceipt(queueName, { seq: message.seq, visibleAt, nonce, receivedAt: now });
  return { ...message, receiveCount: message.receiveCount + 1, firstReceivedAt, visibleAt, receiptHandle };
}

/**
 * The row a receipt handle names, if the handle is still current: at the key the handle carries
 * or where the row was relocated to. `delivering`: leased, out for delivery to the function whose
 * handle this is (the lease is stored, so this holds after a restart too).
 */
function findByReceipt(store: MessageStore, receipt: Receipt, now: number) {
  const row = store.findReceived(receipt);
  return row && { ...row, delivering: (row.leaseUntil ?? 0) > now };
}

export function deleteByReceipt(store: MessageStore, receipt: Receipt, entry: HandleEntry, fifo: boolean, now: number): void {
  // A stale handle (the message was received again since) succeeds without deleting on a standard queue, as
  // in SQS. A FIFO queue refuses a handle whose visibility has run out (checked against AWS by localstack#12442):
  // its consumer would otherwise process a duplicate without knowing. A repeated delete in time succeeds.
  const row = findByReceipt(store, receipt, now);
  const expired = row ? row.visibleAt <= now && !row.delivering : receipt.visibleAt <= now;
  if (fifo && expired) {
    throw invalidParameter(`Value ${String(entry.ReceiptHandle)} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`);
  }
  if (row) store.deleteOne({ visibleAt: row.visibleAt, seq: receipt.seq }, row.relocated);
}

export function changeByReceipt(
  store: MessageStore,
  leases: Leases,
  receipt: Receipt,
  entry: HandleEntry & { VisibilityTimeout: number },
  now: number,
): void {
  const row = findByReceipt(store, receipt, now);
  // A well-formed handle whose message was deleted or received again: SQS's own wording for this case.
  if (!row) {
    throw invalidParameter(
      `Value ${String(entry.ReceiptHandle)} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
    );
  }
  const visibleAt = now + entry.VisibilityTimeout * 1000;
  if (receipt.receivedAt !== undefined && visibleAt - receipt.receivedAt > MAX_TOTAL_VISIBILITY_MS) {
    throw invalidParameter(
      `Value ${entry.VisibilityTimeout} for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds].`,
    );
  }
  if (row.delivering) {
    // The function changes its own message's visibility (a common backoff): it applies if the invocation fails.
    // The row moves now (so a restart keeps it), and stays leased: never delivered again while the function runs.
    store.moveVisibility({ visibleAt: row.visibleAt, seq: receipt.seq }, visibleAt);
    leases.overrideVisibility(receipt.seq, visibleAt);
  } else if (row.visibleAt <= now) {
    throw sqsError('MessageNotInflight', 'The message referred to is not in flight.');
  } else {
    store.moveVisibility({ visibleAt: row.visibleAt, seq: receipt.seq }, visibleAt);
  }
}
