/**
 * SigV4 verification as Lambda does it: the header must name our key, region and service, a date within 15 minutes, and
 * a signature equal to the one we compute. We compute it with @smithy/signature-v4, an implementation independent of the
 * aws4fetch signer the worker uses, so a signing bug in the worker fails here the way it would against AWS.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { type EmulatorRequest, headerValue } from './http';

export type Verdict = { valid: true } | { valid: false; message: string };
export type VerifySignature = (request: EmulatorRequest) => Promise<Verdict>;

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** What the Authorization header claims, once its scope, date and signed headers are checked. */
interface Claim {
  signature: string;
  signingDate: Date;
  signedHeaders: string[];
  headers: Record<string, string>;
}

const AUTHORIZATION_PATTERN =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;_.-]+), ?Signature=([0-9a-f]{64})$/;
const AMZ_DATE_PATTERN = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
/** AWS refuses signatures more than 15 minutes off the server clock */
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/** `service` is the credential scope's service: `lambda` for the Lambda API and function URLs, `apigateway` for API Gateway. */
export function createSignatureVerifier(credentials: Credentials, region: string, service = 'lambda'): VerifySignature {
  const signer = new SignatureV4({
    credentials,
    region,
    service,
    sha256: NodeSha256,
    // Otherwise the signer adds x-amz-content-sha256 to the signed headers, which the client may not have signed.
    applyChecksum: false,
  });
  return async (request) => {
    const claim = readClaim(request, credentials.accessKeyId, region, service);
    if (typeof claim === 'string') return { valid: false, message: claim };
    const expected = await expectedSignature(signer, request, claim);
    const matches = expected.length === claim.signature.length && timingSafeEqual(Buffer.from(expected), Buffer.from(claim.signature));
    return matches ? { valid: true } : { valid: false, message: MISMATCH };
  };
}

/** The claim, or the message AWS gives for the first thing wrong with it. */
function readClaim({ req, body }: EmulatorRequest, accessKeyId: string, region: string, service: string): Claim | string {
  const authorization = req.headers.authorization;
  if (!authorization) return 'Missing Authentication Token';
  const match = AUTHORIZATION_PATTERN.exec(authorization);
  if (!match) return 'Authorization header is malformed';
  const [, keyId, scopeDate, scopeRegion, scopeService, signedHeaderList, signature] = match;
  if (keyId !== accessKeyId) return 'The security token included in the request is invalid.';
  if (scopeRegion !== region || scopeService !== service) return `Credential should be scoped to a valid region and to service ${service}, not ${scopeRegion}/${scopeService}.`;
  const amzDate = headerValue(req, 'x-amz-date');
  const dateMatch = amzDate ? AMZ_DATE_PATTERN.exec(amzDate) : null;
  if (!dateMatch || !amzDate!.startsWith(scopeDate)) return 'X-Amz-Date is missing or does not match the credential scope';
  const [, y, mo, d, h, mi, s] = dateMatch.map(Number);
  const signingDate = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  if (Math.abs(Date.now() - signingDate.getTime()) > MAX_CLOCK_SKEW_MS) return 'Signature expired';
  const signedHeaders = signedHeaderList.split(';');
  if (!signedHeaders.includes('host')) return "'Host' must be a signed header";
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = headerValue(req, name);
    if (value === undefined) return `Signed header ${name} is missing`;
    headers[name] = value;
  }
  // The signer trusts x-amz-content-sha256 as the payload hash, so a tampered body would otherwise go unnoticed.
  const declaredHash = headers['x-amz-content-sha256'];
  if (declaredHash && declaredHash !== 'UNSIGNED-PAYLOAD' && declaredHash !== createHash('sha256').update(body).digest('hex')) {
    return 'The provided x-amz-content-sha256 header does not match what was computed.';
  }
  return { signature, signingDate, signedHeaders, headers };
}

/** Signs the request again with the claimed date and headers; the signature it should have carried. */
async function expectedSignature(signer: SignatureV4, { req, rawPath, query, body }: EmulatorRequest, claim: Claim): Promise<string> {
  const [hostname, port] = (req.headers.host ?? '').split(':');
  const resigned = await signer.sign(
    {
      method: req.method ?? 'GET',
      protocol: 'http:',
      hostname,
      port: port ? Number(port) : undefined,
      path: rawPath,
      query: queryObject(query),
      headers: claim.headers,
      body: body.length > 0 ? body : undefined,
    },
    { signingDate: claim.signingDate, signableHeaders: new Set(claim.signedHeaders) },
  );
  return /Signature=([0-9a-f]{64})/.exec(resigned.headers.authorization ?? '')?.[1] ?? '';
}

function queryObject(query: URLSearchParams): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const key of new Set(query.keys())) {
    const values = query.getAll(key);
    result[key] = values.length === 1 ? values[0] : values;
  }
  return result;
}

/** SHA-256 in the shape @smithy/signature-v4 wants (plain or HMAC), from node:crypto so no extra package is needed. */
class NodeSha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBuffer(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

function toBuffer(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}
