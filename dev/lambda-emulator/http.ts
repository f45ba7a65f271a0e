/** The node:http plumbing every route shares: one parsed request, JSON answers, errors in Lambda's shape. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** One request as the routes see it: the body already read, the target split into path and query. */
export interface EmulatorRequest {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  /** the path as sent, still percent-encoded: SigV4 signs it that way */
  rawPath: string;
  query: URLSearchParams;
  body: Buffer;
}

/** Thrown by a route to answer with Lambda's error shape: the status, x-amzn-ErrorType and a message. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

export async function readRequest(req: IncomingMessage, res: ServerResponse): Promise<EmulatorRequest> {
  const target = req.url ?? '/';
  const queryStart = target.indexOf('?');
  const rawPath = queryStart === -1 ? target : target.slice(0, queryStart);
  const query = new URLSearchParams(queryStart === -1 ? '' : target.slice(queryStart + 1));
  const body = await readBody(req);
  return { req, res, method: req.method ?? 'GET', rawPath, query, body };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(',') : value;
}

/** The body as JSON when it parses, else as text; an empty body is the empty event `{}`. */
export function parseJson(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return body.toString('utf8');
  }
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const payload = Buffer.from(JSON.stringify(value) ?? 'null');
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(payload.length), 'x-amzn-RequestId': randomUUID(), ...headers });
  res.end(payload);
}

/** How Lambda reports a function that threw: still 200, flagged by X-Amz-Function-Error. */
export function sendFunctionError(res: ServerResponse, error: unknown, headers: Record<string, string> = {}): void {
  const errorType = error instanceof Error ? error.name : 'Error';
  sendJson(res, 200, { errorType, errorMessage: errorMessage(error), trace: [] }, { 'X-Amz-Function-Error': 'Unhandled', ...headers });
}

/** Answers a route's failure: an HttpError as Lambda words it, anything else as the 500 of a broken service. */
export function sendError(res: ServerResponse, error: unknown, log: (line: string) => void): void {
  if (res.headersSent || res.destroyed) return;
  if (error instanceof HttpError) {
    sendJson(res, error.status, { Type: error.status >= 500 ? 'Service' : 'User', message: error.message }, { 'x-amzn-ErrorType': error.errorType });
  } else {
    log(`[lambda] emulator error: ${errorMessage(error)}`);
    sendJson(res, 500, { Type: 'Service', message: errorMessage(error) }, { 'x-amzn-ErrorType': 'ServiceException' });
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
