/**
 * One sync's look at API Gateway: list the HTTP APIs (v2) and REST APIs (v1), then read each API's stages and Lambda
 * integrations, as far as the sync's PageBudget allows. An account too large for one run is spread over several: the
 * scan describes APIs in a fixed order from `startAt` on (wrapping around) and hands back where the next run starts.
 */
import type { Env } from '../../env';
import type { PageBudget } from '../list';
import { apiGatewayGet, type CallOptions, listV1, listV2 } from './calls';
import { type Home, httpApiModel, restApiModel } from './model';
import type { GatewayApi, GatewayApiRef, GatewayCall, GatewayProblem, V1Resource, V1RestApi, V1Stage, V2Api, V2Integration, V2Route, V2Stage } from './types';

export interface ScanOptions {
  budget: PageBudget;
  /** the `next` of the previous run: describing starts at this API (`kind:id`) */
  startAt?: string;
  /** also read HTTP APIs' routes (one more call per API) to tell which route reaches which function */
  withRoutes?: boolean;
  timeoutMs?: number;
}

export interface ApiGatewayScan {
  /** described in this run, in scan order */
  apis: GatewayApi[];
  /** every API the listings returned (HTTP APIs only: WebSocket APIs are left out) */
  listed: GatewayApiRef[];
  /** whether each listing was read to its end: only then may APIs missing from `listed` be forgotten */
  listingComplete: { http: boolean; rest: boolean };
  /** where the next run should start (pass as startAt); absent when every listed API was described */
  next?: string;
  /** what kept the scan from seeing everything: missing permissions, failures, the budget running out */
  problems: GatewayProblem[];
}

/** Calls needed at least to describe one API: stages + integrations (+ routes); stages + one page of resources. */
const minimumCalls = (ref: GatewayApiRef, withRoutes: boolean) => (ref.kind === 'http' ? (withRoutes ? 3 : 2) : 2);

export const apiKey = (ref: Pick<GatewayApiRef, 'kind' | 'id'>) => `${ref.kind}:${ref.id}`;

export async function scanApiGateway(env: Env, opts: ScanOptions): Promise<ApiGatewayScan> {
  const call: CallOptions = { budget: opts.budget, timeoutMs: opts.timeoutMs };
  const home: Home = { region: env.AWS_REGION, accountId: env.AWS_ACCOUNT_ID };
  const problems: GatewayProblem[] = [];
  const http = await listV2<V2Api>(env, '/v2/apis', call);
  const rest = await listV1<V1RestApi>(env, '/restapis', call);
  const httpApis = new Map((http.ok ? http.value : []).filter((api) => api.protocolType === 'HTTP').map((api) => [api.apiId, api]));
  const restApis = new Map((rest.ok ? rest.value : []).map((api) => [api.id, api]));
  if (!http.ok) problems.push(http.problem);
  if (!rest.ok) problems.push(rest.problem);
  const listed = [
    ...[...httpApis.values()].map((api): GatewayApiRef => ({ kind: 'http', id: api.apiId, name: api.name })),
    ...[...restApis.values()].map((api): GatewayApiRef => ({ kind: 'rest', id: api.id, name: api.name })),
  ].sort((a, b) => (apiKey(a) < apiKey(b) ? -1 : 1));
  const apis: GatewayApi[] = [];
  let next: string | undefined;
  for (const ref of rotate(listed, opts.startAt)) {
    if (opts.budget.remaining < minimumCalls(ref, opts.withRoutes ?? false)) {
      next = apiKey(ref);
      problems.push({ kind: 'budget-exhausted', path: apiPath(ref) });
      break;
    }
    const described =
      ref.kind === 'http' ? await describeHttpApi(env, httpApis.get(ref.id)!, home, call, opts.withRoutes ?? false) : await describeRestApi(env, restApis.get(ref.id)!, home, call);
    if (described.ok) {
      apis.push(described.value);
      continue;
    }
    problems.push(described.problem);
    if (described.problem.kind === 'budget-exhausted') {
      next = apiKey(ref);
      break;
    }
  }
  return { apis, listed, listingComplete: { http: http.ok, rest: rest.ok }, ...(next ? { next } : {}), problems };
}

/** The listed APIs from the first whose key is ≥ startAt, then those before it. */
function rotate(refs: GatewayApiRef[], startAt: string | undefined): GatewayApiRef[] {
  if (!startAt) return refs;
  const from = refs.findIndex((ref) => apiKey(ref) >= startAt);
  return from <= 0 ? refs : [...refs.slice(from), ...refs.slice(0, from)];
}

const apiPath = (ref: GatewayApiRef) => (ref.kind === 'http' ? `/v2/apis/${ref.id}` : `/restapis/${ref.id}`);

/** GET /v2/apis/{apiId}/stages, /integrations and (withRoutes) /routes, each paged with nextToken. */
export async function describeHttpApi(env: Env, api: V2Api, home: Home, call: CallOptions, withRoutes: boolean): Promise<GatewayCall<GatewayApi>> {
  const base = `/v2/apis/${encodeURIComponent(api.apiId)}`;
  const stages = await listV2<V2Stage>(env, `${base}/stages`, call);
  if (!stages.ok) return stages;
  const integrations = await listV2<V2Integration>(env, `${base}/integrations`, call);
  if (!integrations.ok) return integrations;
  let routes: V2Route[] | undefined;
  if (withRoutes) {
    const read = await listV2<V2Route>(env, `${base}/routes`, call);
    if (!read.ok) return read;
    routes = read.value;
  }
  return { ok: true, value: httpApiModel(api, stages.value, integrations.value, routes, home) };
}

/** GET /restapis/{id}/stages (one answer, no paging) and /restapis/{id}/resources?embed=methods (paged with position). */
export async function describeRestApi(env: Env, api: V1RestApi, home: Home, call: CallOptions): Promise<GatewayCall<GatewayApi>> {
  const base = `/restapis/${encodeURIComponent(api.id)}`;
  const stages = await apiGatewayGet<{ item?: V1Stage[] }>(env, `${base}/stages`, call);
  if (!stages.ok) return stages;
  const resources = await listV1<V1Resource>(env, `${base}/resources`, call, { embed: 'methods' });
  if (!resources.ok) return resources;
  return { ok: true, value: restApiModel(api, stages.value.item ?? [], resources.value, home) };
}
