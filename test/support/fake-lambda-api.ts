/** A fake Lambda API (list calls, Invoke) and function URLs behind a spied globalThis.fetch, for tests inside workerd. */
import { vi } from 'vitest';

export interface FakeApi {
  functions: { FunctionName: string; Description?: string; Runtime?: string; Timeout?: number; MemorySize?: number; Environment?: Record<string, string>; url?: { AuthType: string } }[];
  mappings: Record<string, unknown>[];
  /** most items a page, below the API's own (ListFunctions 50, ListEventSourceMappings 100) */
  pageSize: number;
  /** answer every list call with this (status or 'timeout') while set */
  failure: number | 'timeout' | null;
  requests: { url: string; method: string; authorization: string | null; at: number }[];
  /** function URL handler: default 200 */
  urlResponse: (url: string) => Promise<Response> | Response;
  /** Invoke handler: default 200 with `{"ok":true}` */
  invokeResponse: (functionName: string, payload: string) => Promise<Response> | Response;
  inFlightUrls: number;
  maxInFlightUrls: number;
}

const ACCOUNT = '123456789012';
export const fnArn = (name: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;
export const queueArnOf = (name: string, account = ACCOUNT) => `arn:aws:sqs:us-east-1:${account}:${name}`;

export function fakeLambdaApi(setup: Partial<FakeApi> = {}): FakeApi {
  const api: FakeApi = {
    functions: [],
    mappings: [],
    pageSize: 100,
    failure: null,
    requests: [],
    urlResponse: () => new Response('ok'),
    invokeResponse: () => Response.json({ ok: true }),
    inFlightUrls: 0,
    maxInFlightUrls: 0,
    ...setup,
  };
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const request = new Request(input as RequestInfo, init);
    const url = new URL(request.url);
    if (url.hostname === 'urls.test') {
      api.requests.push({ url: request.url, method: request.method, authorization: request.headers.get('authorization'), at: Date.now() });
      api.inFlightUrls++;
      api.maxInFlightUrls = Math.max(api.maxInFlightUrls, api.inFlightUrls);
      try {
        return await untilAborted(request, api.urlResponse(request.url));
      } finally {
        api.inFlightUrls--;
      }
    }
    // No API Gateway in this account unless fakeApiGateway says otherwise: empty listings, never the network.
    if (url.hostname === 'apigateway.test') return Response.json(url.pathname.startsWith('/v2/') ? { items: [] } : { item: [] });
    if (url.hostname !== 'lambda.test') return realFetch(request);
    api.requests.push({ url: request.url, method: request.method, authorization: request.headers.get('authorization'), at: Date.now() });
    // Never answers; like a real fetch, gives up when the caller's signal aborts.
    if (api.failure === 'timeout') return untilAborted(request, new Promise<Response>(() => {}));
    if (api.failure) return Response.json({ Type: 'User', message: 'injected failure' }, { status: api.failure, headers: { 'x-amzn-ErrorType': api.failure === 403 ? 'AccessDeniedException' : 'ServiceException' } });
    const page = <T>(items: T[], key: string, apiMax: number) => {
      const start = Number(url.searchParams.get('Marker') ?? 0);
      const max = Math.min(api.pageSize, apiMax, Number(url.searchParams.get('MaxItems') ?? apiMax));
      const next = start + max < items.length ? String(start + max) : undefined;
      return Response.json({ [key]: items.slice(start, start + max), ...(next ? { NextMarker: next } : {}) });
    };
    if (url.pathname === '/2015-03-31/functions/') {
      return page(
        api.functions.map((f) => ({
          FunctionName: f.FunctionName,
          FunctionArn: fnArn(f.FunctionName),
          Description: f.Description ?? '',
          Runtime: f.Runtime ?? 'nodejs20.x',
          LastModified: '2026-11-01T10:00:00.000+0000',
          Timeout: f.Timeout ?? 3,
          MemorySize: f.MemorySize ?? 128,
          // ListFunctions returns each function's environment, secrets and all.
          ...(f.Environment ? { Environment: { Variables: f.Environment } } : {}),
        })),
        'Functions',
        50,
      );
    }
    if (url.pathname === '/2015-03-31/event-source-mappings/') return page(api.mappings, 'EventSourceMappings', 100);
    const invocation = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(url.pathname);
    if (invocation && request.method === 'POST') return untilAborted(request, api.invokeResponse(decodeURIComponent(invocation[1]), await request.text()));
    const urls = /^\/2021-10-31\/functions\/([^/]+)\/urls$/.exec(url.pathname);
    if (urls) {
      const fn = api.functions.find((f) => f.FunctionName === decodeURIComponent(urls[1]));
      if (!fn) return Response.json({ Type: 'User', message: 'Function not found' }, { status: 404, headers: { 'x-amzn-ErrorType': 'ResourceNotFoundException' } });
      const configs = fn.url ? [{ FunctionUrl: `https://urls.test/${fn.FunctionName}/`, FunctionArn: fnArn(fn.FunctionName), AuthType: fn.url.AuthType }] : [];
      return Response.json({ FunctionUrlConfigs: configs });
    }
    return Response.json({ message: 'not found' }, { status: 404 });
  });
  return api;
}

/** Like a real fetch, a pending answer gives way when the caller's signal aborts. */
function untilAborted(request: Request, answer: Promise<Response> | Response): Promise<Response> {
  const aborted = new Promise<Response>((_, reject) => request.signal.addEventListener('abort', () => reject(request.signal.reason)));
  return Promise.race([answer, aborted]);
}

export const esm = (queue: string, fn: string, extra: Record<string, unknown> = {}) => ({
  UUID: crypto.randomUUID(),
  EventSourceArn: queueArnOf(queue),
  FunctionArn: fnArn(fn),
  BatchSize: 10,
  MaximumBatchingWindowInSeconds: 0,
  FunctionResponseTypes: [],
  State: 'Disabled',
  LastModified: 1_764_000_000,
  ...extra,
});

/** A log tail as Lambda returns it (X-Amz-Log-Result): base64 of the log's last 4 KB, the REPORT line last, with
 *  Init Duration on a cold start (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-logging.html). */
export const logTail = (cold: boolean, billedMs = 3) =>
  btoa(
    `START RequestId: 1 Version: $LATEST\nEND RequestId: 1\nREPORT RequestId: 1\tDuration: 2.50 ms\tBilled Duration: ${billedMs} ms\tMemory Size: 256 MB\tMax Memory Used: 60 MB${cold ? '\tInit Duration: 150.25 ms' : ''}\t\n`,
  );
