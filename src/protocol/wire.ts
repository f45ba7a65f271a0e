/** Detects the protocol of an SQS request, reads its action and input, and renders responses in kind. */
import { quotaThrottled, SqsError, sqsError } from '../shared/errors';
import { isQuotaError } from '../shared/quota';
import { parseForm, parseQuery } from './query';
import { renderXmlError, renderXmlResult } from './xml';

export type Protocol = 'query' | 'json';

export interface SqsCall {
  protocol: Protocol;
  action: string;
  input: Record<string, unknown>;
}

const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';
const TARGET_PREFIX = 'AmazonSQS.';

/** JSON 1.0 is recognised by its target header; everything else is the query protocol. */
export function detectProtocol(request: Request): Protocol {
  return request.headers.has('x-amz-target') ? 'json' : 'query';
}

export function parseCall(request: Request, body: string, protocol: Protocol): SqsCall {
  if (protocol === 'json') {
    const target = request.headers.get('x-amz-target') ?? '';
    if (!target.startsWith(TARGET_PREFIX) || target.length === TARGET_PREFIX.length) {
      throw sqsError('UnknownOperationException', `The target ${target.slice(0, 100)} is not a valid operation.`);
    }
    const contentType = request.headers.get('content-type') ?? '';
    if (!contentType.toLowerCase().startsWith(JSON_CONTENT_TYPE)) {
      throw sqsError('SerializationException', `Content-Type must be ${JSON_CONTENT_TYPE}.`);
    }
    let input: unknown;
    try {
      input = body.trim() === '' ? {} : JSON.parse(body);
    } catch {
      throw sqsError('SerializationException', 'The request body is not valid JSON.');
    }
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      throw sqsError('SerializationException', 'The request body must be a JSON object.');
    }
    return { protocol, action: target.slice(TARGET_PREFIX.length), input: input as Record<string, unknown> };
  }
  const url = new URL(request.url);
  const params = parseForm(url.search.slice(1));
  if (request.method === 'POST') {
    const contentType = request.headers.get('content-type') ?? '';
    if (body !== '' && !contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      throw sqsError('InvalidAction', 'Could not determine the action: send a form-encoded query request or an AWS JSON 1.0 request.');
    }
    for (const [k, v] of parseForm(body)) params.append(k, v);
  }
  const { action, input } = parseQuery(params);
  if (!action) throw sqsError('InvalidAction', 'The request must contain the parameter Action.');
  return { protocol, action, input };
}

export function renderResult(protocol: Protocol, action: string, result: Record<string, unknown> | undefined, requestId: string): Response {
  if (protocol === 'json') {
    return new Response(JSON.stringify(result ?? {}), {
      headers: { 'content-type': JSON_CONTENT_TYPE, 'x-amzn-RequestId': requestId },
    });
  }
  return new Response(renderXmlResult(action, result, requestId), {
    headers: { 'content-type': 'text/xml', 'x-amzn-RequestId': requestId },
  });
}

export function renderError(protocol: Protocol, error: SqsError, requestId: string): Response {
  if (protocol === 'json') {
    return new Response(JSON.stringify({ __type: `com.amazonaws.sqs#${error.code}`, message: error.message }), {
      status: error.status,
      headers: {
        'content-type': JSON_CONTENT_TYPE,
        'x-amzn-RequestId': requestId,
        'x-amzn-query-error': `${error.queryCode};${error.fault}`,
      },
    });
  }
  return new Response(renderXmlError(error.fault, error.queryCode, error.message, requestId), {
    status: error.status,
    headers: { 'content-type': 'text/xml', 'x-amzn-RequestId': requestId },
  });
}

/** Anything thrown that is not an SqsError is our fault: logged, and answered without details. */
export function asSqsError(error: unknown): SqsError {
  if (error instanceof SqsError) return error;
  // A stub call refused at a quota (requests, duration) throws in the Worker: the client retries it as a throttle.
  if (isQuotaError(error)) return quotaThrottled(error);
  console.error('internal error', error);
  return sqsError('InternalError', 'We encountered an internal error. Please try again.');
}
