/**
 * What the routes share: the configuration, the functions and mappings, what was received, and the injected failures.
 * The routes read and write this one object and the handle in index.ts exposes it; neither calls the other.
 */
import { type EmulatorRequest, HttpError } from './http';
import { createSignatureVerifier, type VerifySignature } from './signature';
import type { EmulatedFunction, EmulatedMapping, Fault, InvocationRecord, LambdaEmulator, LambdaEmulatorOptions, RequestKind } from './types';

/**
 * The handle's data fields. The handle index.ts returns is this very object, so what a test assigns or pushes there
 * (`emulator.functions = …`) is what the routes see.
 */
export type ExposedFields = Pick<LambdaEmulator, 'url' | 'invocations' | 'pings' | 'functions' | 'mappings' | 'httpApis' | 'restApis'>;

export interface EmulatorState {
  exposed: ExposedFields;
  region: string;
  accountId: string;
  pageSize: number;
  log: (line: string) => void;
  verifySignature: VerifySignature;
  /** the same check scoped to service apigateway */
  verifyApiGatewaySignature: VerifySignature;
  /** false: API Gateway calls answer 403 AccessDeniedException */
  apiGatewayAllowed: boolean;
  /** per function: execution environments created so far and how many are busy; an invocation finding none idle is cold */
  instances: Map<string, { total: number; busy: number }>;
  /** per function: the fault and how many more invocations it applies to */
  faults: Map<string, { fault: Fault; remaining: number }>;
  /** the status list calls answer while set */
  apiFailure: number | null;
  requestCounts: Record<RequestKind, number>;
  /** woken on every recorded invocation */
  invocationWaiters: Set<() => void>;
  /** UUID and LastModified must stay the same across list calls, also for mappings a test pushes later */
  mappingIdentity: WeakMap<EmulatedMapping, { uuid: string; lastModified: number }>;
}

export function createState(options: LambdaEmulatorOptions, url: string): EmulatorState {
  const region = options.region ?? 'us-east-1';
  return {
    exposed: {
      url,
      invocations: [],
      pings: [],
      functions: options.functions,
      mappings: options.mappings ?? [],
      httpApis: options.httpApis ?? [],
      restApis: options.restApis ?? [],
    },
    region,
    accountId: options.accountId ?? '000000000000',
    pageSize: options.pageSize ?? 100,
    log: options.log ?? (() => {}),
    verifySignature: createSignatureVerifier(options.credentials, region),
    verifyApiGatewaySignature: createSignatureVerifier(options.credentials, region, 'apigateway'),
    apiGatewayAllowed: true,
    instances: new Map(),
    faults: new Map(),
    apiFailure: null,
    requestCounts: { invoke: 0, 'list-functions': 0, 'list-mappings': 0, 'list-urls': 0, url: 0, apigateway: 0 },
    invocationWaiters: new Set(),
    mappingIdentity: new WeakMap(),
  };
}

export function recordInvocation(state: EmulatorState, record: InvocationRecord): void {
  state.exposed.invocations.push(record);
  for (const wake of state.invocationWaiters) wake();
}

export function functionArn(state: EmulatorState, name: string): string {
  return `arn:aws:lambda:${state.region}:${state.accountId}:function:${name}`;
}

/** Invoke and the mapping filter accept a name, a partial or full ARN, with or without a qualifier. */
export function nameOf(identifier: string): string {
  const afterFunction = identifier.includes('function:') ? identifier.slice(identifier.indexOf('function:') + 'function:'.length) : identifier;
  return afterFunction.split(':')[0];
}

export function findFunction(state: EmulatorState, identifier: string): EmulatedFunction | undefined {
  return state.exposed.functions.find((fn) => fn.name === nameOf(identifier));
}

/** Checks what every control-plane call shares (all but Invoke and URLs): the injected failure, then the signature. */
export async function guardApiCall(state: EmulatorState, request: EmulatorRequest): Promise<void> {
  if (state.apiFailure !== null) {
    const errorType = state.apiFailure === 403 ? 'AccessDeniedException' : state.apiFailure === 429 ? 'TooManyRequestsException' : 'ServiceException';
    throw new HttpError(state.apiFailure, errorType, 'injected failure');
  }
  const verdict = await state.verifySignature(request);
  if (!verdict.valid) throw new HttpError(403, 'InvalidSignatureException', verdict.message);
}
