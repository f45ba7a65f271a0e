import { describe, expect, it } from 'vitest';
import { base64ToBytes, md5Hex, sha256Hex, toHex, utf8Bytes } from '../../src/shared/bytes';

describe('bytes and digests', () => {
  it('hashes bodies as UTF-8 (MD5OfBody, RFC 1321 vectors)', async () => {
    expect(await md5Hex('')).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(await md5Hex('hello')).toBe('5d41402abc4b2a76b9719d911017c592');
    expect(await md5Hex('héllo ✓')).toBe('21b1ae5bc147bb564254200a4731e337');
    expect(await md5Hex(utf8Bytes('abc'))).toBe('900150983cd24fb0d6963f7d28e17f72');
  });

  it('computes SHA-256 as lowercase hex (FIPS 180-2 vectors)', async () => {
    expect(await sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('encodes hex with two digits a byte and decodes base64 to bytes', () => {
    expect(toHex(Uint8Array.of(0, 15, 16, 255))).toBe('000f10ff');
    expect([...base64ToBytes(btoa('\u0000\u00ff'))]).toEqual([0, 255]);
  });
});
