/** Receipt handles: opaque to clients, they name the message row and the receive that produced it. */
import { sqsError } from '../shared/errors';

/** A receipt names the message row (its key: visible_at and seq) and the receive (nonce). */
export interface Receipt {
  seq: number;
  visibleAt: number;
  nonce: string;
  /** when this receive happened: ChangeMessageVisibility may not extend past 12 hours from it */
  receivedAt?: number;
}

const PREFIX = 'AQEB';

export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_');
}

export function encodeReceipt(queueName: string, receipt: Receipt): string {
  const received = receipt.receivedAt === undefined ? '' : `|${receipt.receivedAt}`;
  return PREFIX + btoa(`${queueName}|${receipt.seq}|${receipt.visibleAt}|${receipt.nonce}${received}`);
}

/** Throws ReceiptHandleIsInvalid for anything this queue did not issue. */
export function decodeReceipt(queueName: string, handle: unknown): Receipt {
  const invalid = () =>
    sqsError('ReceiptHandleIsInvalid', `The input receipt handle "${String(handle).slice(0, 200)}" is not a valid receipt handle.`);
  if (typeof handle !== 'string' || !handle.startsWith(PREFIX) || handle.length > 1024) throw invalid();
  let text: string;
  try {
    text = atob(handle.slice(PREFIX.length));
  } catch {
    throw invalid();
  }
  const [name, seqText, visibleAtText, nonce, receivedAtText, ...rest] = text.split('|');
  const seq = Number(seqText);
  const visibleAt = Number(visibleAtText);
  const receivedAt = receivedAtText === undefined ? undefined : Number(receivedAtText);
  if (name !== queueName || !Number.isSafeInteger(seq) || seq <= 0 || !Number.isSafeInteger(visibleAt) || !nonce || rest.length > 0) {
    throw invalid();
  }
  if (receivedAt !== undefined && !Number.isSafeInteger(receivedAt)) throw invalid();
  return { seq, visibleAt, nonce, receivedAt };
}
