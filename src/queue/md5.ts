/**
 * MD5 digests the SDKs check: MD5OfMessageBody and MD5OfMessageAttributes.
 * workerd's WebCrypto implements MD5 (a Cloudflare extension); Node's does not, so callers
 * outside workerd (benchmarks) install a digest through `setMd5Implementation`.
 */
import type { MessageAttributeValue } from './model';

const encoder = new TextEncoder();
type Md5 = (data: Uint8Array) => Uint8Array | Promise<Uint8Array>;
let md5Impl: Md5 = async (data) => new Uint8Array(await crypto.subtle.digest('MD5', data));

export function setMd5Implementation(impl: Md5): void {
  md5Impl = impl;
}

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

export async function md5Hex(data: string | Uint8Array): Promise<string> {
  return hex(await md5Impl(typeof data === 'string' ? encoder.encode(data) : data));
}

export function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

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
    pushLengthPrefixed(encoder.encode(name));
    pushLengthPrefixed(encoder.encode(value.DataType));
    if (value.BinaryValue !== undefined) {
      parts.push(Uint8Array.of(2));
      pushLengthPrefixed(base64ToBytes(value.BinaryValue));
    } else {
      parts.push(Uint8Array.of(1));
      pushLengthPrefixed(encoder.encode(value.StringValue ?? ''));
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
