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
