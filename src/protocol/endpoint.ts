/** The SQS endpoint: authenticate, parse either protocol, run the action, render in the caller's protocol. */
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { type VerifiedSignature, verifySigV4 } from '../auth/sigv4';
import type { Env } from '../env';
import { sqsError } from '../shared/errors';
import { asSqsError, detectProtocol, type Protocol, parseCall, renderError, renderResult } from './wire';
import { actions } from './actions';
import { queueNameFromPath } from '../shared/names';

/** 1 MiB of message plus form encoding (up to 3 bytes a character) and the other parameters. */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

async function handleSqsRequest(c: Context<{ Bindings: Env }>): Promise<Response> {
  const request = c.req.raw;
  const requestId = crypto.randomUUID();
  // Errors before the signature is checked answer in the protocol the request claims; nothing else trusts the claim.
  let protocol = detectProtocol(request);
  try {
    const bodyBytes = await readBodyLimited(request, MAX_REQUEST_BYTES);
    const { SQS_ACCESS_KEY_ID: accessKeyId, SQS_SECRET_ACCESS_KEY: secretAccessKey } = c.env;
    if (!accessKeyId || !secretAccessKey) {
      throw sqsError('InvalidClientTokenId', 'sqsflare has no SQS credentials configured: set SQS_ACCESS_KEY_ID and SQS_SECRET_ACCESS_KEY.');
    }
    // The signature covers the bytes as sent; they are decoded only once they are known to be the client's.
    const signature = await verifySigV4(request, bodyBytes, { accessKeyId, secretAccessKey });
    protocol = signedProtocol(request, signature);
    const call = parseCall(request, decodeUtf8(bodyBytes, protocol), protocol);
    const handler = Object.hasOwn(actions, call.action) ? actions[call.action] : undefined;
    if (!handler) {
      throw sqsError(
        protocol === 'json' ? 'UnknownOperationException' : 'InvalidAction',
        `The action or operation requested is invalid. Verify that the action is typed correctly: ${call.action.slice(0, 100)}`,
      );
    }
    const url = new URL(request.url);
    const pathQueueName = queueNameFromPath(url.pathname, c.env.AWS_ACCOUNT_ID);
    const result = await handler({ env: c.env, origin: url.origin, pathQueueName }, call.input);
    return renderResult(protocol, call.action, result, requestId);
  } catch (error) {
    return renderError(protocol, asSqsError(error), requestId);
  }
}

/**
 * The protocol of a verified request. A presigned URL is the query protocol only, its action the one in its signed
 * query: what the holder of a presigned GetQueueAttributes URL can do is GetQueueAttributes (README "Security").
 */
function signedProtocol(request: Request, signature: VerifiedSignature): Protocol {
  const protocol = detectProtocol(request);
  if (!signature.presigned) return protocol;
  if (protocol !== 'query' || !new URL(request.url).searchParams.has('Action')) {
    throw sqsError('AccessDenied', 'A presigned URL carries a query-protocol request whose Action is in its signed query.');
  }
  return protocol;
}

/** Bytes that are not UTF-8 are refused, not decoded to U+FFFD and stored as characters the client never sent. */
function decodeUtf8(bytes: Uint8Array, protocol: Protocol): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const message = 'The request body is not valid UTF-8.';
    throw protocol === 'json' ? sqsError('SerializationException', message) : sqsError('MalformedQueryString', message);
  }
}

/** Reads the body, refusing more than `limit` bytes without buffering them. */
async function readBodyLimited(request: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  const tooLarge = () => sqsError('RequestEntityTooLarge', `Request body must be at most ${limit} bytes.`);
  if (declared > limit) throw tooLarge();
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * A queue URL's path, as `queueNameFromPath` (src/shared/names.ts) reads it: a 12-digit account or `queue`, then a
 * queue name. The pattern keeps other two-segment paths (POST /admin/sync) out of the SQS app, whatever the mount order.
 */
const QUEUE_ROUTE = '/:account{(?:[0-9]{12}|queue)}/:queue{[A-Za-z0-9_.-]{1,80}}';

/** Query calls without an Action in the URL are not SQS's: GET / without one is the index page. */
const withActionInUrl: MiddlewareHandler<{ Bindings: Env }> = (c, next) => (c.req.query('Action') ? handleSqsRequest(c) : next());

/**
 * The SQS routes: POST (query or JSON) to `/` or to a queue URL, and GET with the action in the URL (plain or
 * presigned). Mount it before the pages: it claims GET /?Action=… and hands every other GET / on.
 */
export const sqsApp = new Hono<{ Bindings: Env }>();
sqsApp.post('/', handleSqsRequest);
sqsApp.post(QUEUE_ROUTE, handleSqsRequest);
sqsApp.get('/', withActionInUrl);
sqsApp.get(QUEUE_ROUTE, withActionInUrl);
