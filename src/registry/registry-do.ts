/**
 * The singleton registry ("registry"): the queue catalog, and (from the cron or "Sync now") the functions, SQS event
 * source mappings and function URLs learnt from the Lambda API, plus the warming pings' history.
 */
import { DurableObject } from 'cloudflare:workers';
import { type AwsEventSourceMapping, mappingFromAws } from '../delivery/mapping';
import type { Env } from '../env';
import { type AwsFunction, LambdaApiError, listEventSourceMappings, listFunctions, listFunctionUrlConfigs, PageBudget } from '../lambda/list';
import { SqlCounters } from '../shared/sql';
import { SUBREQUESTS_PER_REGISTRY_RUN } from '../shared/platform';
import { Catalog, CATALOG_SCHEMA } from './catalog';
import { type FunctionRecord, functionRecord, sqsMappingsOf, webUrlOrNull } from './sync';
import { MAX_PINGS_PER_RUN, type PingResult, type PingTarget, warmFunctionUrls } from './warming';
import { queueObject, rpcSafe } from '../shared/rpc';

export { REGISTRY_NAME } from './catalog';

const REGISTRY_SCHEMA = `
CREATE TABLE IF NOT EXISTS functions (name TEXT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS mappings (queue TEXT PRIMARY KEY, esm TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pings (id INTEGER PRIMARY KEY, function TEXT NOT NULL, at INTEGER NOT NULL, status INTEGER, latency_ms INTEGER, error TEXT, cold INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS pings_by_function ON pings (function, id);
CREATE TABLE IF NOT EXISTS sync_state (id INTEGER PRIMARY KEY CHECK (id = 1), state TEXT NOT NULL);
`;

export const SUBREQUESTS_PER_RUN = SUBREQUESTS_PER_REGISTRY_RUN;
/** What runCron leaves to the sync at least, however many pings are wanted: two list pages and a few updates. */
export const MIN_SYNC_SUBREQUESTS = 12;
export const PINGS_KEPT_PER_FUNCTION = 50;

export interface SyncState {
  lastAttemptAt: number | null;
  lastSuccessAt: number | null;
  lastError: string | null;
  lastWarmAt: number | null;
  /** the last good answers of the list calls, for inspection on the dashboard */
  raw: { functions: AwsFunction[]; eventSourceMappings: AwsEventSourceMapping[] };
}

export type SyncResult =
  | {
      ok: true;
      functions: number;
      /** SQS mappings of our account, by queue */
      mappings: number;
      queuesCreated: string[];
      /** queues whose mapping was pushed (new or changed) */
      queuesUpdated: string[];
      mappingsRemoved: string[];
      /** queue updates left for the next sync, over the subrequest budget */
      pending: string[];
      /** functions whose URL config was not refreshed this time, over the subrequest budget */
      urlConfigsSkipped: number;
      subrequests: number;
      warnings: string[];
    }
  | { ok: false; error: string };

export interface PingView {
  at: number;
  status: number | null;
  latencyMs: number | null;
  error?: string;
  coldStartLikely: boolean;
}

export interface RegistryState {
  sync: SyncState;
  /** pings: the last PINGS_KEPT_PER_FUNCTION, oldest first */
  functions: (FunctionRecord & { pings: PingView[]; lastPing: PingView | null })[];
  mappings: { queue: string; esm: AwsEventSourceMapping }[];
}

const EMPTY_STATE: SyncState = { lastAttemptAt: null, lastSuccessAt: null, lastError: null, lastWarmAt: null, raw: { functions: [], eventSourceMappings: [] } };

