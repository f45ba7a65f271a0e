/**
 * A local stand-in for the AWS Lambda API, for `npm run dev`, the end-to-end tests and the benchmarks.
 *
 * It answers the calls sqsflare makes (Invoke, ListFunctions, ListEventSourceMappings, ListFunctionUrlConfigs) and
 * serves function URLs, running in-process handlers. Every API call must carry a valid SigV4 signature, checked by
 * re-signing the request with @smithy/signature-v4 (an implementation independent of the aws4fetch signer the worker
 * uses), so a signing bug in the worker fails here the way it would against AWS.
 */
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';

export interface EmulatedFunction {
  /** FunctionName */
  name: string;
  handler: (event: any, context: { functionName: string; awsRequestId: string }) => unknown | Promise<unknown>;
  description?: string;
  runtime?: string;
  /** ISO time */
  lastModified?: string;
  /** present when the function has a function URL */
  url?: { authType: 'NONE' | 'AWS_IAM' };
}

export interface EmulatedMapping {
  UUID?: string;
  EventSourceArn: string;
  /** a name or a function ARN */
  FunctionName: string;
  BatchSize?: number;
  MaximumBatchingWindowInSeconds?: number;
  FunctionResponseTypes?: string[];
  ScalingConfig?: { MaximumConcurrency?: number };
  FilterCriteria?: { Filters: { Pattern: string }[] };
  State?: 'Enabled' | 'Disabled';
}

export type Fault = 'error' | 'throttle' | 'hang' | 'drop' | 'fail-500';

export interface InvocationRecord {
  functionName: string;
  receivedAt: number;
  event: any;
  signatureValid: boolean;
  /** 'rejected': answered 403 (bad signature) or 404 (unknown function) without running anything */
  outcome: 'ok' | Fault | 'handler-error' | 'rejected';
}

export interface PingRecord {
  functionName: string;
  receivedAt: number;
  /** null: the URL needs no signature and none was sent */
  signatureValid: boolean | null;
  method: string;
}

export type RequestKind = 'invoke' | 'list-functions' | 'list-mappings' | 'list-urls' | 'url';

export interface LambdaEmulator {
  /** http://host:port, without a trailing slash */
  url: string;
  invocations: InvocationRecord[];
  pings: PingRecord[];
  /** mutable: tests add and remove functions and mappings while the emulator runs */
  functions: EmulatedFunction[];
  mappings: EmulatedMapping[];
  /** the next `times` invocations of the function fail this way (default: until cleared with null) */
  setFault(functionName: string, fault: Fault | null, times?: number): void;
  /** list calls answer this status while set */
  setApiFailure(status: number | null): void;
  requestsOfKind(kind: RequestKind): number;
  /** resolves with the records once at least n invocation requests arrived (rejected ones included) */
  waitForInvocations(n: number, timeoutMs?: number): Promise<InvocationRecord[]>;
  close(): Promise<void>;
}

export interface LambdaEmulatorOptions {
  port?: number;
  host?: string;
  region?: string;
  accountId?: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  functions: EmulatedFunction[];
  mappings?: EmulatedMapping[];
  /** most items a list call returns per page */
  pageSize?: number;
  log?: (line: string) => void;
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

const AUTHORIZATION_PATTERN =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;_.-]+), ?Signature=([0-9a-f]{64})$/;
/** AWS refuses signatures more than 15 minutes off the server clock */
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

