/**
 * API Gateway's answers, naming only the fields sqsflare reads, spelled as they are on the wire (rest-json: v2 members
 * carry lower-camel locationNames, v1 collections put their list under `item`). Checked against botocore's
 * apigatewayv2/2018-11-29 and apigateway/2015-07-09 service-2.json; AWS references:
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis.html (v2) and
 * https://docs.aws.amazon.com/apigateway/latest/api/API_GetRestApis.html (v1).
 */

/** GetApis / GetStages / GetIntegrations / GetRoutes (v2): `{"items":[…],"nextToken":"…"}`. */
export interface V2Page<T> {
  items?: T[];
  nextToken?: string;
}

/** v2 Api. apiEndpoint is `https://{apiId}.execute-api.{region}.amazonaws.com` (wss:// for WebSocket APIs). */
export interface V2Api {
  apiId: string;
  name: string;
  protocolType: 'HTTP' | 'WEBSOCKET' | string;
  apiEndpoint?: string;
  disableExecuteApiEndpoint?: boolean;
}

/** v2 Stage; `$default` is served from the API's base URL. */
export interface V2Stage {
  stageName: string;
}

/** v2 Integration: a Lambda proxy integration has integrationType AWS_PROXY and the function (ARN) in integrationUri. */
export interface V2Integration {
  integrationId: string;
  integrationType?: 'AWS' | 'AWS_PROXY' | 'HTTP' | 'HTTP_PROXY' | 'MOCK' | string;
  integrationUri?: string;
}

/** v2 Route: routeKey like `GET /orders` or `$default`; target `integrations/{integrationId}`. */
export interface V2Route {
  routeId: string;
  routeKey: string;
  target?: string;
}

/** GetRestApis / GetResources (v1): `{"item":[…],"position":"…"}`; GetStages (v1) has no paging. */
export interface V1Page<T> {
  item?: T[];
  position?: string;
}

export interface V1RestApi {
  id: string;
  name: string;
  endpointConfiguration?: { types?: ('EDGE' | 'REGIONAL' | 'PRIVATE' | string)[] };
  disableExecuteApiEndpoint?: boolean;
}

export interface V1Stage {
  stageName: string;
}

/** v1 Resource with `embed=methods`: each method with its integration (type AWS/AWS_PROXY, uri …/functions/{arn}/invocations). */
export interface V1Resource {
  id: string;
  path: string;
  resourceMethods?: Record<string, { httpMethod?: string; methodIntegration?: { type?: string; uri?: string } }>;
}

/** What sqsflare keeps of one API: enough for the index page, nothing else. */
export interface GatewayApi {
  id: string;
  name: string;
  kind: 'http' | 'rest';
  /** per stage, the URL clients call; empty when the execute-api endpoint is disabled */
  stages: { name: string; url: string }[];
  /** PRIVATE REST APIs answer only inside a VPC: their URLs are not public entry points */
  private?: true;
  /** names of the functions behind it (ARNs when they are in another account or region), sorted, distinct */
  functions: string[];
  /** which route reaches which function: from the resources for REST APIs, from the routes for HTTP APIs when read */
  routes: { route: string; functionName: string }[];
}

/** One API as the listings name it, before its stages and integrations are read. */
export interface GatewayApiRef {
  kind: 'http' | 'rest';
  id: string;
  name: string;
}

/**
 * Why a call gave no answer, as a value: a sync notes it and goes on. `missing-permission` is AWS's 403
 * AccessDeniedException for a principal without `apigateway:GET` on that resource.
 */
export type GatewayProblem =
  | { kind: 'missing-permission'; path: string; message: string }
  | { kind: 'budget-exhausted'; path: string }
  | { kind: 'failed'; path: string; status: number | null; code: string; message: string };

export type GatewayCall<T> = { ok: true; value: T } | { ok: false; problem: GatewayProblem };
