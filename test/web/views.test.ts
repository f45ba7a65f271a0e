import { describe, expect, it } from 'vitest';
import type { RegistryState } from '../../src/registry/stores';
import { indexJson } from '../../src/web/index-model';
import { formatBytes, formatTime, functionNameOf, functionView, groupByService, serviceOf } from '../../src/web/views';

type StoredFunction = RegistryState['functions'][number];

const stored = (name: string, extra: Partial<StoredFunction> = {}): StoredFunction => ({
  name,
  arn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
  description: '',
  runtime: 'nodejs20.x',
  lastModified: '2026-11-01T10:00:00.000+0000',
  timeout: 3,
  memorySize: 128,
  url: null,
  authType: null,
  urlCheckedAt: null,
  warm: { enabled: true, instances: 1, explicit: false },
  pings: [],
  lastPing: null,
  ...extra,
});

describe('views', () => {
  it('groups Serverless Framework names by service, any other name as a service of its own', () => {
    expect(serviceOf('my-app-prod-handler')).toBe('my-app-prod');
    expect(serviceOf('api-dev-get-user')).toBe('api-dev');
    expect(serviceOf('standalone')).toBe('standalone');
    const groups = groupByService(['zeta-dev-b', 'solo', 'alpha-prod-x', 'zeta-dev-a'].map((name) => functionView(stored(name))));
    expect(groups.map((g) => [g.service, g.functions.map((f) => f.name)])).toEqual([
      ['alpha-prod', ['alpha-prod-x']],
      ['solo', ['solo']],
      ['zeta-dev', ['zeta-dev-a', 'zeta-dev-b']],
    ]);
  });

  it('shows a function with its warming, its last ping, and which pings reached it', () => {
    const pings = [
      { at: 1, status: 200, latencyMs: 40, coldStartLikely: false },
      { at: 2, status: 502, latencyMs: 90, error: 'HTTP 502', coldStartLikely: false },
      { at: 3, status: null, latencyMs: null, error: 'timed out after 5000 ms', coldStartLikely: false },
      { at: 4, status: 403, latencyMs: 30, error: 'HTTP 403 (check AuthType / signing)', coldStartLikely: false },
    ];
    const view = functionView(stored('web-dev-api', { url: 'https://urls.test/a/', authType: 'NONE', warm: { enabled: true, instances: 3, explicit: false }, pings }));
    expect(view).toMatchObject({ url: 'https://urls.test/a/', authType: 'NONE', warming: '3 instances', lastPing: pings[3] });
    expect(view.pings).toEqual([
      { at: 1, latencyMs: 40, ok: true },
      { at: 2, latencyMs: 90, ok: false },
      { at: 3, latencyMs: null, ok: false },
      { at: 4, latencyMs: 30, ok: false },
    ]);
    expect(functionView(stored('x', { url: 'https://urls.test/x/', warm: { enabled: true, instances: 1, explicit: false } })).warming).toBe('1 instance');
    expect(functionView(stored('x', { warm: { enabled: false, instances: 0, explicit: false } }))).toMatchObject({ warming: 'off', url: undefined, lastPing: undefined });
  });

  it('writes /index.json with ISO times and nulls for what is missing', () => {
    const entry = (name: string, extra = {}) => ({ name, url: null, authType: null, description: '', runtime: 'nodejs20.x', lastModified: '', warming: null, lastPing: null, ...extra });
    const fn = entry('shop-prod-api', { url: 'https://urls.test/s/', lastPing: { at: Date.UTC(2026, 0, 2), status: 200, latencyMs: 12, coldStartLikely: false } });
    expect(indexJson({ functions: [fn, entry('shop-prod-worker')], apis: [], lastSyncAt: Date.UTC(2026, 0, 1) })).toEqual({
      lastSyncAt: '2026-01-01T00:00:00.000Z',
      services: [
        {
          service: 'shop-prod',
          entryPoints: [{ kind: 'function-url', name: 'shop-prod-api', urls: [{ stage: null, url: 'https://urls.test/s/' }], functions: ['shop-prod-api'] }],
          functions: [
            expect.objectContaining({ name: 'shop-prod-api', url: 'https://urls.test/s/', authType: null, lastPing: { at: '2026-01-02T00:00:00.000Z', status: 200, latencyMs: 12, error: null } }),
            expect.objectContaining({ name: 'shop-prod-worker', url: null, lastPing: null }),
          ],
        },
      ],
    });
    expect(indexJson({ functions: [], apis: [], lastSyncAt: null })).toEqual({ lastSyncAt: null, services: [] });
  });

  it('formats names, times and sizes', () => {
    expect(functionNameOf('arn:aws:lambda:us-east-1:123456789012:function:worker:live')).toBe('worker');
    expect(functionNameOf(null)).toBeNull();
    expect(formatTime(Date.UTC(2026, 0, 2, 3, 4, 5, 678))).toBe('2026-01-02 03:04:05 UTC');
    expect(formatTime(null)).toBe('—');
    expect([formatBytes(512), formatBytes(1536), formatBytes(3 * 1024 * 1024)]).toEqual(['512 B', '1.5 KiB', '3.0 MiB']);
  });
});
