/**
 * SigV4 verification as a unit: AWS's published signature test suite (aws-sig-v4-test-suite: credentials AKIDEXAMPLE,
 * service `service`, 2015-08-30T12:36:00Z) must verify, and each rule of the verifier must refuse what it is for.
 * test/security/hostile-input.test.ts attacks the same code from outside, through the Worker.
 */
import { AwsV4Signer } from 'aws4fetch';
import { describe, expect, it } from 'vitest';
import { verifySigV4, verifySignature } from '../../src/auth/sigv4';
import type { SqsError } from '../../src/shared/errors';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const DATETIME = '20150830T123600Z';
const SIGNED_AT = new Date('2015-08-30T12:36:00Z');
const SCOPE = 'AKIDEXAMPLE/20150830/us-east-1/service/aws4_request';
const minutes = (n: number) => new Date(SIGNED_AT.getTime() + n * 60_000);

/** get-vanilla: `GET /` with only Host and X-Amz-Date signed. */
const GET_VANILLA = {
  signedHeaders: 'host;x-amz-date',
  signature: '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
};

function getVanilla(overrides: { credential?: string; signedHeaders?: string; signature?: string; headers?: Record<string, string> } = {}) {
  const { credential = SCOPE, signedHeaders = GET_VANILLA.signedHeaders, signature = GET_VANILLA.signature } = overrides;
  return new Request('https://example.amazonaws.com/', {
    headers: {
      'x-amz-date': DATETIME,
      authorization: `AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
      ...overrides.headers,
    },
  });
}

async function codeOf(check: Promise<unknown>): Promise<string | undefined> {
  return check.then(
    () => undefined,
    (error: SqsError) => error.queryCode,
  );
}

describe('AWS SigV4 test suite vectors', () => {
  it('verifies get-vanilla', async () => {
    await expect(verifySignature(getVanilla(), '', credentials, 'service', SIGNED_AT)).resolves.toBeTruthy();
  });

  it('verifies post-x-www-form-urlencoded (a signed content-type and a body)', async () => {
    const request = new Request('https://example.amazonaws.com/', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-amz-date': DATETIME,
        authorization: `AWS4-HMAC-SHA256 Credential=${SCOPE}, SignedHeaders=content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a`,
      },
    });
    await expect(verifySignature(request, 'Param1=value1', credentials, 'service', SIGNED_AT)).resolves.toBeTruthy();
  });

  it('ignores headers the client did not sign', async () => {
    const request = getVanilla({ headers: { 'user-agent': 'added by a proxy', 'x-forwarded-for': '203.0.113.1' } });
    await expect(verifySignature(request, '', credentials, 'service', SIGNED_AT)).resolves.toBeTruthy();
  });
});

describe('refusals', () => {
  it.each([
    ['another signature', getVanilla({ signature: '0'.repeat(64) }), 'SignatureDoesNotMatch'],
    ['another secret', getVanilla(), 'SignatureDoesNotMatch', { ...credentials, secretAccessKey: 'other' }],
    ['another access key', getVanilla(), 'InvalidClientTokenId', { ...credentials, accessKeyId: 'AKIDOTHER' }],
    ['host not signed', getVanilla({ signedHeaders: 'x-amz-date' }), 'IncompleteSignature'],
    ['signed headers out of order', getVanilla({ signedHeaders: 'x-amz-date;host' }), 'IncompleteSignature'],
    ['a signed header the request lacks', getVanilla({ signedHeaders: 'host;x-amz-date;x-custom' }), 'IncompleteSignature'],
    ['a scope without aws4_request', getVanilla({ credential: SCOPE.replace('aws4_request', 'aws4') }), 'IncompleteSignature'],
    ['a scope dated another day', getVanilla({ credential: SCOPE.replace('20150830', '20150831') }), 'IncompleteSignature'],
    ['a body hash that is not this body', getVanilla({ headers: { 'x-amz-content-sha256': '0'.repeat(64) } }), 'SignatureDoesNotMatch'],
  ])('%s', async (_, request, code, keys = credentials) => {
    expect(await codeOf(verifySignature(request, '', keys, 'service', SIGNED_AT))).toBe(code);
  });

  it('allows 15 minutes of clock skew either way, no more', async () => {
    expect(await codeOf(verifySignature(getVanilla(), '', credentials, 'service', minutes(15)))).toBeUndefined();
    expect(await codeOf(verifySignature(getVanilla(), '', credentials, 'service', minutes(-15)))).toBeUndefined();
    expect(await codeOf(verifySignature(getVanilla(), '', credentials, 'service', minutes(16)))).toBe('RequestExpired');
    expect(await codeOf(verifySignature(getVanilla(), '', credentials, 'service', minutes(-16)))).toBe('RequestExpired');
  });

  it('takes SQS calls only when the scope names sqs', async () => {
    expect(await codeOf(verifySigV4(getVanilla(), '', credentials, SIGNED_AT))).toBe('SignatureDoesNotMatch');
  });
});

describe('presigned URLs', () => {
  async function presigned(expires: number): Promise<Request> {
    const signer = new AwsV4Signer({
      url: `https://sqs.example/?Action=ListQueues&X-Amz-Expires=${expires}`,
      method: 'GET',
      ...credentials,
      service: 'sqs',
      region: 'us-east-1',
      datetime: DATETIME,
      signQuery: true,
    });
    const signed = await signer.sign();
    return new Request(signed.url, { headers: signed.headers });
  }

  it('are valid from signing until they expire', async () => {
    const request = await presigned(300);
    expect(await codeOf(verifySigV4(request, '', credentials, minutes(4)))).toBeUndefined();
    expect(await codeOf(verifySigV4(request, '', credentials, minutes(6)))).toBe('RequestExpired');
    expect(await codeOf(verifySigV4(request, '', credentials, minutes(-16)))).toBe('RequestExpired');
  });

  it('may not claim more than seven days', async () => {
    expect(await codeOf(verifySigV4(await presigned(604_800), '', credentials, minutes(1)))).toBeUndefined();
    expect(await codeOf(verifySigV4(await presigned(604_801), '', credentials, minutes(1)))).toBe('IncompleteSignature');
  });

  it('are refused once a parameter changes', async () => {
    const url = new URL((await presigned(300)).url);
    url.searchParams.set('Action', 'DeleteQueue');
    expect(await codeOf(verifySigV4(new Request(url), '', credentials, minutes(1)))).toBe('SignatureDoesNotMatch');
  });
});
