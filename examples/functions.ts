/**
 * The functions and the SQS mapping the local Lambda emulator serves in `npm run dev` (account 000000000000,
 * us-east-1). The mapping is Disabled the way sqsflare expects deployments to be: AWS does not poll, sqsflare delivers.
 */
import type { EmulatedFunction, EmulatedHttpApi, EmulatedMapping, EmulatedRestApi } from '../dev/lambda-emulator';
import { handler as hello } from './handlers/hello';
import { handler as http } from './handlers/http';

export const ACCOUNT_ID = '000000000000';
export const REGION = 'us-east-1';
export const DEMO_QUEUE_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:demo-queue`;

const lastModified = '2025-01-01T00:00:00.000Z';

export const functions: EmulatedFunction[] = [
  {
    name: 'sqsflare-demo-dev-hello',
    handler: hello,
    description: 'Says hello to every message',
    runtime: 'nodejs20.x',
    lastModified,
    url: { authType: 'NONE' },
  },
  { name: 'sqsflare-demo-dev-api', handler: http, description: 'Public HTTP API', runtime: 'nodejs20.x', lastModified, url: { authType: 'NONE' } },
  { name: 'sqsflare-demo-dev-admin', handler: http, description: 'Admin HTTP API', runtime: 'nodejs20.x', lastModified, url: { authType: 'AWS_IAM' } },
];

export const mappings: EmulatedMapping[] = [
  {
    EventSourceArn: DEMO_QUEUE_ARN,
    FunctionName: 'sqsflare-demo-dev-hello',
    BatchSize: 10,
    FunctionResponseTypes: ['ReportBatchItemFailures'],
    State: 'Disabled',
  },
];

/**
 * The API Gateway APIs in front of the example functions, named as the Serverless Framework names them: its `httpApi`
 * events make one HTTP API `<stage>-<service>` with a `$default` stage, its `http` events one REST API of the same name
 * with a stage per deployment stage.
 */
export const httpApis: EmulatedHttpApi[] = [
  {
    apiId: 'a1b2c3d4e5',
    name: 'dev-sqsflare-demo',
    routes: [
      { routeKey: 'GET /time', functionName: 'sqsflare-demo-dev-api' },
      { routeKey: 'ANY /admin/{proxy+}', functionName: 'sqsflare-demo-dev-admin' },
    ],
  },
  { apiId: 'f6g7h8i9j0', name: 'sqsflare-demo-hooks', stages: ['dev', 'prod'], routes: [{ routeKey: 'POST /hello', functionName: 'sqsflare-demo-dev-hello' }] },
];

export const restApis: EmulatedRestApi[] = [
  {
    id: 'k1l2m3n4o5',
    name: 'dev-sqsflare-demo',
    stages: ['dev'],
    endpointType: 'REGIONAL',
    methods: [
      { httpMethod: 'GET', path: '/time', functionName: 'sqsflare-demo-dev-api' },
      { httpMethod: 'POST', path: '/hello', functionName: 'sqsflare-demo-dev-hello' },
      { httpMethod: 'ANY', path: '/admin/{proxy+}', functionName: 'sqsflare-demo-dev-admin' },
    ],
  },
];
