/**
 * API Gateway in the registry: each sync scans HTTP APIs (v2) and REST APIs (v1) with what its subrequest budget has
 * left (src/lambda/api-gateway/scan.ts), resuming across runs at the scan's `next`. One small row per API (the `apis`
 * table: its stages' URLs and the functions behind it, nothing else), written only when it changed; APIs gone from
 * the account are forgotten only when their listing was read to its end. A missing `apigateway:GET` permission is a
 * note on the dashboard, never a failed sync (https://docs.aws.amazon.com/apigateway/latest/developerguide/permissions.html).
 */
import { PageBudget } from '../lambda/list';
import { apiKey, type GatewayApi, type GatewayProblem, scanApiGateway } from '../lambda/api-gateway';
import type { SqlCounters } from '../shared/sql';
import type { SyncRun } from './sync-run';

/** Routes kept per API for the pages (a REST API may have hundreds of resources; the page needs the functions). */
export const ROUTES_KEPT = 20;
/** Least calls worth starting a scan with: the two listings and one API's stages and integrations. */
export const MIN_SCAN_CALLS = 4;

export class ApiStore {
  constructor(private readonly sql: SqlCounters) {
    sql.exec('CREATE TABLE IF NOT EXISTS apis (key TEXT PRIMARY KEY, record TEXT NOT NULL)');
  }

  /** key (`http:id`, `rest:id`) → API; one row read per API. */
  all(): Map<string, GatewayApi> {
    return new Map(this.sql.all('SELECT key, record FROM apis ORDER BY key').map((r) => [r.key as string, JSON.parse(r.record as string) as GatewayApi]));
  }

  /** Writes the API unless the stored one is the same; true when it wrote. */
  put(api: GatewayApi, stored: GatewayApi | undefined): boolean {
    const json = JSON.stringify(api);
    if (stored && JSON.stringify(stored) === json) return false;
    this.sql.exec('INSERT INTO apis (key, record) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET record = excluded.record', apiKey(api), json);
    return true;
  }

  remove(key: string): void {
    this.sql.exec('DELETE FROM apis WHERE key = ?', key);
  }
}

/** What the dashboard shows of the last scan. */
export interface GatewayScanState {
  /** where the next run resumes (`kind:id`), null when the last scan described every listed API */
  next: string | null;
  /** APIs known */
  apis: number;
  /** what kept the scan from seeing everything, as sentences: missing permissions above all */
  notes: string[];
}

export const EMPTY_GATEWAY_SCAN: GatewayScanState = { next: null, apis: 0, notes: [] };

/** Scans with at most `calls` of the run's budget (charged to it), stores what changed, and returns the scan's state. */
export async function syncApiGateway(run: SyncRun, calls: number): Promise<GatewayScanState> {
  const previous = run.state.apiGateway ?? EMPTY_GATEWAY_SCAN;
  if (calls < MIN_SCAN_CALLS) return previous;
  const budget = new PageBudget(calls);
  const scan = await scanApiGateway(run.env, { budget, startAt: previous.next ?? undefined });
  run.budget.used += budget.used;
  const stored = run.stores.apis.all();
  for (const api of scan.apis) {
    const compact = { ...api, routes: api.routes.slice(0, ROUTES_KEPT) };
    run.stores.apis.put(compact, stored.get(apiKey(api)));
    stored.set(apiKey(api), compact);
  }
  const listed = new Set(scan.listed.map(apiKey));
  for (const [key, api] of stored) {
    if (listed.has(key) || !scan.listingComplete[api.kind]) continue;
    run.stores.apis.remove(key);
    stored.delete(key);
  }
  const notes = scan.problems.filter((p) => p.kind !== 'budget-exhausted').map(noteOf);
  return { next: scan.next ?? null, apis: stored.size, notes: [...new Set(notes)].slice(0, 5) };
}

function noteOf(problem: GatewayProblem): string {
  if (problem.kind === 'missing-permission') return `API Gateway: no permission to read ${problem.path} (the IAM policy needs apigateway:GET, see the README's IAM policy)`;
  if (problem.kind === 'failed') return `API Gateway: ${problem.path} failed: ${problem.code}${problem.status ? ` (HTTP ${problem.status})` : ''}`;
  return `API Gateway: ${problem.path} left for the next sync (subrequest budget)`;
}
