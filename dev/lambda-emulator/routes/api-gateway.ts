/**
 * API Gateway's read calls, as the registry sync makes them, over the HTTP APIs (v2) and REST APIs (v1) in the
 * emulator's options: every API a Lambda proxy integration of emulated functions. Field names and paging as on the
 * wire (botocore apigatewayv2 2018-11-29 / apigateway 2015-07-09): v2 `items` + `nextToken` (maxResults),
 * v1 `item` + `position` (limit). Signed for service `apigateway`; setApiGatewayPermission(false) answers 403
 * AccessDeniedException as AWS does for a principal without apigateway:GET.
 */
import { type EmulatorRequest, HttpError, sendJson } from '../http';
import { type EmulatorState, functionArn } from '../state';
import type { EmulatedHttpApi, EmulatedRestApi } from '../types';
import type { Route } from './route';

const created = '2025-01-01T00:00:00Z';

/** The signature, then the permission, then any injected failure: the order AWS checks them in. */
async function guard(state: EmulatorState, request: EmulatorRequest): Promise<void> {
  const verdict = await state.verifyApiGatewaySignature(request);
  if (!verdict.valid) throw new HttpError(403, 'InvalidSignatureException', verdict.message);
  if (!state.apiGatewayAllowed) {
    const resource = `arn:aws:apigateway:${state.region}::${request.rawPath}`;
    throw new HttpError(403, 'AccessDeniedException', `User: arn:aws:iam::${state.accountId}:user/sqsflare is not authorized to perform: apigateway:GET on resource: ${resource}`);
  }
  if (state.apiFailure !== null) throw new HttpError(state.apiFailure, state.apiFailure === 429 ? 'TooManyRequestsException' : 'ServiceException', 'injected failure');
}

/** One page from the opaque token (the next index, base64url) on, at most `max` items (capped by the emulator's pageSize). */
function page<T>(state: EmulatorState, items: T[], token: string | null, max: string | null): { page: T[]; next?: string } {
  const start = token ? Number(Buffer.from(token, 'base64url').toString('utf8')) : 0;
  if (!Number.isInteger(start) || start < 0) throw new HttpError(400, 'BadRequestException', `Invalid pagination token: ${token}`);
  const asked = Number(max ?? state.pageSize);
  const size = Math.max(1, Math.min(state.pageSize, Number.isFinite(asked) && asked > 0 ? asked : state.pageSize));
  const end = start + size;
  return end < items.length ? { page: items.slice(start, end), next: Buffer.from(String(end)).toString('base64url') } : { page: items.slice(start, end) };
}

function route(path: RegExp, answer: (state: EmulatorState, request: EmulatorRequest, match: RegExpExecArray) => unknown[] | { items: unknown[] }): Route {
  return {
    method: 'GET',
    path,
    kind: 'apigateway',
    async handle(state, request, match) {
      await guard(state, request);
      const result = answer(state, request, match);
      const items = Array.isArray(result) ? result : result.items;
      const v1 = request.rawPath.startsWith('/restapis');
      // v1 GetStages answers every stage at once; everything else pages.
      if (v1 && /\/stages\/?$/.test(request.rawPath)) return sendJson(request.res, 200, { item: items });
      const { page: slice, next } = v1
        ? page(state, items, request.query.get('position'), request.query.get('limit'))
        : page(state, items, request.query.get('nextToken'), request.query.get('maxResults'));
      sendJson(request.res, 200, v1 ? { item: slice, ...(next ? { position: next } : {}) } : { items: slice, ...(next ? { nextToken: next } : {}) });
    },
  };
}

function httpApi(state: EmulatorState, id: string): EmulatedHttpApi {
  const api = state.exposed.httpApis.find((candidate) => candidate.apiId === decodeURIComponent(id));
  if (!api) throw new HttpError(404, 'NotFoundException', `Invalid API identifier specified ${state.accountId}:${decodeURIComponent(id)}`);
  return api;
}

function restApi(state: EmulatorState, id: string): EmulatedRestApi {
  const api = state.exposed.restApis.find((candidate) => candidate.id === decodeURIComponent(id));
  if (!api) throw new HttpError(404, 'NotFoundException', `Invalid API identifier specified ${state.accountId}:${decodeURIComponent(id)}`);
  return api;
}

/** One integration per distinct function, in order of first use; ids are stable across calls. */
function integrationsOf(api: EmulatedHttpApi): { id: string; functionName: string }[] {
  return [...new Set(api.routes.map((r) => r.functionName))].map((functionName, i) => ({ id: `int${String(i + 1).padStart(4, '0')}`, functionName }));
}

const executeApi = (state: EmulatorState, id: string) => `https://${id}.execute-api.${state.region}.amazonaws.com`;
const lambdaUri = (state: EmulatorState, name: string) => `arn:aws:apigateway:${state.region}:lambda:path/2015-03-31/functions/${functionArn(state, name)}/invocations`;