type Verdict = { valid: true } | { valid: false; message: string };

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startLambdaEmulator(options: LambdaEmulatorOptions): Promise<LambdaEmulator> {
  const host = options.host ?? '127.0.0.1';
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const pageSize = options.pageSize ?? 50;
  const log = options.log ?? (() => {});
  const signer = new SignatureV4({
    credentials: options.credentials,
    region,
    service: 'lambda',
    sha256: NodeSha256,
    // Otherwise the signer adds x-amz-content-sha256 to the signed headers, which the client may not have signed.
    applyChecksum: false,
  });

  const faults = new Map<string, { fault: Fault; remaining: number }>();
  let apiFailure: number | null = null;
  const requestCounts: Record<RequestKind, number> = { invoke: 0, 'list-functions': 0, 'list-mappings': 0, 'list-urls': 0, url: 0 };
  // UUID and LastModified must stay the same across list calls, also for mappings a test pushes later.
  const mappingIdentity = new WeakMap<EmulatedMapping, { uuid: string; lastModified: number }>();
  const invocationWaiters = new Set<() => void>();

  const functionArn = (name: string) => `arn:aws:lambda:${region}:${accountId}:function:${name}`;
  /** Invoke and the mapping filter accept a name, a partial or full ARN, with or without a qualifier. */
  const nameOf = (identifier: string) => {
    const afterFunction = identifier.includes('function:') ? identifier.slice(identifier.indexOf('function:') + 'function:'.length) : identifier;
    return afterFunction.split(':')[0];
  };
  const findFunction = (identifier: string) => emulator.functions.find((fn) => fn.name === nameOf(identifier));

  async function verifySignature(req: IncomingMessage, rawPath: string, query: URLSearchParams, body: Buffer): Promise<Verdict> {
    const authorization = req.headers.authorization;
    if (!authorization) return { valid: false, message: 'Missing Authentication Token' };
    const match = AUTHORIZATION_PATTERN.exec(authorization);
    if (!match) return { valid: false, message: 'Authorization header is malformed' };
    const [, accessKeyId, scopeDate, scopeRegion, scopeService, signedHeaderList, signature] = match;
    if (accessKeyId !== options.credentials.accessKeyId) return { valid: false, message: 'The security token included in the request is invalid.' };
    if (scopeRegion !== region || scopeService !== 'lambda') return { valid: false, message: `Credential should be scoped to a valid region and to service lambda, not ${scopeRegion}/${scopeService}.` };
    const amzDate = headerValue(req, 'x-amz-date');
    const dateMatch = amzDate ? /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate) : null;
    if (!dateMatch || !amzDate!.startsWith(scopeDate)) return { valid: false, message: 'X-Amz-Date is missing or does not match the credential scope' };
    const [, y, mo, d, h, mi, s] = dateMatch.map(Number);
    const signingDate = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
    if (Math.abs(Date.now() - signingDate.getTime()) > MAX_CLOCK_SKEW_MS) return { valid: false, message: 'Signature expired' };
    const signedHeaders = signedHeaderList.split(';');
    if (!signedHeaders.includes('host')) return { valid: false, message: "'Host' must be a signed header" };
    const headers: Record<string, string> = {};
    for (const name of signedHeaders) {
      const value = headerValue(req, name);
      if (value === undefined) return { valid: false, message: `Signed header ${name} is missing` };
      headers[name] = value;
    }
    // The signer trusts x-amz-content-sha256 as the payload hash, so a tampered body would otherwise go unnoticed.
    const declaredHash = headers['x-amz-content-sha256'];
    if (declaredHash && declaredHash !== 'UNSIGNED-PAYLOAD' && declaredHash !== createHash('sha256').update(body).digest('hex')) {
      return { valid: false, message: 'The provided x-amz-content-sha256 header does not match what was computed.' };
    }
    const [hostname, port] = (req.headers.host ?? '').split(':');
    const resigned = await signer.sign(
      {
        method: req.method ?? 'GET',
        protocol: 'http:',
        hostname,
        port: port ? Number(port) : undefined,
        path: rawPath,
        query: queryObject(query),
        headers,
        body: body.length > 0 ? body : undefined,
      },
      { signingDate, signableHeaders: new Set(signedHeaders) },
    );
    const expected = /Signature=([0-9a-f]{64})/.exec(resigned.headers.authorization ?? '')?.[1] ?? '';
    const matches = expected.length === signature.length && timingSafeEqual(Buffer.from(expected), Buffer.from(signature));
    return matches
      ? { valid: true }
      : {
          valid: false,
          message:
            'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
        };
  }

  function recordInvocation(record: InvocationRecord): void {
    emulator.invocations.push(record);
    for (const wake of invocationWaiters) wake();
  }

  function paginate<T>(items: T[], query: URLSearchParams): { page: T[]; nextMarker?: string } {
    const marker = query.get('Marker');
    const start = marker ? Number(Buffer.from(marker, 'base64url').toString('utf8')) : 0;
    if (!Number.isInteger(start) || start < 0) throw new HttpError(400, 'InvalidParameterValueException', `Invalid marker: ${marker}`);
    const maxItems = Number(query.get('MaxItems') ?? pageSize);
    const size = Math.max(1, Math.min(pageSize, Number.isFinite(maxItems) ? maxItems : pageSize));
    const page = items.slice(start, start + size);
    const next = start + size;
    return next < items.length ? { page, nextMarker: Buffer.from(String(next), 'utf8').toString('base64url') } : { page };
  }

  function describeFunction(fn: EmulatedFunction) {
    return {
      FunctionName: fn.name,
      FunctionArn: functionArn(fn.name),
      Runtime: fn.runtime ?? 'nodejs20.x',
      Role: `arn:aws:iam::${accountId}:role/${fn.name}-role`,
      Handler: 'index.handler',
      CodeSize: 1024,
      Description: fn.description ?? '',
      Timeout: 30,
      MemorySize: 128,
      // Lambda writes LastModified like 2024-01-01T00:00:00.000+0000.
      LastModified: (fn.lastModified ?? new Date(0).toISOString()).replace(/Z$/, '+0000'),
      Version: '$LATEST',
      PackageType: 'Zip',
      Architectures: ['x86_64'],
    };
  }

  function describeMapping(mapping: EmulatedMapping) {
    let identity = mappingIdentity.get(mapping);
    if (!identity) {
      identity = { uuid: mapping.UUID ?? randomUUID(), lastModified: Math.floor(Date.now() / 1000) };
      mappingIdentity.set(mapping, identity);
    }
    return {
      UUID: mapping.UUID ?? identity.uuid,
      EventSourceArn: mapping.EventSourceArn,
      FunctionArn: mapping.FunctionName.startsWith('arn:') ? mapping.FunctionName : functionArn(mapping.FunctionName),
      BatchSize: mapping.BatchSize ?? 10,
      MaximumBatchingWindowInSeconds: mapping.MaximumBatchingWindowInSeconds ?? 0,
      FunctionResponseTypes: mapping.FunctionResponseTypes ?? [],
      ...(mapping.ScalingConfig ? { ScalingConfig: mapping.ScalingConfig } : {}),
      ...(mapping.FilterCriteria ? { FilterCriteria: mapping.FilterCriteria } : {}),
      State: mapping.State ?? 'Enabled',
      StateTransitionReason: 'USER_INITIATED',
      LastModified: identity.lastModified,
    };
  }

  /** Checks what every API call shares: the injected failure, then the signature. */
  async function guardApiCall(req: IncomingMessage, rawPath: string, query: URLSearchParams, body: Buffer, checkFailure: boolean): Promise<void> {
    if (checkFailure && apiFailure !== null) {
      const errorType = apiFailure === 403 ? 'AccessDeniedException' : apiFailure === 429 ? 'TooManyRequestsException' : 'ServiceException';
      throw new HttpError(apiFailure, errorType, 'injected failure');
    }
    const verdict = await verifySignature(req, rawPath, query, body);
    if (!verdict.valid) throw new HttpError(403, 'InvalidSignatureException', verdict.message);
  }

  async function handleInvoke(req: IncomingMessage, res: ServerResponse, identifier: string, rawPath: string, query: URLSearchParams, body: Buffer): Promise<void> {
    requestCounts.invoke++;
    const receivedAt = Date.now();
    const event = parseJson(body);
    const fn = findFunction(identifier);
    const verdict = await verifySignature(req, rawPath, query, body);
    const functionName = fn?.name ?? nameOf(identifier);
    if (!verdict.valid) {
      recordInvocation({ functionName, receivedAt, event, signatureValid: false, outcome: 'rejected' });
      log(`[lambda] ${new Date(receivedAt).toISOString()} ${functionName} rejected: ${verdict.message}`);
      throw new HttpError(403, 'InvalidSignatureException', verdict.message);
    }
    if (!fn) {
      recordInvocation({ functionName, receivedAt, event, signatureValid: true, outcome: 'rejected' });
      throw new HttpError(404, 'ResourceNotFoundException', `Function not found: ${functionArn(functionName)}`);
    }
    log(`[lambda] ${new Date(receivedAt).toISOString()} ${fn.name} ${describeEvent(event)}`);

    const fault = takeFault(fn.name);
    if (fault) {
      recordInvocation({ functionName: fn.name, receivedAt, event, signatureValid: true, outcome: fault });
      switch (fault) {
        case 'throttle':
          throw new HttpError(429, 'TooManyRequestsException', 'Rate Exceeded.');
        case 'fail-500':
          throw new HttpError(500, 'ServiceException', 'Lambda encountered an internal error (injected).');
        case 'drop':
          req.socket.destroy();
          return;
        case 'hang':
          // No answer at all; close() ends the connection.
          return;
        case 'error':
          sendFunctionError(res, new Error(`Injected error in ${fn.name}`));
          return;
      }
    }

    const invocationType = headerValue(req, 'x-amz-invocation-type') ?? 'RequestResponse';
    if (invocationType === 'DryRun') {
      recordInvocation({ functionName: fn.name, receivedAt, event, signatureValid: true, outcome: 'ok' });
      res.writeHead(204).end();
      return;
    }
    const run = Promise.resolve().then(() => fn.handler(event, { functionName: fn.name, awsRequestId: randomUUID() }));
    if (invocationType === 'Event') {
      // Asynchronous invocation: Lambda accepts it at once and runs the function later.
      res.writeHead(202, { 'Content-Length': '0' }).end();
      run.then(
        () => recordInvocation({ functionName: fn.name, receivedAt, event, signatureValid: true, outcome: 'ok' }),
        (error) => {
          log(`[lambda] ${fn.name} failed: ${errorMessage(error)}`);
          recordInvocation({ functionName: fn.name, receivedAt, event, signatureValid: true, outcome: 'handler-error' });
        },
      );
      return;
    }
    try {
      const result = await run;
      recordInvocation({ functionName: fn.name, receivedAt, event, signatureValid: true, outcome: 'ok' });
      sendJson(res, 200, result ?? null, { 'X-Amz-Executed-Version': '$LATEST' });
    } catch (error) {
      log(`[lambda] ${fn.name} failed: ${errorMessage(error)}`);
      recordInvocation({ functionName: fn.name, receivedAt, event, signatureValid: true, outcome: 'handler-error' });
      sendFunctionError(res, error);
    }
  }

  function takeFault(functionName: string): Fault | null {
    const entry = faults.get(functionName);
    if (!entry) return null;
    if (--entry.remaining <= 0) faults.delete(functionName);
    return entry.fault;
  }

  async function handleFunctionUrl(req: IncomingMessage, res: ServerResponse, name: string, rawPath: string, query: URLSearchParams, body: Buffer): Promise<void> {
    requestCounts.url++;
    const fn = findFunction(name);
    if (!fn?.url) throw new HttpError(404, 'ResourceNotFoundException', `No function URL for ${name}`);
    const method = req.method ?? 'GET';
    let signatureValid: boolean | null = null;
    if (fn.url.authType === 'AWS_IAM' || req.headers.authorization) {
      signatureValid = (await verifySignature(req, rawPath, query, body)).valid;
    }
    emulator.pings.push({ functionName: fn.name, receivedAt: Date.now(), signatureValid, method });
    log(`[lambda] ${new Date().toISOString()} ${fn.name} URL ${method} ${rawPath}`);
    if (fn.url.authType === 'AWS_IAM' && !signatureValid) {
      sendJson(res, 403, { Message: 'Forbidden' }, { 'x-amzn-ErrorType': 'AccessDeniedException' });
      return;
    }
    const headers = Object.fromEntries(Object.entries(req.headers).map(([key, value]) => [key, Array.isArray(value) ? value.join(',') : (value ?? '')]));
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath,
      rawQueryString: query.toString(),
      headers,
      requestContext: {
        accountId: accountId,
        domainName: req.headers.host ?? '',
        http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress ?? '', userAgent: req.headers['user-agent'] ?? '' },
        requestId: randomUUID(),
        timeEpoch: Date.now(),
      },
      body: body.length > 0 ? body.toString('utf8') : undefined,
      isBase64Encoded: false,
    };
    let result: unknown;
    try {
      result = await fn.handler(event, { functionName: fn.name, awsRequestId: event.requestContext.requestId });
    } catch (error) {
      log(`[lambda] ${fn.name} failed: ${errorMessage(error)}`);
      // What a function URL answers when the function throws.
      sendJson(res, 502, { Message: 'Internal Server Error' });
      return;
    }
    if (isHttpResult(result)) {
      const payload = result.body === undefined ? Buffer.alloc(0) : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
      res.writeHead(result.statusCode ?? 200, { 'Content-Type': 'application/json', ...result.headers, 'Content-Length': String(payload.length) });
      res.end(payload);
      return;
    }
    sendJson(res, 200, result ?? null);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.url ?? '/';
    const queryStart = target.indexOf('?');
    const rawPath = queryStart === -1 ? target : target.slice(0, queryStart);
    const query = new URLSearchParams(queryStart === -1 ? '' : target.slice(queryStart + 1));
    const body = await readBody(req);
    const method = req.method ?? 'GET';
    let match: RegExpExecArray | null;

    if (method === 'POST' && (match = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/.exec(rawPath))) {
      return handleInvoke(req, res, decodeURIComponent(match[1]), rawPath, query, body);
    }
    if (method === 'GET' && /^\/2015-03-31\/functions\/?$/.test(rawPath)) {
      requestCounts['list-functions']++;
      await guardApiCall(req, rawPath, query, body, true);
      const { page, nextMarker } = paginate(emulator.functions, query);
      sendJson(res, 200, { Functions: page.map(describeFunction), ...(nextMarker ? { NextMarker: nextMarker } : {}) });
      return;
    }
    if (method === 'GET' && /^\/2015-03-31\/event-source-mappings\/?$/.test(rawPath)) {
      requestCounts['list-mappings']++;
      await guardApiCall(req, rawPath, query, body, true);
      const byFunction = query.get('FunctionName');
      const bySource = query.get('EventSourceArn');
      const matching = emulator.mappings.filter(
        (mapping) => (!byFunction || nameOf(mapping.FunctionName) === nameOf(byFunction)) && (!bySource || mapping.EventSourceArn === bySource),
      );
      const { page, nextMarker } = paginate(matching, query);
      sendJson(res, 200, { EventSourceMappings: page.map(describeMapping), ...(nextMarker ? { NextMarker: nextMarker } : {}) });
      return;
    }
    if (method === 'GET' && (match = /^\/2021-10-31\/functions\/([^/]+)\/urls\/?$/.exec(rawPath))) {
      requestCounts['list-urls']++;
      await guardApiCall(req, rawPath, query, body, true);
      const fn = findFunction(decodeURIComponent(match[1]));
      if (!fn) throw new HttpError(404, 'ResourceNotFoundException', `Function not found: ${functionArn(nameOf(decodeURIComponent(match[1])))}`);
      const created = fn.lastModified ?? new Date(0).toISOString();
      const configs = fn.url
        ? [{ FunctionUrl: `${emulator.url}/fn/${fn.name}/`, FunctionArn: functionArn(fn.name), AuthType: fn.url.authType, CreationTime: created, LastModifiedTime: created }]
        : [];
      sendJson(res, 200, { FunctionUrlConfigs: configs });
      return;
    }
    // Dev-only introspection for `npm run demo` and tests in other processes: what ran, when, with which bodies.
    if (method === 'GET' && rawPath === '/_emulator/invocations') {
      sendJson(
        res,
        200,
        emulator.invocations.map((r) => ({
          functionName: r.functionName,
          receivedAt: r.receivedAt,
          outcome: r.outcome,
          signatureValid: r.signatureValid,
          bodies: Array.isArray(r.event?.Records) ? r.event.Records.map((record: { body?: string }) => record.body) : [],
        })),
      );
      return;
    }
    if ((match = /^\/fn\/([^/]+)(\/.*)?$/.exec(rawPath))) {
      return handleFunctionUrl(req, res, decodeURIComponent(match[1]), rawPath, query, body);
    }
    throw new HttpError(404, 'ResourceNotFoundException', `No route for ${method} ${rawPath}`);
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent || res.destroyed) return;
      if (error instanceof HttpError) {
        sendJson(res, error.status, { Type: error.status >= 500 ? 'Service' : 'User', message: error.message }, { 'x-amzn-ErrorType': error.errorType });
      } else {
        log(`[lambda] emulator error: ${errorMessage(error)}`);
        sendJson(res, 500, { Type: 'Service', message: errorMessage(error) }, { 'x-amzn-ErrorType': 'ServiceException' });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const emulator: LambdaEmulator = {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    invocations: [],
    pings: [],
    functions: options.functions,
    mappings: options.mappings ?? [],
    setFault(functionName, fault, times) {
      if (fault === null) faults.delete(functionName);
      else faults.set(functionName, { fault, remaining: times ?? Number.POSITIVE_INFINITY });
    },
    setApiFailure(status) {
      apiFailure = status;
    },
    requestsOfKind(kind) {
      return requestCounts[kind];
    },
    waitForInvocations(n, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (emulator.invocations.length < n) return;
          cleanup();
          resolve(emulator.invocations.slice());
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`expected ${n} invocation(s) within ${timeoutMs} ms, got ${emulator.invocations.length}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          invocationWaiters.delete(check);
        };
        invocationWaiters.add(check);
        check();
      });
    },
    close() {
      // Hung invocations keep their sockets open; end them so close() does not wait forever.
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
  return emulator;
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(',') : value;
}

function queryObject(query: URLSearchParams): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const key of new Set(query.keys())) {
    const values = query.getAll(key);
    result[key] = values.length === 1 ? values[0] : values;
  }
  return result;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return body.toString('utf8');
  }
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const payload = Buffer.from(JSON.stringify(value) ?? 'null');
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(payload.length), 'x-amzn-RequestId': randomUUID(), ...headers });
  res.end(payload);
}

/** How Lambda reports a function that threw: still 200, flagged by X-Amz-Function-Error. */
function sendFunctionError(res: ServerResponse, error: unknown): void {
  const errorType = error instanceof Error ? error.name : 'Error';
  sendJson(res, 200, { errorType, errorMessage: errorMessage(error), trace: [] }, { 'X-Amz-Function-Error': 'Unhandled' });
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isHttpResult(value: unknown): value is { statusCode?: number; body?: string; headers?: Record<string, string>; isBase64Encoded?: boolean } {
  return typeof value === 'object' && value !== null && 'statusCode' in value && typeof (value as { statusCode: unknown }).statusCode === 'number';
}

/** One line for the log: how many SQS records, and their bodies cut short. */
function describeEvent(event: unknown): string {
  const records = (event as { Records?: { body?: unknown }[] } | null)?.Records;
  if (!Array.isArray(records)) return `event: ${truncate(JSON.stringify(event) ?? '', 120)}`;
  const bodies = records.map((record) => truncate(String(record.body ?? ''), 40)).join(' | ');
  return `${records.length} record(s): ${truncate(bodies, 200)}`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
