/**
 * Function URLs (/fn/{name}/...): what warming pings reach. Every request is recorded as a ping; an AWS_IAM URL needs
 * a valid signature, a NONE URL has one checked only when sent. The handler gets a payload-format 2.0 event.
 */
import { randomUUID } from 'node:crypto';
import { type EmulatorRequest, errorMessage, HttpError, sendJson } from '../http';
import { type EmulatorState, findFunction } from '../state';
import type { Route } from './route';

interface HttpResult {
  statusCode?: number;
  body?: string;
  headers?: Record<string, string>;
  isBase64Encoded?: boolean;
}

export const functionUrlRoute: Route = {
  path: /^\/fn\/([^/]+)(\/.*)?$/,
  kind: 'url',
  handle: serveFunctionUrl,
};

async function serveFunctionUrl(state: EmulatorState, request: EmulatorRequest, match: RegExpExecArray): Promise<void> {
  const { req, res, method, rawPath } = request;
  const name = decodeURIComponent(match[1]);
  const fn = findFunction(state, name);
  if (!fn?.url) throw new HttpError(404, 'ResourceNotFoundException', `No function URL for ${name}`);
  let signatureValid: boolean | null = null;
  if (fn.url.authType === 'AWS_IAM' || req.headers.authorization) {
    signatureValid = (await state.verifySignature(request)).valid;
  }
  state.exposed.pings.push({ functionName: fn.name, receivedAt: Date.now(), signatureValid, method });
  state.log(`[lambda] ${new Date().toISOString()} ${fn.name} URL ${method} ${rawPath}`);
  if (fn.url.authType === 'AWS_IAM' && !signatureValid) {
    sendJson(res, 403, { Message: 'Forbidden' }, { 'x-amzn-ErrorType': 'AccessDeniedException' });
    return;
  }
  const event = urlEvent(state, request);
  let result: unknown;
  try {
    result = await fn.handler(event, { functionName: fn.name, awsRequestId: event.requestContext.requestId });
  } catch (error) {
    state.log(`[lambda] ${fn.name} failed: ${errorMessage(error)}`);
    // What a function URL answers when the function throws.
    sendJson(res, 502, { Message: 'Internal Server Error' });
    return;
  }
  sendResult(request, result);
}

function urlEvent(state: EmulatorState, { req, method, rawPath, query, body }: EmulatorRequest) {
  const headers = Object.fromEntries(Object.entries(req.headers).map(([key, value]) => [key, Array.isArray(value) ? value.join(',') : (value ?? '')]));
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: query.toString(),
    headers,
    requestContext: {
      accountId: state.accountId,
      domainName: req.headers.host ?? '',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress ?? '', userAgent: req.headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      timeEpoch: Date.now(),
    },
    body: body.length > 0 ? body.toString('utf8') : undefined,
    isBase64Encoded: false,
  };
}

/** A result with a statusCode is an HTTP response to unpack; anything else is sent as the JSON body, as Lambda does. */
function sendResult({ res }: EmulatorRequest, result: unknown): void {
  if (isHttpResult(result)) {
    const payload = result.body === undefined ? Buffer.alloc(0) : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
    res.writeHead(result.statusCode ?? 200, { 'Content-Type': 'application/json', ...result.headers, 'Content-Length': String(payload.length) });
    res.end(payload);
    return;
  }
  sendJson(res, 200, result ?? null);
}

function isHttpResult(value: unknown): value is HttpResult {
  return typeof value === 'object' && value !== null && 'statusCode' in value && typeof (value as { statusCode: unknown }).statusCode === 'number';
}
