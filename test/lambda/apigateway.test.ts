import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { functionOfIntegration, scanApiGateway, stageUrl } from '../../src/lambda/api-gateway';
import { PageBudget } from '../../src/lambda/list';
import { fakeApiGateway, httpApiOf, restApiOf } from '../support/fake-api-gateway';

afterEach(() => vi.restoreAllMocks());

const home = { region: 'us-east-1', accountId: '123456789012' };
const SIGNED_FOR_APIGATEWAY = /^AWS4-HMAC-SHA256 Credential=lambda-key\/\d{8}\/us-east-1\/apigateway\/aws4_request, /;

describe('functionOfIntegration', () => {
  it('reads the function from a bare ARN (HTTP APIs) and from the invocation URI (REST APIs), dropping a qualifier', () => {
    expect(functionOfIntegration('AWS_PROXY', 'arn:aws:lambda:us-east-1:123456789012:function:orders-dev-api', home)).toBe('orders-dev-api');
    const uri = 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:orders-dev-api:live/invocations';
    expect(functionOfIntegration('AWS', uri, home)).toBe('orders-dev-api');
  });

  it('keeps the ARN of a function in another account or region, and ignores other integrations', () => {
    expect(functionOfIntegration('AWS_PROXY', 'arn:aws:lambda:eu-west-1:123456789012:function:x', home)).toBe('arn:aws:lambda:eu-west-1:123456789012:function:x');
    expect(functionOfIntegration('HTTP_PROXY', 'https://example.com/{proxy}', home)).toBeUndefined();
    expect(functionOfIntegration('AWS', 'arn:aws:apigateway:us-east-1:sqs:path/123456789012/orders', home)).toBeUndefined();
    // biome-ignore lint/suspicious/noTemplateCurlyInString: API Gateway's own stage-variable syntax, not a template
    expect(functionOfIntegration('AWS_PROXY', 'arn:aws:lambda:us-east-1:123456789012:function:${stageVariables.fn}', home)).toBeUndefined();
  });

  it('puts the $default stage at the base URL and any other stage under its name', () => {
    expect(stageUrl('https://abc.execute-api.us-east-1.amazonaws.com', '$default')).toBe('https://abc.execute-api.us-east-1.amazonaws.com/');
    expect(stageUrl('https://abc.execute-api.us-east-1.amazonaws.com', 'prod')).toBe('https://abc.execute-api.us-east-1.amazonaws.com/prod');
  });
});

