/**
 * The index's model: per service, its HTTP entry points (function URLs, HTTP API stages, REST API stages) and the
 * functions behind each, built from the IndexView the registry keeps in memory (no SQLite read per request).
 */
import type { IndexApi, IndexFunction, IndexView } from '../registry/index-view';
import type { PingView } from '../registry/pings';
import { serviceOf } from './views';

export interface EntryPoint {
  kind: 'function-url' | 'http-api' | 'rest-api';
  /** the function's name for a URL, the API's name for an API */
  name: string;
  /** one per stage (a function URL has none) */
  urls: { stage: string | null; url: string }[];
  /** the functions it reaches */
  functions: string[];
  /** AWS_IAM: callers must sign; PRIVATE REST APIs answer only inside a VPC */
  note?: string;
}

export interface IndexService {
  service: string;
  entryPoints: EntryPoint[];
  functions: IndexFunction[];
}

const KIND_ORDER = { 'function-url': 2, 'http-api': 0, 'rest-api': 1 } as const;

/** An API belongs to the service most of its functions belong to; an API reaching none is grouped by its own name. */
export function serviceOfApi(api: Pick<IndexApi, 'name' | 'functions'>): string {
  const counts = new Map<string, number>();
  for (const fn of api.functions) counts.set(serviceOf(fn), (counts.get(serviceOf(fn)) ?? 0) + 1);
  const ranked = [...counts.entries()].sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  return ranked[0]?.[0] ?? api.name;
}

const apiEntry = (api: IndexApi): EntryPoint => ({
  kind: api.kind === 'http' ? 'http-api' : 'rest-api',
  name: api.name,
  urls: api.stages.map((s) => ({ stage: s.name, url: s.url })),
  functions: api.functions,
  ...(api.private ? { note: 'private: reachable only from a VPC endpoint' } : {}),
});

const urlEntry = (fn: IndexFunction): EntryPoint => ({
  kind: 'function-url',
  name: fn.name,
  urls: [{ stage: null, url: fn.url as string }],
  functions: [fn.name],
  ...(fn.authType === 'AWS_IAM' ? { note: 'AWS_IAM: requests must be signed' } : {}),
});

export function indexServices(view: Pick<IndexView, 'functions' | 'apis'>): IndexService[] {
  const services = new Map<string, IndexService>();
  const of = (name: string) => {
    let service = services.get(name);
    if (!service) services.set(name, (service = { service: name, entryPoints: [], functions: [] }));
    return service;
  };
  for (const fn of [...view.functions].sort((a, b) => a.name.localeCompare(b.name))) {
    const service = of(serviceOf(fn.name));
    service.functions.push(fn);
    if (fn.url) service.entryPoints.push(urlEntry(fn));
  }
  for (const api of view.apis) of(serviceOfApi(api)).entryPoints.push(apiEntry(api));
  for (const service of services.values()) service.entryPoints.sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.name.localeCompare(b.name));
  return [...services.values()].sort((a, b) => a.service.localeCompare(b.service));
}

const pingJson = (p: PingView | null) =>
  p ? { at: new Date(p.at).toISOString(), status: p.status, latencyMs: p.latencyMs, error: p.error ?? null, ...(p.via ? { coldStart: p.coldStartLikely, initDurationMs: p.initDurationMs ?? null } : {}) } : null;

/** GET /index.json: the same as the page, per service (only what the index page shows). */
export function indexJson(view: IndexView) {
  return {
    lastSyncAt: view.lastSyncAt ? new Date(view.lastSyncAt).toISOString() : null,
    services: indexServices(view).map((s) => ({
      service: s.service,
      entryPoints: s.entryPoints,
      functions: s.functions.map((f) => ({
        name: f.name,
        url: f.url ?? null,
        authType: f.authType ?? null,
        description: f.description,
        runtime: f.runtime,
        lastModified: f.lastModified,
        warming: f.warming,
        lastPing: pingJson(f.lastPing),
      })),
    })),
  };
}
