import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runScheduled } from '../../src/registry/scheduled';
import { REGISTRY_NAME } from '../../src/shared/rpc';
import { fakeLambdaApi } from '../support/fake-lambda-api';

const registry = () => env.REGISTRY.getByName(REGISTRY_NAME);

afterEach(() => vi.restoreAllMocks());

describe('cron', () => {
  it('runCron warms on the last good state when the sync fails, and runScheduled runs it', async () => {
    const api = fakeLambdaApi({ functions: [{ FunctionName: 'cron-dev-api', url: { AuthType: 'NONE' } }, { FunctionName: 'cron-dev-busy', Description: '[sqsflare:warm=2]', url: { AuthType: 'NONE' } }] });
    const good = await registry().runCron();
    expect(good.sync.ok).toBe(true);
    expect(good.pings).toHaveLength(3);

    api.failure = 500;
    api.requests.length = 0;
    const bad = await registry().runCron();
    expect(bad.sync).toMatchObject({ ok: false, error: expect.stringMatching(/ServiceException/) });
    expect(bad.pings.map((p) => p.functionName).sort()).toEqual(['cron-dev-api', 'cron-dev-busy', 'cron-dev-busy']);
    expect(bad.pings.every((p) => p.status === 200)).toBe(true);

    api.requests.length = 0;
    await runScheduled(env);
    expect(api.requests.filter((r) => r.url.startsWith('https://urls.test/'))).toHaveLength(3);
    const state = await registry().registryState();
    expect(state.sync.lastError).toMatch(/ServiceException/);
    const busy = state.functions.find((f) => f.name === 'cron-dev-busy');
    expect(busy?.pings).toHaveLength(6);
    expect(busy?.lastPing).toMatchObject({ status: 200 });
  });
});