describe('scanApiGateway', () => {
  it('follows nextToken and position across pages and builds the model, signed for apigateway', async () => {
    const fake = fakeApiGateway({
      pageSize: 1,
      httpApis: [httpApiOf('h1', ['orders-dev-api', 'orders-dev-admin']), httpApiOf('h2', ['hooks'], ['dev', 'prod'])],
      restApis: [restApiOf('r1', ['orders-dev-api', 'legacy'])],
    });
    const scan = await scanApiGateway(env, { budget: new PageBudget(40), withRoutes: true });
    expect(scan.problems).toEqual([]);
    expect(scan.next).toBeUndefined();
    expect(scan.listingComplete).toEqual({ http: true, rest: true });
    expect(scan.listed.map((ref) => `${ref.kind}:${ref.id}`)).toEqual(['http:h1', 'http:h2', 'rest:r1']);
    expect(scan.apis[0]).toEqual({
      id: 'h1',
      name: 'api-h1',
      kind: 'http',
      stages: [{ name: '$default', url: 'https://h1.execute-api.us-east-1.amazonaws.com/' }],
      functions: ['orders-dev-admin', 'orders-dev-api'],
      routes: [
        { route: 'GET /orders-dev-admin', functionName: 'orders-dev-admin' },
        { route: 'GET /orders-dev-api', functionName: 'orders-dev-api' },
      ],
    });
    expect(scan.apis[1].stages.map((s) => s.url)).toEqual(['https://h2.execute-api.us-east-1.amazonaws.com/dev', 'https://h2.execute-api.us-east-1.amazonaws.com/prod']);
    expect(scan.apis[2]).toMatchObject({ kind: 'rest', stages: [{ name: 'dev', url: 'https://r1.execute-api.us-east-1.amazonaws.com/dev' }], functions: ['legacy', 'orders-dev-api'] });
    const tokens = fake.requests.filter((r) => r.path === '/v2/apis').map((r) => r.query.get('nextToken'));
    expect(tokens).toEqual([null, '1']);
    const positions = fake.requests.filter((r) => r.path === '/restapis/r1/resources').map((r) => r.query.get('position'));
    expect(positions).toEqual([null, '1', '2']);
    expect(fake.requests.every((r) => SIGNED_FOR_APIGATEWAY.test(r.authorization ?? '') && r.accept === 'application/json')).toBe(true);
  });

  it('stops cleanly when the budget runs out and resumes where it stopped', async () => {
    const apis = ['a1', 'a2', 'a3', 'a4'].map((id) => httpApiOf(id, [`fn-${id}`]));
    const fake = fakeApiGateway({ httpApis: apis });
    // 2 listing calls + 2 per HTTP API: 6 calls describe two APIs.
    const first = await scanApiGateway(env, { budget: new PageBudget(6) });
    expect(first.apis.map((api) => api.id)).toEqual(['a1', 'a2']);
    expect(first.next).toBe('http:a3');
    expect(first.problems).toEqual([{ kind: 'budget-exhausted', path: '/v2/apis/a3' }]);
    expect(fake.requests).toHaveLength(6);
    const second = await scanApiGateway(env, { budget: new PageBudget(6), startAt: first.next });
    expect(second.apis.map((api) => api.id)).toEqual(['a3', 'a4']);
    expect(second.next).toBe('http:a1');
  });

  it('reports a budget too small for the listings as a problem, not an exception', async () => {
    const fake = fakeApiGateway({ httpApis: [httpApiOf('a1', ['f'])] });
    const scan = await scanApiGateway(env, { budget: new PageBudget(1) });
    expect(scan.listingComplete).toEqual({ http: true, rest: false });
    expect(scan.problems).toEqual([
      { kind: 'budget-exhausted', path: '/restapis?limit=500' },
      { kind: 'budget-exhausted', path: '/v2/apis/a1' },
    ]);
    expect(fake.requests).toHaveLength(1);
  });

  it('turns 403 AccessDeniedException into missing-permission and goes on with what it may read', async () => {
    fakeApiGateway({ httpApis: [httpApiOf('h1', ['f1'])], restApis: [restApiOf('r1', ['f2'])], denied: ['/restapis'] });
    const scan = await scanApiGateway(env, { budget: new PageBudget(20) });
    expect(scan.apis.map((api) => api.id)).toEqual(['h1']);
    expect(scan.listingComplete).toEqual({ http: true, rest: false });
    expect(scan.problems).toEqual([{ kind: 'missing-permission', path: '/restapis?limit=500', message: expect.stringMatching(/not authorized to perform: apigateway:GET/) }]);
  });

  it('notes a denied per-API call and describes the other APIs', async () => {
    fakeApiGateway({ httpApis: [httpApiOf('h1', ['f1']), httpApiOf('h2', ['f2'])], denied: ['/v2/apis/h1/'] });
    const scan = await scanApiGateway(env, { budget: new PageBudget(20) });
    expect(scan.apis.map((api) => api.id)).toEqual(['h2']);
    expect(scan.problems.map((p) => p.kind)).toEqual(['missing-permission']);
  });

  it('leaves WebSocket APIs out and reports other failures with their code', async () => {
    const ws = httpApiOf('w1', ['f']);
    ws.api.protocolType = 'WEBSOCKET';
    fakeApiGateway({ httpApis: [ws], restApis: [restApiOf('r1', ['f1']), restApiOf('r2', ['f2'])] });
    const spy = vi.mocked(globalThis.fetch);
    const fake = spy.getMockImplementation()!;
    spy.mockImplementation(async (input, init) => {
      if (new Request(input as RequestInfo, init).url.includes('/restapis/r1/stages')) {
        return Response.json({ message: 'Internal server error' }, { status: 500, headers: { 'x-amzn-ErrorType': 'ServiceException' } });
      }
      return fake(input, init);
    });
    const scan = await scanApiGateway(env, { budget: new PageBudget(20) });
    expect(scan.listed.map((ref) => ref.id)).toEqual(['r1', 'r2']);
    expect(scan.apis.map((api) => api.id)).toEqual(['r2']);
    expect(scan.problems).toEqual([{ kind: 'failed', path: '/restapis/r1/stages', status: 500, code: 'ServiceException', message: 'Internal server error' }]);
  });
});
