/** A fake API Gateway control plane (v2 and v1 read calls) behind a spied globalThis.fetch, for tests inside workerd. */
import { vi } from 'vitest';

export interface FakeApiGateway {
  /** v2 Api objects as AWS answers them, plus what the per-API calls return */
  httpApis: { api: Record<string, unknown>; stages: string[]; integrations: Record<string, unknown>[]; routes: Record<string, unknown>[] }[];
  restApis: { api: Record<string, unknown>; stages: string[]; resources: Record<string, unknown>[] }[];
  /** most items per page, whatever the client asks for */
  pageSize: number;
  /** paths starting with one of these answer 403 AccessDeniedException */
  denied: string[];
  requests: { path: string; query: URLSearchParams; authorization: string | null; accept: string | null }[];
}

export function fakeApiGateway(setup: Partial<FakeApiGateway> = {}): FakeApiGateway {
  const fake: FakeApiGateway = { httpApis: [], restApis: [], pageSize: 100, denied: [], requests: [], ...setup };
  // Beside fakeLambdaApi: spyOn returns the same spy, so keep its implementation to pass other hosts on to.
  const current = globalThis.fetch;
  const realFetch: typeof fetch = vi.isMockFunction(current) ? (current.getMockImplementation() as typeof fetch | undefined) ?? current : current;
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const request = new Request(input as RequestInfo, init);
    const url = new URL(request.url);
    if (url.hostname !== 'apigateway.test') return realFetch(request);
    fake.requests.push({ path: url.pathname, query: url.searchParams, authorization: request.headers.get('authorization'), accept: request.headers.get('accept') });
    if (fake.denied.some((prefix) => url.pathname.startsWith(prefix))) {
      const message = `User: arn:aws:iam::123456789012:user/sqsflare is not authorized to perform: apigateway:GET on resource: arn:aws:apigateway:us-east-1::${url.pathname}`;
      return Response.json({ Message: message }, { status: 403, headers: { 'x-amzn-ErrorType': 'AccessDeniedException:http://internal.amazon.com/coral/com.amazon.coral.service/' } });
    }
    return answer(fake, url) ?? Response.json({ message: 'Invalid API identifier specified' }, { status: 404, headers: { 'x-amzn-ErrorType': 'NotFoundException' } });
  });
  return fake;
}

function answer(fake: FakeApiGateway, url: URL): Response | undefined {
  const v2 = (items: unknown[]) => {
    const start = Number(url.searchParams.get('nextToken') ?? 0);
    const size = Math.min(fake.pageSize, Number(url.searchParams.get('maxResults') ?? 100));
    const next = start + size < items.length ? { nextToken: String(start + size) } : {};
    return Response.json({ items: items.slice(start, start + size), ...next });
  };
  const v1 = (items: unknown[]) => {
    const start = Number(url.searchParams.get('position') ?? 0);
    const size = Math.min(fake.pageSize, Number(url.searchParams.get('limit') ?? 25));
    const next = start + size < items.length ? { position: String(start + size) } : {};
    return Response.json({ item: items.slice(start, start + size), ...next });
  };
  const path = url.pathname;
  if (path === '/v2/apis') return v2(fake.httpApis.map((h) => h.api));
  if (path === '/restapis') return v1(fake.restApis.map((r) => r.api));
  const [, version, kind, id, what] = /^\/(v2)?\/?(apis|restapis)\/([^/]+)\/([a-z]+)$/.exec(path) ?? [];
  if (kind === 'apis' && version) {
    const http = fake.httpApis.find((h) => h.api.apiId === id);
    if (!http) return undefined;
    if (what === 'stages') return v2(http.stages.map((stageName) => ({ stageName })));
    if (what === 'integrations') return v2(http.integrations);
    if (what === 'routes') return v2(http.routes);
  }
  if (kind === 'restapis') {
    const rest = fake.restApis.find((r) => r.api.id === id);
    if (!rest) return undefined;
    if (what === 'stages') return Response.json({ item: rest.stages.map((stageName) => ({ stageName })) });
    if (what === 'resources' && url.searchParams.get('embed') === 'methods') return v1(rest.resources);
  }
  return undefined;
}

/** An HTTP API with one Lambda proxy integration per function, the function ARN as integrationUri (as HTTP APIs allow). */
export function httpApiOf(apiId: string, functions: string[], stages = ['$default']) {
  return {
    api: { apiId, name: `api-${apiId}`, protocolType: 'HTTP', apiEndpoint: `https://${apiId}.execute-api.us-east-1.amazonaws.com` },
    stages,
    integrations: functions.map((fn, i) => ({ integrationId: `i${i}`, integrationType: 'AWS_PROXY', integrationUri: `arn:aws:lambda:us-east-1:123456789012:function:${fn}` })),
    routes: functions.map((fn, i) => ({ routeId: `r${i}`, routeKey: `GET /${fn}`, target: `integrations/i${i}` })),
  };
}

/** A REST API with one GET resource per function, each an AWS_PROXY integration to …/functions/{arn}/invocations. */
export function restApiOf(id: string, functions: string[], stages = ['dev']) {
  const uri = (fn: string) => `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:${fn}/invocations`;
  return {
    api: { id, name: `rest-${id}`, endpointConfiguration: { types: ['REGIONAL'] } },
    stages,
    resources: [
      { id: 'root', path: '/' },
      ...functions.map((fn, i) => ({ id: `res${i}`, path: `/${fn}`, resourceMethods: { GET: { httpMethod: 'GET', methodIntegration: { type: 'AWS_PROXY', uri: uri(fn) } } } })),
    ],
  };
}
