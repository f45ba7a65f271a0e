/**
 * The singleton registry ("registry"): the queue catalog, and (from the cron or "Sync now") the functions, SQS event
 * source mappings and function URLs learnt from the Lambda API, plus the warming pings' history.
 */
import { DurableObject } from 'cloudflare:workers';
import { type AwsEventSourceMapping, mappingFromAws } from '../delivery/mapping';
import type { Env } from '../env';
import { type AwsFunction, LambdaApiError, listEventSourceMappings, listFunctions, listFunctionUrlConfigs, PageBudget } from '../lambda/list';
import { rpcSafe } from '../protocol/errors';
import { SqlCounters } from '../queue/sql-counters';
import { Catalog, CATALOG_SCHEMA } from './catalog';
import { type FunctionRecord, functionRecord, sqsMappingsOf } from './sync';
import { type PingResult, warmFunctionUrls } from './warming';

export { REGISTRY_NAME } from './catalog';

const REGISTRY_SCHEMA = `
CREATE TABLE IF NOT EXISTS functions (name TEXT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS mappings (queue TEXT PRIMARY KEY, esm TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pings (id INTEGER PRIMARY KEY, function TEXT NOT NULL, at INTEGER NOT NULL, status INTEGER, latency_ms INTEGER, error TEXT, cold INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS pings_by_function ON pings (function, id);
CREATE TABLE IF NOT EXISTS sync_state (id INTEGER PRIMARY KEY CHECK (id = 1), state TEXT NOT NULL);
`;

/** Lambda API pages one sync may read (the rest of a Worker invocation's 50 subrequests go to queue updates). */
export const SYNC_PAGE_BUDGET = 30;
/** Queue objects one sync may create or update; the others follow on the next sync. */
export const SYNC_QUEUE_UPDATES = 15;
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
  | { ok: true; functions: number; mappings: number; queuesCreated: string[]; queuesUpdated: string[]; mappingsRemoved: string[]; pending: string[]; warnings: string[] }
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
  functions: (FunctionRecord & { pings: PingView[] })[];
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
   * Reads functions and event source mappings (every page), refreshes URL configs stalest first, and pushes changed
   * mappings to their queues. A failed list call changes nothing but the recorded error: the last good state stays.
   */
  async sync(now = Date.now()): Promise<SyncResult> {
    const state = this.syncState();
    state.lastAttemptAt = now;
    const budget = new PageBudget(SYNC_PAGE_BUDGET);
    let fns: Awaited<ReturnType<typeof listFunctions>>;
    let esms: Awaited<ReturnType<typeof listEventSourceMappings>>;
    try {
      fns = await listFunctions(this.env, budget);
      esms = await listEventSourceMappings(this.env, budget);
    } catch (error) {
      state.lastError = describe(error);
      this.saveSyncState(state);
      return { ok: false, error: state.lastError };
    }

    const warnings: string[] = [];
    const previous = new Map(this.functionRecords().map((f) => [f.name, f]));
    const records = fns.map((fn) => functionRecord(fn, previous.get(fn.FunctionName)));
    // URL configs cost one call per function: refresh as many as the budget allows, least recently checked first.
    const stalestFirst = [...records].sort((a, b) => (a.urlCheckedAt ?? 0) - (b.urlCheckedAt ?? 0));
    for (const record of stalestFirst) {
      if (budget.used >= budget.limit) {
        warnings.push(`URL configs of ${records.length - records.filter((r) => r.urlCheckedAt === now).length} functions left for the next sync`);
        break;
      }
      try {
        const [config] = await listFunctionUrlConfigs(this.env, record.name, budget);
        record.url = config?.FunctionUrl ?? null;
        record.authType = config?.AuthType ?? null;
        record.urlCheckedAt = now;
      } catch (error) {
        if (error instanceof LambdaApiError && error.status === 404) {
          record.url = null;
          record.urlCheckedAt = now;
        } else warnings.push(`URL config of ${record.name}: ${describe(error)}`);
      }
    }

    const wanted = sqsMappingsOf(esms, this.env.AWS_ACCOUNT_ID);
    const stored = new Map(this.sql.all('SELECT queue, esm FROM mappings').map((r) => [r.queue as string, r.esm as string]));
    const queuesCreated: string[] = [];
    const queuesUpdated: string[] = [];
    const mappingsRemoved: string[] = [];
    const pending: string[] = [];
    let updates = 0;
    for (const { queue, esm } of wanted.values()) {
      const json = JSON.stringify(esm);
      if (stored.get(queue) === json) continue;
      if (updates++ >= SYNC_QUEUE_UPDATES) {
        pending.push(queue);
        continue;
      }
      try {
        const fifo = queue.endsWith('.fifo');
        const stub = this.env.QUEUE.getByName(queue);
        const { created, createdAt } = await stub.create(queue, fifo ? { FifoQueue: 'true' } : {}, {}, now);
        if (created) {
          this.catalog.upsert(queue, createdAt, null);
          queuesCreated.push(queue);
        }
        await stub.setMapping(mappingFromAws(esm, fifo));
        this.sql.exec('INSERT INTO mappings (queue, esm) VALUES (?, ?) ON CONFLICT (queue) DO UPDATE SET esm = excluded.esm', queue, json);
        queuesUpdated.push(queue);
      } catch (error) {
        warnings.push(`queue ${queue}: ${describe(error)}`);
      }
    }
    for (const queue of stored.keys()) {
      if (wanted.has(queue)) continue;
      if (updates++ >= SYNC_QUEUE_UPDATES) {
        pending.push(queue);
        continue;
      }
      try {
        await this.env.QUEUE.getByName(queue).setMapping(null);
      } catch (error) {
        // A queue deleted since keeps no mapping anyway.
        warnings.push(`queue ${queue}: ${describe(error)}`);
      }
      this.sql.exec('DELETE FROM mappings WHERE queue = ?', queue);
      mappingsRemoved.push(queue);
    }

    this.sql.exec('DELETE FROM functions');
    for (const record of records) this.sql.exec('INSERT INTO functions (name, record) VALUES (?, ?)', record.name, JSON.stringify(record));
    this.sql.exec('DELETE FROM pings WHERE function NOT IN (SELECT name FROM functions)');
    state.lastSuccessAt = now;
    state.lastError = warnings.length ? warnings.join('; ') : null;
    state.raw = { functions: fns, eventSourceMappings: esms };
    this.saveSyncState(state);
    return { ok: true, functions: records.length, mappings: wanted.size, queuesCreated, queuesUpdated, mappingsRemoved, pending, warnings };
  }

  // ---- warming ------------------------------------------------------------------------------------------

  /** Pings every function URL that wants warming (N times for `[sqsflare:warm=N]`) and records the results. */
  async warm(now = Date.now()): Promise<PingResult[]> {
    const targets = this.functionRecords()
      .filter((f) => f.url && f.warm.enabled)
      .flatMap((f) => {
        const usual = this.medianLatency(f.name);
        return Array.from({ length: f.warm.instances }, () => ({ functionName: f.name, url: f.url as string, authType: f.authType, usualLatencyMs: usual }));
      });
    const { results } = await warmFunctionUrls(this.env, targets);
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

  async registryState(): Promise<RegistryState> {
    return {
      sync: this.syncState(),
      functions: this.functionRecords().map((f) => ({ ...f, pings: this.pingsOf(f.name) })),
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

rpcSafe(RegistryDO, ['upsertQueue', 'removeQueue', 'listQueues', 'deadLetterSources', 'queues', 'sync', 'warm', 'registryState']);
