/** The emulator's public shapes: what tests, benchmarks and examples configure it with and read back from it. */
export interface EmulatedFunction {
  /** FunctionName */
  name: string;
  handler: (event: any, context: { functionName: string; awsRequestId: string; clientContext?: unknown }) => unknown | Promise<unknown>;
  description?: string;
  runtime?: string;
  /** ISO time */
  lastModified?: string;
  /** present when the function has a function URL */
  url?: { authType: 'NONE' | 'AWS_IAM' };
  /** seconds, default 30 */
  timeout?: number;
  /** Environment.Variables, as ListFunctions returns them (secrets included) */
  environment?: Record<string, string>;
  /** MemorySize in ListFunctions and the REPORT line (default 128) */
  memorySize?: number;
  /** the Init Duration a new instance reports (default 180.25 ms) */
  initDurationMs?: number;
}

/** An HTTP API (API Gateway v2) whose routes invoke emulated functions through Lambda proxy integrations. */
export interface EmulatedHttpApi {
  apiId: string;
  name: string;
  /** default ['$default'] */
  stages?: string[];
  /** routeKey (`GET /orders`, `$default`) → function name; one integration per distinct function */
  routes: { routeKey: string; functionName: string }[];
}

/** A REST API (API Gateway v1): resources by path, each method a Lambda proxy integration. */
export interface EmulatedRestApi {
  id: string;
  name: string;
  stages: string[];
  methods: { httpMethod: string; path: string; functionName: string }[];
  /** EDGE (default), REGIONAL or PRIVATE */
  endpointType?: 'EDGE' | 'REGIONAL' | 'PRIVATE';
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

export type RequestKind = 'invoke' | 'list-functions' | 'list-mappings' | 'list-urls' | 'url' | 'apigateway';

export interface LambdaEmulator {
  /** http://host:port, without a trailing slash */
  url: string;
  invocations: InvocationRecord[];
  pings: PingRecord[];
  /** mutable: tests add and remove functions and mappings while the emulator runs */
  functions: EmulatedFunction[];
  mappings: EmulatedMapping[];
  httpApis: EmulatedHttpApi[];
  restApis: EmulatedRestApi[];
  /** the next `times` invocations of the function fail this way (default: until cleared with null) */
  setFault(functionName: string, fault: Fault | null, times?: number): void;
  /** list calls answer this status while set */
  setApiFailure(status: number | null): void;
  /** false: every API Gateway call answers 403 AccessDeniedException, as for a principal without apigateway:GET */
  setApiGatewayPermission(allowed: boolean): void;
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
  httpApis?: EmulatedHttpApi[];
  restApis?: EmulatedRestApi[];
  /** most items a list call returns per page */
  pageSize?: number;
  log?: (line: string) => void;
}
