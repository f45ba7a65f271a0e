/** The registry's side of asynchronous delivery (issue 13): what it reads from ListFunctions into each queue's mapping. */
import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { REGISTRY_NAME } from '../../src/shared/rpc';
import { esm, fakeLambdaApi } from '../support/fake-lambda-api';
import { uniqueName } from '../support/sqs';

const registry = () => env.REGISTRY.getByName(REGISTRY_NAME);
const queue = (name: string) => env.QUEUE.getByName(name);

afterEach(() => vi.restoreAllMocks());

describe('registry: invocation mode of a mapping', () => {
  it('[sqsflare:async] or a Timeout ≥ 14 min makes a mapping asynchronous; a change to either is pushed again', async () => {
    const [tagged, long, plain] = [uniqueName('tag'), uniqueName('long'), uniqueName('plain')];
    const api = fakeLambdaApi({
      functions: [
        { FunctionName: 'svc-dev-tagged', Description: 'Exports [sqsflare:async]', Timeout: 60 },
        { FunctionName: 'svc-dev-long', Description: 'Crawls', Timeout: 900 },
        { FunctionName: 'svc-dev-plain', Description: 'Says hello', Timeout: 30 },
      ],
      mappings: [esm(tagged, 'svc-dev-tagged'), esm(long, 'svc-dev-long'), esm(plain, 'svc-dev-plain')],
    });
    expect(await registry().sync()).toMatchObject({ ok: true });
    expect(await queue(tagged).getMapping()).toMatchObject({ invocationMode: 'async', asyncReason: 'tag', functionTimeoutSeconds: 60 });
    expect(await queue(long).getMapping()).toMatchObject({ invocationMode: 'async', asyncReason: 'timeout', functionTimeoutSeconds: 900 });
    const plainMapping = await queue(plain).getMapping();
    expect(plainMapping?.invocationMode).toBeUndefined();
    // Every mapping carries its function's Timeout (issue 10, point 2): a synchronous one waits that long.
    expect(plainMapping?.functionTimeoutSeconds).toBe(30);

    // The tag removed from a Description: the mapping is pushed again, synchronous.
    api.functions[0].Description = 'Exports';
    const again = await registry().sync();
    expect(again).toMatchObject({ ok: true, queuesUpdated: [tagged] });
    expect((await queue(tagged).getMapping())?.invocationMode).toBeUndefined();
  });
});
