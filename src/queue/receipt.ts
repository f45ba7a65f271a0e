/** Receipt handles: opaque to clients, they name the message row and the receive that produced it. */
import { sqsError } from '../protocol/errors';

export interface Receipt {
  seq: number;
  nonce: string;
}

const PREFIX = 'AQEB';

export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_');
}

export function encodeReceipt(queueName: string, seq: number, nonce: string): string {
  return PREFIX + btoa(`${queueName}|${seq}|${nonce}`);
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
  const [name, seqText, nonce] = text.split('|');
  const seq = Number(seqText);
  if (name !== queueName || !Number.isSafeInteger(seq) || seq <= 0 || !nonce) throw invalid();
  return { seq, nonce };
}
