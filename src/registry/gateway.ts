/**
 * API Gateway in the registry: each sync scans HTTP APIs (v2) and REST APIs (v1) with what its subrequest budget has
 * left (src/lambda/api-gateway/scan.ts), resuming across runs at the scan's `next`. One small row per API (the `apis`
 * table: its stages' URLs and the functions behind it, nothing else), written only when it changed; APIs gone from
 * the account are forgotten only when their listing was read to its end. A missing `apigateway:GET` permission is a
 * note on the dashboard, never a failed sync (https://docs.aws.amazon.com/apigateway/latest/developerguide/permissions.html).
 */
import { PageBudget } from '../lambda/list';
import { apiKey, type GatewayProblem, scanApiGateway } from '../lambda/api-gateway';
import type { SyncRun } from './sync-run';
import { EMPTY_GATEWAY_SCAN, type GatewayScanState } from './sync-state';

/** Routes kept per API for the pages (a REST API may have hundreds of resources; the page needs the functions). */
export const ROUTES_KEPT = 20;
/** Least calls worth starting a scan with: the two listings and one API's stages and integrations. */
export const MIN_SCAN_CALLS = 4;

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
