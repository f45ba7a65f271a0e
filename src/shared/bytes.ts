/**
 * Bytes, hex and digests, once for the whole app.
 * workerd's WebCrypto implements MD5 (a Cloudflare extension); Node's does not, so callers outside workerd
 * (benchmarks) install a digest through `setMd5Implementation`.
 */
const encoder = new TextEncoder();
type Md5 = (data: Uint8Array) => Uint8Array | Promise<Uint8Array>;
let md5Impl: Md5 = async (data) => new Uint8Array(await crypto.subtle.digest('MD5', data));

export function setMd5Implementation(impl: Md5): void {
  md5Impl = impl;
}

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

export const utf8Bytes = (text: string): Uint8Array => encoder.encode(text);

export async function md5Hex(data: string | Uint8Array): Promise<string> {
  return toHex(await md5Impl(typeof data === 'string' ? encoder.encode(data) : data));
}

export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', typeof data === 'string' ? encoder.encode(data) : data)));
}

export function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * UTF-8 bytes of `text` once JSON.stringify has escaped it (quotes included): what a string costs in a JSON payload
 * as sent. Lambda's 6 MB invocation limit counts bytes, not UTF-16 units, so CJK text costs 3 bytes a character.
 */
export function jsonUtf8Length(text: string): number {
  let bytes = 2;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) bytes += 2;
    else if (c < 0x20) bytes += c === 0x09 || c === 0x0a || c === 0x0d || c === 0x08 || c === 0x0c ? 2 : 6;
    else if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4; // a surrogate pair is one 4-byte character
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) bytes += 6; // a lone surrogate is escaped as \uXXXX
    else bytes += 3;
  }
  return bytes;
}
