/** API Gateway, read-only: the scan a sync runs, the calls it is made of, and the compact model it yields. */
export { apiGatewayGet, type CallOptions, listV1, listV2, problemOf } from './calls';
export { executeApiBase, functionOfIntegration, type Home, httpApiModel, restApiModel, stageUrl } from './model';
export { type ApiGatewayScan, apiKey, describeHttpApi, describeRestApi, type ScanOptions, scanApiGateway } from './scan';
export type { GatewayApi, GatewayApiRef, GatewayCall, GatewayProblem } from './types';
