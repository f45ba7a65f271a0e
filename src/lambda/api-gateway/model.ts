/** Pure: from API Gateway's answers to the compact GatewayApi model (URLs per stage, functions behind each API). */
import type { GatewayApi, V1Resource, V1RestApi, V1Stage, V2Api, V2Integration, V2Route, V2Stage } from './types';

/** Where the ARN says a function lives, so only functions of this account and region are named by their bare name. */
export interface Home {
  region: string;
  accountId: string;
}

// arn:{partition}:lambda:{region}:{account}:function:{name}[:{qualifier}]
const FUNCTION_ARN = /arn:(aws[a-z-]*):lambda:([a-z0-9-]+):(\d{12}):function:([A-Za-z0-9_-]+)(?::([A-Za-z0-9_$-]+))?/;

/**
 * The function a Lambda integration invokes, or undefined for any other integration. HTTP APIs accept the function
 * ARN itself as integrationUri; REST APIs (and HTTP APIs too) the invocation URI
 * `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{functionArn}/invocations`
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html). A qualifier
 * (alias or version) is dropped; a name taken from a stage variable cannot be resolved and is skipped.
 */
export function functionOfIntegration(type: string | undefined, uri: string | undefined, home: Home): string | undefined {
  if (!uri || (type !== 'AWS_PROXY' && type !== 'AWS')) return undefined;
  const match = FUNCTION_ARN.exec(decodeURIComponent(uri));
  if (!match) return undefined;
  const [, partition, region, account, name] = match;
  if (region === home.region && account === home.accountId) return name;
  return `arn:${partition}:lambda:${region}:${account}:function:${name}`;
}

/**
 * The invoke URL of a stage: `https://{apiId}.execute-api.{region}.amazonaws.com/{stage}`; an HTTP API's `$default`
 * stage is served from the base URL (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-stages.html,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-call-api.html).
 */
export function stageUrl(base: string, stageName: string): string {
  const root = base.replace(/\/+$/, '');
  return stageName === '$default' ? `${root}/` : `${root}/${encodeURIComponent(stageName)}`;
}

export const executeApiBase = (apiId: string, region: string) => `https://${apiId}.execute-api.${region}.amazonaws.com`;

/** An HTTP API from its Api, stages, integrations and (when read) routes. */
export function httpApiModel(api: V2Api, stages: V2Stage[], integrations: V2Integration[], routes: V2Route[] | undefined, home: Home): GatewayApi {
  const byIntegration = new Map<string, string>();
  for (const integration of integrations) {
    const fn = functionOfIntegration(integration.integrationType, integration.integrationUri, home);
    if (fn) byIntegration.set(integration.integrationId, fn);
  }
  const base = api.apiEndpoint || executeApiBase(api.apiId, home.region);
  const routeList = (routes ?? []).flatMap((route) => {
    const fn = route.target?.startsWith('integrations/') ? byIntegration.get(route.target.slice('integrations/'.length)) : undefined;
    return fn ? [{ route: route.routeKey, functionName: fn }] : [];
  });
  return {
    id: api.apiId,
    name: api.name,
    kind: 'http',
    stages: api.disableExecuteApiEndpoint ? [] : sortedStages(stages).map((stage) => ({ name: stage.stageName, url: stageUrl(base, stage.stageName) })),
    functions: distinct([...byIntegration.values()]),
    routes: sortRoutes(routeList),
  };
}

/** A REST API from its RestApi, stages and resources (read with embed=methods, so each method carries its integration). */
export function restApiModel(api: V1RestApi, stages: V1Stage[], resources: V1Resource[], home: Home): GatewayApi {
  const routes: GatewayApi['routes'] = [];
  for (const resource of resources) {
    for (const [method, detail] of Object.entries(resource.resourceMethods ?? {})) {
      const fn = functionOfIntegration(detail.methodIntegration?.type, detail.methodIntegration?.uri, home);
      if (fn) routes.push({ route: `${method} ${resource.path}`, functionName: fn });
    }
  }
  const base = executeApiBase(api.id, home.region);
  const isPrivate = api.endpointConfiguration?.types?.includes('PRIVATE') ?? false;
  return {
    id: api.id,
    name: api.name,
    kind: 'rest',
    stages: api.disableExecuteApiEndpoint ? [] : sortedStages(stages).map((stage) => ({ name: stage.stageName, url: stageUrl(base, stage.stageName) })),
    ...(isPrivate ? { private: true as const } : {}),
    functions: distinct(routes.map((route) => route.functionName)),
    routes: sortRoutes(routes),
  };
}

function sortedStages<T extends { stageName: string }>(stages: T[]): T[] {
  return [...stages].sort((a, b) => (a.stageName < b.stageName ? -1 : a.stageName > b.stageName ? 1 : 0));
}

function sortRoutes(routes: GatewayApi['routes']): GatewayApi['routes'] {
  const key = (route: { route: string }) => route.route.replace(/^\S+ /, '') + ' ' + route.route;
  return routes.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function distinct(names: string[]): string[] {
  return [...new Set(names)].sort();
}
