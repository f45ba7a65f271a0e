/**
 * Verifies AWS Signature V4 on incoming SQS calls by recomputing it with aws4fetch's signer over
 * exactly what the client signed (its Host, its X-Amz-Date, only the headers it listed) and
 * comparing in constant time. Header and presigned-query forms are both accepted.
 */
import { AwsV4Signer } from 'aws4fetch';
import { sqsError } from '../shared/errors';
import { sha256Hex } from '../shared/bytes';

export interface SqsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
const MAX_PRESIGNED_EXPIRES_SECONDS = 7 * 24 * 3600;
/** A signed header name as SigV4 writes it: lowercase token characters. */
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
/** Derived signing keys (secret, day, region, service) shared across requests: four HMACs saved per call. */
const signingKeys = new Map<string, ArrayBuffer>();
const AUTH_HEADER = /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;

export interface SignatureClaim {
  credential: string;
  signedHeaders: string[];
  signature: string;
  datetime: string | null;
  presigned: boolean;
  expiresSeconds?: number;
}

const incomplete = (message: string) => sqsError('IncompleteSignature', message);

function readClaim(request: Request, url: URL): SignatureClaim {
  const authorization = request.headers.get('authorization');
  if (authorization) {
    const match = AUTH_HEADER.exec(authorization.trim());
    if (!match) throw incomplete('Authorization header requires Credential, SignedHeaders and Signature parameters.');
    return {
      credential: match[1],
      signedHeaders: match[2].split(';'),
      signature: match[3],
      datetime: request.headers.get('x-amz-date'),
      presigned: false,
    };
  }
  const signature = url.searchParams.get('X-Amz-Signature');
  if (!signature) {
    throw sqsError('MissingAuthenticationToken', 'Request is missing Authentication Token');
  }
  const credential = url.searchParams.get('X-Amz-Credential');
  const signedHeaders = url.searchParams.get('X-Amz-SignedHeaders');
  if (url.searchParams.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256' || !credential || !signedHeaders || !/^[0-9a-f]{64}$/.test(signature)) {
    throw incomplete('Presigned URL requires X-Amz-Algorithm, X-Amz-Credential, X-Amz-SignedHeaders and X-Amz-Signature.');
  }
  // SigV4 caps a presigned URL at 7 days; without the cap a URL could be valid forever.
  const expires = Number(url.searchParams.get('X-Amz-Expires') ?? '900');
  if (!Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGNED_EXPIRES_SECONDS) {
    throw incomplete('X-Amz-Expires must be an integer from 1 to 604800 (seven days).');
  }
  return {
    credential,
    signedHeaders: signedHeaders.split(';'),
    signature,
    datetime: url.searchParams.get('X-Amz-Date'),
    presigned: true,
    expiresSeconds: expires,
  };
}

function parseAmzDate(text: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return NaN;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
}

function constantTimeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  if (x.length !== y.length) return false;
  const subtle = crypto.subtle as SubtleCrypto & { timingSafeEqual?: (a: ArrayBufferView, b: ArrayBufferView) => boolean };
  if (typeof subtle.timingSafeEqual === 'function') return subtle.timingSafeEqual(x, y);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ y[i];
  return diff === 0;
}

/** What a verified request was signed with: the caller decides what a presigned URL may do. */
export interface VerifiedSignature {
  presigned: boolean;
  signedHeaders: string[];
}

/**
 * Throws an SqsError unless the request is signed with `credentials` for service `sqs`, and unless every header that
 * could change what it means is signed: the protocol and the action are read from `X-Amz-Target`, so an unsigned one
 * would let anyone holding a signed request (a presigned URL) run another action. AWS's SDKs sign every `x-amz-*`
 * header they send (seen on the wire for client-sqs 3.362 and 3.1169 and AWS CLI 2.9; README "Security").
 * The content type is required signed only on presigned URLs: aws4fetch, the usual signer on Workers, never signs it
 * (its UNSIGNABLE_HEADERS), and it decides nothing here: the protocol is the signed target's, and a content type that
 * does not fit the protocol is refused (wire.ts).
 */
export async function verifySigV4(request: Request, body: string | Uint8Array, credentials: SqsCredentials, now: Date = new Date()): Promise<VerifiedSignature> {
  const claim = await verifySignature(request, body, credentials, 'sqs', now);
  const mustBeSigned = (name: string) => name.startsWith('x-amz-') || (claim.presigned && name === 'content-type');
  const unsigned = [...request.headers.keys()].filter((name) => mustBeSigned(name) && !claim.signedHeaders.includes(name));
  if (unsigned.length > 0) {
    // S3 answers this case with AccessDenied "There were headers present in the request which were not signed".
    throw sqsError('AccessDenied', `There were headers present in the request which were not signed: ${unsigned.join(', ').slice(0, 200)}`);
  }
  return { presigned: claim.presigned, signedHeaders: claim.signedHeaders };
}

