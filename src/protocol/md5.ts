/** MD5OfMessageAttributes, the digest the SDKs check on every send and receive. */
import { base64ToBytes, md5Hex, utf8Bytes } from '../shared/bytes';
import type { MessageAttributeValue } from '../shared/messages';

/**
 * AWS's algorithm: attributes sorted by name; each contributes length-prefixed name and data type,
 * one transport byte (1 = String/Number, 2 = Binary) and the length-prefixed value.
 * Returns undefined when there are no attributes (SQS then omits the field).
 */
export async function md5OfMessageAttributes(
  attributes: Record<string, MessageAttributeValue> | undefined,
): Promise<string | undefined> {
  if (!attributes) return undefined;
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const parts: Uint8Array[] = [];
  const pushLengthPrefixed = (bytes: Uint8Array) => {
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, bytes.length);
    parts.push(len, bytes);
  };
  for (const name of names) {
    const value = attributes[name];
    pushLengthPrefixed(utf8Bytes(name));
    pushLengthPrefixed(utf8Bytes(value.DataType));
    if (value.BinaryValue !== undefined) {
      parts.push(Uint8Array.of(2));
      pushLengthPrefixed(base64ToBytes(value.BinaryValue));
    } else {
      parts.push(Uint8Array.of(1));
      pushLengthPrefixed(utf8Bytes(value.StringValue ?? ''));
    }
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const buffer = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    buffer.set(p, offset);
    offset += p.length;
  }
  return md5Hex(buffer);
}
