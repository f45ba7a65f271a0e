/**
 * The list calls the registry sync makes: ListFunctions and ListEventSourceMappings (paged with Marker / MaxItems /
 * NextMarker) and ListFunctionUrlConfigs, answering with the fields and defaults Lambda fills in.
 */
import { randomUUID } from 'node:crypto';
import { type EmulatorRequest, HttpError, sendJson } from '../http';
import { type EmulatorState, findFunction, functionArn, guardApiCall, nameOf } from '../state';
import type { EmulatedFunction, EmulatedMapping } from '../types';
import type { Route } from './route';

export const listFunctionsRoute: Route = {
  method: 'GET',
  path: /^\/2015-03-31\/functions\/?$/,
  kind: 'list-functions',
  async handle(state, request) {
    await guardApiCall(state, request);
    const { page, nextMarker } = paginate(state, state.exposed.functions, request.query, 50);
    sendJson(request.res, 200, { Functions: page.map((fn) => describeFunction(state, fn)), ...(nextMarker ? { NextMarker: nextMarker } : {}) });
  },
};

export const listMappingsRoute: Route = {
  method: 'GET',
  path: /^\/2015-03-31\/event-source-mappings\/?$/,
  kind: 'list-mappings',
  async handle(state, request) {
    await guardApiCall(state, request);
    const byFunction = request.query.get('FunctionName');
    const bySource = request.query.get('EventSourceArn');
    const matching = state.exposed.mappings.filter(
      (mapping) => (!byFunction || nameOf(mapping.FunctionName) === nameOf(byFunction)) && (!bySource || mapping.EventSourceArn === bySource),
    );
    const { page, nextMarker } = paginate(state, matching, request.query, 100);
    sendJson(request.res, 200, { EventSourceMappings: page.map((mapping) => describeMapping(state, mapping)), ...(nextMarker ? { NextMarker: nextMarker } : {}) });
  },
};

export const listUrlConfigsRoute: Route = {
  method: 'GET',
  path: /^\/2021-10-31\/functions\/([^/]+)\/urls\/?$/,
  kind: 'list-urls',
  handle: listUrlConfigs,
};

async function listUrlConfigs(state: EmulatorState, request: EmulatorRequest, match: RegExpExecArray): Promise<void> {
  await guardApiCall(state, request);
  const fn = findFunction(state, decodeURIComponent(match[1]));
  if (!fn) throw new HttpError(404, 'ResourceNotFoundException', `Function not found: ${functionArn(state, nameOf(decodeURIComponent(match[1])))}`);
  const created = fn.lastModified ?? new Date(0).toISOString();
  const configs = fn.url
    ? [{ FunctionUrl: `${state.exposed.url}/fn/${fn.name}/`, FunctionArn: functionArn(state, fn.name), AuthType: fn.url.authType, CreationTime: created, LastModifiedTime: created }]
    : [];
  sendJson(request.res, 200, { FunctionUrlConfigs: configs });
}

/**
 * One page from Marker on; the marker is the next index, opaque to the client as Lambda's is. `apiMax` is Lambda's own
 * cap on MaxItems (ListFunctions 50, ListEventSourceMappings 100); the emulator's pageSize can only lower it.
 */
function paginate<T>(state: EmulatorState, items: T[], query: URLSearchParams, apiMax: number): { page: T[]; nextMarker?: string } {
  const marker = query.get('Marker');
  const start = marker ? Number(Buffer.from(marker, 'base64url').toString('utf8')) : 0;
  if (!Number.isInteger(start) || start < 0) throw new HttpError(400, 'InvalidParameterValueException', `Invalid marker: ${marker}`);
  const cap = Math.min(apiMax, state.pageSize);
  const maxItems = Number(query.get('MaxItems') ?? cap);
  const size = Math.max(1, Math.min(cap, Number.isFinite(maxItems) ? maxItems : cap));
  const page = items.slice(start, start + size);
  const next = start + size;
  return next < items.length ? { page, nextMarker: Buffer.from(String(next), 'utf8').toString('base64url') } : { page };
}

function describeFunction(state: EmulatorState, fn: EmulatedFunction) {
  return {
    FunctionName: fn.name,
    FunctionArn: functionArn(state, fn.name),
    Runtime: fn.runtime ?? 'nodejs20.x',
    Role: `arn:aws:iam::${state.accountId}:role/${fn.name}-role`,
    Handler: 'index.handler',
    CodeSize: 1024,
    Description: fn.description ?? '',
    Timeout: fn.timeout ?? 30,
    MemorySize: fn.memorySize ?? 128,
    ...(fn.environment ? { Environment: { Variables: fn.environment } } : {}),
    // Lambda writes LastModified like 2024-01-01T00:00:00.000+0000.
    LastModified: (fn.lastModified ?? new Date(0).toISOString()).replace(/Z$/, '+0000'),
    Version: '$LATEST',
    PackageType: 'Zip',
    Architectures: ['x86_64'],
  };
}

function describeMapping(state: EmulatorState, mapping: EmulatedMapping) {
  let identity = state.mappingIdentity.get(mapping);
  if (!identity) {
    identity = { uuid: mapping.UUID ?? randomUUID(), lastModified: Math.floor(Date.now() / 1000) };
    state.mappingIdentity.set(mapping, identity);
  }
  return {
    UUID: mapping.UUID ?? identity.uuid,
    EventSourceArn: mapping.EventSourceArn,
    FunctionArn: mapping.FunctionName.startsWith('arn:') ? mapping.FunctionName : functionArn(state, mapping.FunctionName),
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
