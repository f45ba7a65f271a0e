import { describe, expect, it } from 'vitest';
import { md5OfMessageAttributes } from '../../src/protocol/md5';

describe('MD5OfMessageAttributes, the digest the SDKs validate', () => {
  it('matches the AWS vector for a String attribute', async () => {
    expect(await md5OfMessageAttributes({ attribName1: { DataType: 'String', StringValue: 'attribValue 1' } })).toBe(
      '19e27d4e946b072f3f58da80d94fd778',
    );
  });

  it('matches the AWS vector for a Binary attribute', async () => {
    const value = btoa('Hello binary world!');
    expect(await md5OfMessageAttributes({ binaryAttribute: { DataType: 'Binary', BinaryValue: value } })).toBe('31a92b15d92f8db860eda32aceb656c3');
  });

  it('sorts attributes by name, so input order does not matter', async () => {
    const a = await md5OfMessageAttributes({
      b: { DataType: 'Number', StringValue: '42' },
      a: { DataType: 'String.custom', StringValue: 'x' },
    });
    const b = await md5OfMessageAttributes({
      a: { DataType: 'String.custom', StringValue: 'x' },
      b: { DataType: 'Number', StringValue: '42' },
    });
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{32}$/);
  });

  it('is absent when there are no attributes', async () => {
    expect(await md5OfMessageAttributes(undefined)).toBeUndefined();
    expect(await md5OfMessageAttributes({})).toBeUndefined();
  });
});