export class RegistryDO extends DurableObject<Env> {
  readonly sql: SqlCounters;
  readonly catalog: Catalog;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = new SqlCounters(ctx.storage.sql);
    this.sql.exec(CATALOG_SCHEMA);
    this.sql.exec(REGISTRY_SCHEMA);
    this.catalog = new Catalog(this.sql);
  }

  // ---- queue catalog ------------------------------------------------------------------------------

  async upsertQueue(name: string, createdAt: number, deadLetterQueue: string | null): Promise<void> {
    this.catalog.upsert(name, createdAt, deadLetterQueue);
  }

  async removeQueue(name: string): Promise<void> {
    this.catalog.remove(name);
  }

  async listQueues(prefix: string, limit: number, after?: string): Promise<string[]> {
    return this.catalog.list(prefix, limit, after);
  }

  async deadLetterSources(dlq: string, limit: number, after?: string): Promise<string[]> {
    return this.catalog.deadLetterSources(dlq, limit, after);
  }

  async queues() {
    return this.catalog.all();
  }

  // ---- sync from the Lambda API ---------------------------------------------------------------------

  /**
   * Reads functions and event source mappings (every page), pushes changed mappings to their queues (creating mapped
   * queues that are missing), then refreshes URL configs stalest first with what is left of the budget. A failed list
   * call changes nothing but the recorded error: the last good state stays.
   */
  async sync(now = Date.now()): Promise<SyncResult> {
    return this.syncWithin(now, new PageBudget(SUBREQUESTS_PER_RUN));
  }

  private async syncWithin(now: number, budget: PageBudget): Promise<SyncResult> {
    const state = this.syncState();
    state.lastAttemptAt = now;
    let fns: AwsFunction[];
    let esms: AwsEventSourceMapping[];
    try {
      fns = await listFunctions(this.env, { budget });
      esms = await listEventSourceMappings(this.env, { budget });
    } catch (error) {
      state.lastError = describe(error);
      this.saveSyncState(state);
      return { ok: false, error: state.lastError };
    }

    const warnings: string[] = [];
    // Mappings first: they drive delivery, URLs only warming. Each queue update costs up to 2 calls (create + setMapping).
    const wanted = sqsMappingsOf(esms, this.env.AWS_ACCOUNT_ID);
    const stored = new Map(this.sql.all('SELECT queue, esm FROM mappings').map((r) => [r.queue as string, r.esm as string]));
    const queuesCreated: string[] = [];
    const queuesUpdated: string[] = [];
    const mappingsRemoved: string[] = [];
    const pending: string[] = [];
    for (const { queue, esm } of wanted.values()) {
      const json = JSON.stringify(esm);
      // Unchanged and the queue still in the catalog: nothing to push. A mapped queue deleted since is created again.
      if (stored.get(queue) === json && this.sql.one('SELECT 1 AS x FROM queues WHERE name = ?', queue)) continue;
      if (budget.remaining < 2) {
        pending.push(queue);
        continue;
      }
      try {
        const fifo = queue.endsWith('.fifo');
        const stub = queueObject(this.env, queue);
        budget.take();
        // create() is idempotent for an existing queue when no attributes are given, so no exists() call is needed.
        const { created, createdAt } = await stub.create(queue, fifo ? { FifoQueue: 'true' } : {}, {}, now);
        if (created) queuesCreated.push(queue);
        // Upsert keeps a known queue's DLQ; it only adds a queue the catalog lost or never had.
        if (created || !this.sql.one('SELECT 1 AS x FROM queues WHERE name = ?', queue)) this.catalog.upsert(queue, createdAt, null);
        budget.take();
        await stub.setMapping(mappingFromAws(esm, fifo));
        this.sql.exec('INSERT INTO mappings (queue, esm) VALUES (?, ?) ON CONFLICT (queue) DO UPDATE SET esm = excluded.esm', queue, json);
        queuesUpdated.push(queue);
      } catch (error) {
        warnings.push(`queue ${queue}: ${describe(error)}`);
      }
    }
    for (const queue of stored.keys()) {
      if (wanted.has(queue)) continue;
      if (budget.remaining < 1) {
        pending.push(queue);
        continue;
      }
      try {
        budget.take();
        await queueObject(this.env, queue).setMapping(null);
      } catch (error) {
        // A queue deleted since keeps no mapping anyway.
        warnings.push(`queue ${queue}: ${describe(error)}`);
      }
      this.sql.exec('DELETE FROM mappings WHERE queue = ?', queue);
      mappingsRemoved.push(queue);
    }
    if (pending.length) warnings.push(`${pending.length} queue updates left for the next sync (subrequest budget)`);

    // URL configs cost one call per function: refresh as many as the budget allows, least recently checked first.
    const previous = new Map(this.functionRecords().map((f) => [f.name, f]));
    const records = fns.map((fn) => functionRecord(fn, previous.get(fn.FunctionName)));
    const stalestFirst = [...records].sort((a, b) => (a.urlCheckedAt ?? 0) - (b.urlCheckedAt ?? 0));
    let urlConfigsSkipped = 0;
    for (const record of stalestFirst) {
      if (budget.remaining < 1) {
        urlConfigsSkipped++;
        continue;
      }
      try {
        const [config] = await listFunctionUrlConfigs(this.env, record.name, { budget });
        record.url = webUrlOrNull(config?.FunctionUrl);
        record.authType = config?.AuthType ?? null;
        record.urlCheckedAt = now;
      } catch (error) {
        if (error instanceof LambdaApiError && error.status === 404) {
          record.url = null;
          record.urlCheckedAt = now;
        } else warnings.push(`URL config of ${record.name}: ${describe(error)}`);
      }
    }
    if (urlConfigsSkipped) warnings.push(`URL configs of ${urlConfigsSkipped} functions left for the next sync (subrequest budget)`);

    this.sql.exec('DELETE FROM functions');
    for (const record of records) this.sql.exec('INSERT INTO functions (name, record) VALUES (?, ?)', record.name, JSON.stringify(record));
    this.sql.exec('DELETE FROM pings WHERE function NOT IN (SELECT name FROM functions)');
    state.lastSuccessAt = now;
    state.lastError = warnings.length ? warnings.join('; ') : null;
    state.raw = { functions: fns, eventSourceMappings: esms };
    this.saveSyncState(state);
    return {
      ok: true,
      functions: records.length,
      mappings: wanted.size,
      queuesCreated,
      queuesUpdated,
      mappingsRemoved,
      pending,
      urlConfigsSkipped,
      subrequests: budget.used,
      warnings,
    };
  }

  // ---- warming ------------------------------------------------------------------------------------------

  /** Pings every function URL that wants warming (N times for `[sqsflare:warm=N]`) and records the results. */
  async warm(now = Date.now()): Promise<PingResult[]> {
    return this.warmWithin(now, MAX_PINGS_PER_RUN);
  }

  private warmTargets(): PingTarget[] {
    return this.functionRecords()
      .filter((f) => f.url && f.warm.enabled)
      .flatMap((f) => {
        const usual = this.medianLatency(f.name);
        return Array.from({ length: f.warm.instances }, () => ({ functionName: f.name, url: f.url as string, authType: f.authType, usualLatencyMs: usual }));
      });
  }

  private async warmWithin(now: number, maxPings: number): Promise<PingResult[]> {
    const targets = this.warmTargets();
    const { results, skipped } = await warmFunctionUrls(this.env, targets, { now, maxPings });
    if (skipped) console.warn(`sqsflare: ${skipped} warming pings over this run's cap were skipped`);
    for (const r of results) {
      this.sql.exec(
        'INSERT INTO pings (function, at, status, latency_ms, error, cold) VALUES (?, ?, ?, ?, ?, ?)',
        r.functionName,
        r.at,
        r.status,
        r.latencyMs,
        r.error ?? null,
        r.coldStartLikely ? 1 : 0,
      );
    }
    for (const name of new Set(results.map((r) => r.functionName))) {
      this.sql.exec(
        'DELETE FROM pings WHERE function = ? AND id NOT IN (SELECT id FROM pings WHERE function = ? ORDER BY id DESC LIMIT ?)',
        name,
        name,
        PINGS_KEPT_PER_FUNCTION,
      );
    }
    const state = this.syncState();
    state.lastWarmAt = now;
    this.saveSyncState(state);
    return results;
  }

  /** The cron's work: sync, then warm on whatever state is the last good one (even if this sync failed). */
  async runCron(now = Date.now()): Promise<{ sync: SyncResult; pings: PingResult[] }> {
    // One invocation, one subrequest budget: keep room for the pings the current state wants, and give warming
    // whatever the sync did not use (the sync may have learnt new URLs).
    const wantedPings = Math.min(MAX_PINGS_PER_RUN, this.warmTargets().length);
    const budget = new PageBudget(Math.max(MIN_SYNC_SUBREQUESTS, SUBREQUESTS_PER_RUN - wantedPings));
    const sync = await this.syncWithin(now, budget);
    if (!sync.ok) console.warn(`sqsflare: sync failed: ${sync.error}`);
    const pings = await this.warmWithin(now, Math.min(MAX_PINGS_PER_RUN, SUBREQUESTS_PER_RUN - budget.used));
    return { sync, pings };
  }

  async registryState(): Promise<RegistryState> {
    return {
      sync: this.syncState(),
      functions: this.functionRecords().map((f) => {
        const pings = this.pingsOf(f.name);
        return { ...f, pings, lastPing: pings.at(-1) ?? null };
      }),
      mappings: this.sql.all('SELECT queue, esm FROM mappings ORDER BY queue').map((r) => ({ queue: r.queue as string, esm: JSON.parse(r.esm as string) })),
    };
  }

  // ---- storage helpers ----------------------------------------------------------------------------------

  private functionRecords(): FunctionRecord[] {
    return this.sql.all('SELECT record FROM functions ORDER BY name').map((r) => JSON.parse(r.record as string) as FunctionRecord);
  }

  private pingsOf(name: string): PingView[] {
    return this.sql
      .all('SELECT * FROM pings WHERE function = ? ORDER BY id', name)
      .map((r) => ({
        at: r.at as number,
        status: (r.status as number | null) ?? null,
        latencyMs: (r.latency_ms as number | null) ?? null,
        error: (r.error as string | null) ?? undefined,
        coldStartLikely: r.cold === 1,
      }));
  }

  private medianLatency(name: string): number | null {
    const values = this.pingsOf(name)
      .filter((p) => p.latencyMs !== null && !p.error)
      .map((p) => p.latencyMs as number)
      .sort((a, b) => a - b);
    return values.length ? values[Math.floor(values.length / 2)] : null;
  }

  private syncState(): SyncState {
    const row = this.sql.one('SELECT state FROM sync_state WHERE id = 1');
    return row ? { ...EMPTY_STATE, ...(JSON.parse(row.state as string) as SyncState) } : structuredClone(EMPTY_STATE);
  }

  private saveSyncState(state: SyncState): void {
    this.sql.exec('INSERT INTO sync_state (id, state) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state', JSON.stringify(state));
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

rpcSafe(RegistryDO, ['upsertQueue', 'removeQueue', 'listQueues', 'deadLetterSources', 'queues', 'sync', 'warm', 'runCron', 'registryState']);
