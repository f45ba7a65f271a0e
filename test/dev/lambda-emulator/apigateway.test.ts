/** The emulator's API Gateway calls (signed for apigateway, paged like AWS, 403 without permission) and its log tails. */
import { AwsClient } from 'aws4fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LambdaEmulator, startLambdaEmulator } from '../../../dev/lambda-emulator';
import { httpApis, restApis } from '../../../examples/functions';
import { aws, credentials, invoke } from './support';

const apigw = new AwsClient({ ...credentials, service: 'apigateway', region: 'us-east-1', retries: 0 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let emulator: LambdaEmulator;
beforeAll(async () => {
  emulator = await startLambdaEmulator({
    credentials,
    accountId: '123456789012',
    pageSize: 1,
    functions: [
      { name: 'sqsflare-demo-dev-hello', handler: () => 'hi', memorySize: 256, initDurationMs: 321.5 },
      {
        name: 'sqsflare-demo-dev-api',
        // Slow enough that three invocations sent at once overlap, as the plugin's README advises for concurrency.
        handler: async (event, context) => {
          await sleep(50);
          return { event, clientContext: context.clientContext };
        },
      },
      { name: 'sqsflare-demo-dev-admin', handler: () => null },
    ],
    httpApis,
    restApis,
  });
});
afterAll(() => emulator.close());

async function all(path: string, listKey: 'items' | 'item', tokenKey: 'nextToken' | 'position'): Promise<{ items: any[]; pages: number }> {
  const items: any[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const url = new URL(`${emulator.url}${path}`);
    if (token) url.searchParams.set(tokenKey, token);
    const response = await apigw.fetch(url);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, any>;
    items.push(...body[listKey]);
    token = body[tokenKey];
    pages++;
  } while (token);
  return { items, pages };
}

describe('API Gateway v2 (HTTP APIs)', () => {
  it('pages GetApis with nextToken and answers in the wire shape', async () => {
    const { items, pages } = await all('/v2/apis', 'items', 'nextToken');
    expect(pages).toBe(2);
    expect(items[0]).toMatchObject({ apiId: 'a1b2c3d4e5', name: 'dev-sqsflare-demo', protocolType: 'HTTP', apiEndpoint: 'https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com' });
  });

  it('lists stages, Lambda proxy integrations and the routes that target them', async () => {
    expect((await all('/v2/apis/a1b2c3d4e5/stages', 'items', 'nextToken')).items.map((s) => s.stageName)).toEqual(['$default']);
    expect((await all('/v2/apis/f6g7h8i9j0/stages', 'items', 'nextToken')).items.map((s) => s.stageName)).toEqual(['dev', 'prod']);
    const integrations = (await all('/v2/apis/a1b2c3d4e5/integrations', 'items', 'nextToken')).items;
    expect(integrations.map((i) => [i.integrationType, i.integrationUri])).toEqual([
      ['AWS_PROXY', 'arn:aws:lambda:us-east-1:123456789012:function:sqsflare-demo-dev-api'],
      ['AWS_PROXY', 'arn:aws:lambda:us-east-1:123456789012:function:sqsflare-demo-dev-admin'],
    ]);
    const routes = (await all('/v2/apis/a1b2c3d4e5/routes', 'items', 'nextToken')).items;
    expect(routes.map((r) => [r.routeKey, r.target])).toEqual([
      ['GET /time', `integrations/${integrations[0].integrationId}`],
      ['ANY /admin/{proxy+}', `integrations/${integrations[1].integrationId}`],
    ]);
    expect((await apigw.fetch(`${emulator.url}/v2/apis/nope/stages`)).status).toBe(404);
  });
});

describe('API Gateway v1 (REST APIs)', () => {
  it('pages GetRestApis with position; GetStages answers all at once', async () => {
    const { items } = await all('/restapis', 'item', 'position');
    expect(items).toEqual([expect.objectContaining({ id: 'k1l2m3n4o5', name: 'dev-sqsflare-demo', endpointConfiguration: { types: ['REGIONAL'] } })]);
    const stages = (await (await apigw.fetch(`${emulator.url}/restapis/k1l2m3n4o5/stages`)).json()) as any;
    expect(stages.item.map((s: any) => s.stageName)).toEqual(['dev']);
  });

  it('embeds each method and its Lambda integration in the resources with embed=methods', async () => {
    const { items, pages } = await all('/restapis/k1l2m3n4o5/resources?embed=methods', 'item', 'position');
    expect(pages).toBe(items.length);
    expect(items.map((r) => r.path)).toEqual(['/', '/admin', '/admin/{proxy+}', '/hello', '/time']);
    const time = items.find((r) => r.path === '/time');
    expect(time.resourceMethods.GET.methodIntegration).toMatchObject({
      type: 'AWS_PROXY',
      uri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:sqsflare-demo-dev-api/invocations',
    });
    const plain = await all('/restapis/k1l2m3n4o5/resources', 'item', 'position');
    expect(plain.items.find((r) => r.path === '/time').resourceMethods).toEqual({ GET: {} });
  });
});

describe('API Gateway signatures and permissions', () => {
  it('wants a signature scoped to apigateway', async () => {
    const before = emulator.requestsOfKind('apigateway');
    const response = await aws.fetch(`${emulator.url}/v2/apis`);
    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-ErrorType')).toBe('InvalidSignatureException');
    expect(emulator.requestsOfKind('apigateway') - before).toBe(1);
  });

  it('answers 403 AccessDeniedException while permission is withdrawn', async () => {
    emulator.setApiGatewayPermission(false);
    try {
      for (const path of ['/v2/apis', '/restapis', '/restapis/k1l2m3n4o5/stages']) {
        const response = await apigw.fetch(`${emulator.url}${path}`);
        expect(response.status).toBe(403);
        expect(response.headers.get('x-amzn-ErrorType')).toBe('AccessDeniedException');
        expect(((await response.json()) as any).message).toMatch(/is not authorized to perform: apigateway:GET on resource: arn:aws:apigateway:us-east-1::\//);
      }
    } finally {
      emulator.setApiGatewayPermission(true);
    }
    expect((await apigw.fetch(`${emulator.url}/v2/apis`)).status).toBe(200);
  });
});

describe('log tails', () => {
  const report = (response: Response) => Buffer.from(response.headers.get('X-Amz-Log-Result') ?? '', 'base64').toString('utf8').split('\n').find((l) => l.startsWith('REPORT'));

  it('reports Init Duration on the first invocation of a handler only', async () => {
    const tailed = { headers: { 'X-Amz-Log-Type': 'Tail' } };
    const first = report(await invoke(emulator, aws, 'sqsflare-demo-dev-hello', {}, tailed));
    const second = report(await invoke(emulator, aws, 'sqsflare-demo-dev-hello', {}, tailed));
    expect(first).toMatch(/^REPORT RequestId: \S+\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB\tMax Memory Used: \d+ MB\tInit Duration: 321\.50 ms\t$/);
    expect(second).toMatch(/Memory Size: 256 MB/);
    expect(second).not.toMatch(/Init Duration/);
    expect((await invoke(emulator, aws, 'sqsflare-demo-dev-hello', {})).headers.get('X-Amz-Log-Result')).toBeNull();
  });

  it('starts n environments for n invocations at once, and hands the client context to the handler', async () => {
    const context = Buffer.from('{"custom":{"source":"serverless-plugin-warmup"}}').toString('base64');
    const init = { headers: { 'X-Amz-Log-Type': 'Tail', 'X-Amz-Client-Context': context } };
    const burst = await Promise.all([1, 2, 3].map(() => invoke(emulator, aws, 'sqsflare-demo-dev-api', { source: 'serverless-plugin-warmup' }, init)));
    expect(burst.map(report).filter((line) => line?.includes('Init Duration'))).toHaveLength(3);
    expect(((await burst[0].json()) as any).clientContext).toEqual({ custom: { source: 'serverless-plugin-warmup' } });
    const again = await Promise.all([1, 2].map(() => invoke(emulator, aws, 'sqsflare-demo-dev-api', {}, init)));
    expect(again.map(report).filter((line) => line?.includes('Init Duration'))).toHaveLength(0);
  });
});
