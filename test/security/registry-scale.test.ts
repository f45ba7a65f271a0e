/**
 * Issue 11, point 6: a large account (600 functions, 300 SQS mappings) is synced over several runs, each within its
 * subrequest budget, with the API's page sizes, and the dashboard shows how far the sync got. In a file of its own:
 * its 300 queues would crowd the dashboard of the other registry tests.
 */
import { env, SELF } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SUBREQUESTS_PER_REGISTRY_RUN } from '../../src/shared/platform';
import { REGISTRY_NAME } from '../../src/shared/rpc';
import { esm, fakeLambdaApi } from '../support/fake-lambda-api';
import { ORIGIN } from '../support/sqs';

const registry = () => env.REGISTRY.getByName(REGISTRY_NAME);
const queue = (name: string) => env.QUEUE.getByName(name);
const adminAuth = { authorization: `Basic ${btoa('admin:test-admin')}` };

afterEach(() => vi.restoreAllMocks());

describe('6. registry data fits its limits', () => {
  it('syncs 600 functions and 300 mappings over several runs, each within its subrequest budget, and shows how far it got', async () => {
    const functions = Array.from({ length: 600 }, (_, i) => ({ FunctionName: `big-prod-fn${String(i).padStart(3, '0')}`, Description: 'd'.repeat(256), Timeout: 60 }));
    const queues = Array.from({ length: 300 }, (_, i) => `big-${i}-${Date.now().toString(36)}`);
    const api = fakeLambdaApi({ functions, mappings: queues.map((q, i) => esm(q, functions[i].FunctionName)) });
    const runs: { subrequests: number; applied: number }[] = [];
    for (let run = 0; run < 40; run++) {
      api.requests.length = 0;
      const result = await registry().sync(Date.now() + run * 1000);
      if (!result.ok) throw new Error(result.error);
      // Fake Lambda calls plus queue-object calls, never past the run's budget.
      expect(result.subrequests).toBeLessThanOrEqual(SUBREQUESTS_PER_REGISTRY_RUN);
      expect(api.requests.length).toBeLessThanOrEqual(result.subrequests);
      runs.push({ subrequests: result.subrequests, applied: result.progress.mappingsApplied });
      if (result.progress.mappingsApplied === 300 && result.progress.urlConfigsChecked === 600) break;
    }
    const paths = api.requests.map((r) => new URL(r.url));
    // Page sizes as the API allows: 50 functions, 100 mappings a page.
    expect(paths.filter((u) => u.pathname === '/2015-03-31/event-source-mappings/').map((u) => u.searchParams.get('MaxItems'))).toEqual(['100', '100', '100']);
    expect(paths.find((u) => u.pathname === '/2015-03-31/functions/')?.searchParams.get('MaxItems')).toBe('50');
    expect(runs.at(-1)?.applied).toBe(300);
    expect(runs.length).toBeGreaterThan(1);
    expect(await queue(queues[299]).getMapping()).toMatchObject({ functionTimeoutSeconds: 60 });
    // Mapped queues are created with 6 × the function's timeout.
    expect((await queue(queues[0]).getAttributes(['VisibilityTimeout'])).VisibilityTimeout).toBe('360');
    const state = await registry().registryState();
    expect(state.functions).toHaveLength(600);
    expect(state.sync.progress).toMatchObject({ functionsListed: 600, functionsComplete: true, mappings: 300, mappingsApplied: 300 });
    const overview = await (await SELF.fetch(`${ORIGIN}/admin`, { headers: adminAuth })).text();
    expect(overview).toContain('mappings applied: 300 of 300');
  }, 120_000);
});