/** Service-agnostic core, checked against AWS's published SigV4 test suite (test/auth/sigv4.test.ts). */
export async function verifySignature(request: Request, body: string | Uint8Array, credentials: SqsCredentials, service: string, now: Date): Promise<SignatureClaim> {
  const url = new URL(request.url);
  const claim = readClaim(request, url);
  const scope = checkScope(claim, credentials, service);
  checkFreshness(claim, now);
  // A body hash header, when sent, must describe this body: the signer would trust it otherwise.
  const claimedHash = request.headers.get('x-amz-content-sha256');
  if (claimedHash && claimedHash !== (await sha256Hex(body))) {
    throw sqsError('SignatureDoesNotMatch', 'The provided x-amz-content-sha256 header does not match what was computed.');
  }
  const signer = signerFor(request, url, body, claim, scope, credentials.secretAccessKey);
  // The signer signs every header it was given plus host: that must be exactly the client's list.
  if (signer.signedHeaders !== [...claim.signedHeaders].sort().join(';')) {
    throw sqsError('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
  }
  const expected = await signer.signature();
  if (!constantTimeEqual(expected, claim.signature)) {
    throw sqsError(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
  return claim;
}

interface CredentialScope {
  accessKeyId: string;
  region: string;
  service: string;
}

/** The claim's shape, its access key and its service; the scope it names when all of them hold. */
function checkScope(claim: SignatureClaim, credentials: SqsCredentials, service: string): CredentialScope {
  const [accessKeyId, scopeDate, region, scopeService, terminator, ...rest] = claim.credential.split('/');
  if (!accessKeyId || !scopeDate || !region || !scopeService || terminator !== 'aws4_request' || rest.length > 0) {
    throw incomplete(`Credential should be scoped to a valid region and service: ${claim.credential.slice(0, 200)}`);
  }
  if (!claim.datetime) throw incomplete('Authorization requires the X-Amz-Date header or parameter.');
  if (!claim.signedHeaders.includes('host')) throw incomplete('The host header must be signed.');
  if (!claim.signedHeaders.every((name, i, all) => HEADER_NAME.test(name) && (i === 0 || all[i - 1] < name))) {
    throw incomplete('SignedHeaders must be lowercase header names, sorted and separated by semicolons.');
  }
  if (!constantTimeEqual(accessKeyId, credentials.accessKeyId)) {
    throw sqsError('InvalidClientTokenId', 'The security token included in the request is invalid.');
  }
  if (scopeService !== service) {
    throw sqsError('SignatureDoesNotMatch', `Credential should be scoped to correct service: '${service}'.`);
  }
  if (Number.isNaN(parseAmzDate(claim.datetime)) || claim.datetime.slice(0, 8) !== scopeDate) {
    throw incomplete('X-Amz-Date must be in the ISO8601 basic format and match the credential scope date.');
  }
  return { accessKeyId, region, service: scopeService };
}

/** 15 minutes of clock skew either way; a presigned URL until it expires (and never signed in the future). */
function checkFreshness(claim: SignatureClaim, now: Date): void {
  const datetime = claim.datetime ?? '';
  const skew = now.getTime() - parseAmzDate(datetime);
  if (Math.abs(skew) > MAX_CLOCK_SKEW_MS && !claim.presigned) {
    throw sqsError('RequestExpired', `Request has expired: signed at ${datetime}, more than 15 minutes from the server time.`);
  }
  if (claim.presigned && (skew > (claim.expiresSeconds ?? 0) * 1000 || -skew > MAX_CLOCK_SKEW_MS)) {
    throw sqsError('RequestExpired', 'Request has expired: the presigned URL is no longer valid.');
  }
}

/** aws4fetch's signer over exactly what the client signed: its Host, its X-Amz-Date, only the headers it listed. */
function signerFor(
  request: Request,
  url: URL,
  body: string | Uint8Array,
  claim: SignatureClaim,
  scope: CredentialScope,
  secretAccessKey: string,
): AwsV4Signer {
  const datetime = claim.datetime ?? '';
  const signedUrl = new URL(url.toString());
  signedUrl.host = request.headers.get('host') ?? url.host;
  if (claim.presigned) signedUrl.searchParams.delete('X-Amz-Signature');
  const headers = new Headers();
  for (const name of claim.signedHeaders) {
    if (name === 'host') continue;
    const value = request.headers.get(name);
    if (value === null && !(claim.presigned && name.startsWith('x-amz-'))) {
      throw incomplete(`Signed header ${name} is missing from the request.`);
    }
    if (value !== null) headers.set(name, value);
  }
  if (!claim.presigned) headers.set('x-amz-date', datetime);
  // The scope's region comes from the client: keep the cache small whatever it sends.
  if (signingKeys.size > 32) signingKeys.clear();
  return new AwsV4Signer({
    method: request.method,
    url: signedUrl.toString(),
    headers,
    body,
    accessKeyId: scope.accessKeyId,
    secretAccessKey,
    service: scope.service,
    region: scope.region,
    datetime,
    signQuery: claim.presigned,
    allHeaders: true,
    cache: signingKeys,
  });
}