const v2Routes: Route[] = [
  route(/^\/v2\/apis\/?$/, (state) =>
    state.exposed.httpApis.map((api) => ({
      apiId: api.apiId,
      name: api.name,
      protocolType: 'HTTP',
      apiEndpoint: executeApi(state, api.apiId),
      routeSelectionExpression: '$request.method $request.path',
      apiKeySelectionExpression: '$request.header.x-api-key',
      disableExecuteApiEndpoint: false,
      createdDate: created,
      tags: {},
    })),
  ),
  route(/^\/v2\/apis\/([^/]+)\/stages\/?$/, (state, _request, match) =>
    (httpApi(state, match[1]).stages ?? ['$default']).map((stageName) => ({ stageName, autoDeploy: true, createdDate: created, lastUpdatedDate: created, stageVariables: {}, tags: {} })),
  ),
  route(/^\/v2\/apis\/([^/]+)\/integrations\/?$/, (state, _request, match) =>
    integrationsOf(httpApi(state, match[1])).map(({ id, functionName }) => ({
      integrationId: id,
      integrationType: 'AWS_PROXY',
      integrationMethod: 'POST',
      integrationUri: functionArn(state, functionName),
      payloadFormatVersion: '2.0',
      connectionType: 'INTERNET',
      timeoutInMillis: 30000,
    })),
  ),
  route(/^\/v2\/apis\/([^/]+)\/routes\/?$/, (state, _request, match) => {
    const api = httpApi(state, match[1]);
    const ids = new Map(integrationsOf(api).map(({ id, functionName }) => [functionName, id]));
    return api.routes.map((r, i) => ({
      routeId: `rt${String(i + 1).padStart(5, '0')}`,
      routeKey: r.routeKey,
      target: `integrations/${ids.get(r.functionName)}`,
      authorizationType: 'NONE',
      apiKeyRequired: false,
    }));
  }),
];

/** The resource tree of a REST API: the root and every prefix of every method's path, with ids stable across calls. */
function resourcesOf(state: EmulatorState, api: EmulatedRestApi, embed: boolean) {
  const paths = new Set<string>(['/']);
  for (const method of api.methods) {
    const parts = method.path.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) paths.add(`/${parts.slice(0, i).join('/')}`);
  }
  const sorted = [...paths].sort();
  const idOf = (path: string) => `r${String(sorted.indexOf(path)).padStart(5, '0')}`;
  return sorted.map((path) => {
    const methods = api.methods.filter((m) => m.path === path);
    const parent = path === '/' ? undefined : path.slice(0, path.lastIndexOf('/')) || '/';
    return {
      id: idOf(path),
      ...(parent ? { parentId: idOf(parent), pathPart: path.slice(path.lastIndexOf('/') + 1) } : {}),
      path,
      ...(methods.length ? { resourceMethods: Object.fromEntries(methods.map((m) => [m.httpMethod, embed ? methodOf(state, m) : {}])) } : {}),
    };
  });
}

function methodOf(state: EmulatorState, method: EmulatedRestApi['methods'][number]) {
  return {
    httpMethod: method.httpMethod,
    authorizationType: 'NONE',
    apiKeyRequired: false,
    methodIntegration: {
      type: 'AWS_PROXY',
      httpMethod: 'POST',
      uri: lambdaUri(state, method.functionName),
      passthroughBehavior: 'WHEN_NO_MATCH',
      timeoutInMillis: 29000,
      cacheNamespace: 'cache',
      cacheKeyParameters: [],
    },
  };
}

const v1Routes: Route[] = [
  route(/^\/restapis\/?$/, (state) =>
    state.exposed.restApis.map((api) => ({
      id: api.id,
      name: api.name,
      createdDate: Date.parse(created) / 1000,
      apiKeySource: 'HEADER',
      endpointConfiguration: { types: [api.endpointType ?? 'EDGE'] },
      disableExecuteApiEndpoint: false,
      rootResourceId: 'r00000',
    })),
  ),
  route(/^\/restapis\/([^/]+)\/stages\/?$/, (state, _request, match) =>
    restApi(state, match[1]).stages.map((stageName) => ({ stageName, deploymentId: 'dep001', createdDate: 1735689600, lastUpdatedDate: 1735689600, cacheClusterEnabled: false, tracingEnabled: false })),
  ),
  route(/^\/restapis\/([^/]+)\/resources\/?$/, (state, request, match) =>
    resourcesOf(state, restApi(state, match[1]), (request.query.get('embed') ?? '').split(',').includes('methods')),
  ),
];

export const apiGatewayRoutes: Route[] = [...v2Routes, ...v1Routes];
