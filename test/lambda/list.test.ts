import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LambdaApiError, listAll, listFunctions, PageBudget } from '../../src/lambda/list';
import { fakeLambdaApi } from '../support/fake-lambda-api';

afterEach(() => vi.restoreAllMocks());

describe('Lambda API list calls', () => {
  it('listAll follows NextMarker with MaxItems=50 and keeps every item', async () => {
    const api = fakeLambdaApi({ pageSize: 3, functions: Array.from({ length: 10 }, (_, i) => ({ FunctionName: `page-fn${i}` })) });
    const fns = await listFunctions(env);
    expect(fns.map((f) => f.FunctionName)).toEqual(Array.from({ length: 10 }, (_, i) => `page-fn${i}`));
    const queries = api.requests.map((r) => new URL(r.url).searchParams);
    expect(queries.map((q) => q.get('Marker'))).toEqual([null, '3', '6', '9']);
    expect(queries.every((q) => q.get('MaxItems') === '50')).toBe(true);
  });

  it('stops at the page budget instead of running past the subrequest limit', async () => {
    const api = fakeLambdaApi({ pageSize: 1, functions: Array.from({ length: 10 }, (_, i) => ({ FunctionName: `many-fn${i}` })) });
    const error = await listAll(env, '/2015-03-31/functions/', 'Functions', { budget: new PageBudget(4) }).catch((e) => e);
    expect(error).toBeInstanceOf(LambdaApiError);
    expect(error.code).toBe('PageBudgetExceeded');
    expect(api.requests).toHaveLength(4);
  });

  it('LambdaApiError takes the code from x-amzn-ErrorType, else from the body', async () => {
    const realFetch = globalThis.fetch;
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const request = new Request(input as RequestInfo, init);
      if (!request.url.startsWith('http://lambda.test/')) return realFetch(request);
      return Response.json({ __type: 'com.amazon.coral.service#UnrecognizedClientException', message: 'bad token' }, { status: 403 });
    });
    const error = await listFunctions(env).catch((e) => e);
    expect(error).toMatchObject({ status: 403, code: 'UnrecognizedClientException', message: 'UnrecognizedClientException (HTTP 403): bad token' });
  });
});
