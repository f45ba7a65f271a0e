/**
 * The singleton registry ("registry"): the queue catalog, and (from the cron or "Sync now") the functions, SQS event
 * source mappings and function URLs learnt from the Lambda API, plus the warming pings' history. Its public methods
 * are its RPC surface; the work is done by the modules beside it, over the stores it hands them.
 */
import { DurableObject } from 'cloudflare:workers';
import type { Mapping } from '../delivery/mapping';
import type { Env } from '../env';
import { PageBudget } from '../lambda/list';
import { SUBREQUESTS_PER_REGISTRY_RUN } from '../shared/platform';
import { rpcSafe } from '../shared/rpc';
import { SqlCounters } from '../shared/sql';
import type { DayUsage } from '../shared/usage';
import type { CatalogEntry } from './catalog';
import { runCron } from './cron';
import { buildIndexView, type IndexView } from './index-view';
import { queueMapping } from './mappings';
import type { PingResult } from './pings';
import { openStores, type RegistryState, type RegistryStores, registryState } from './stores';
import { runSync, type SyncResult } from './sync';
import { meterRegistry, meterRegistryMethods } from './usage';
import { MAX_PINGS_PER_RUN, warmAndRecord } from './warming';

export class RegistryDO extends DurableObject<Env> {
  readonly #sql: SqlCounters;
  readonly #stores: RegistryStores;
  readonly #meter: ReturnType<typeof meterRegistry>;
  /** the public index, built again only after the registry changed (see index-view.ts) */
  #index: IndexView | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = new SqlCounters(ctx.storage.sql);
    this.#meter = meterRegistry(this, this.#sql);
    this.#stores = openStores(this.#sql);
  }

  /**
   * A queue was just created (CreateQueue): it joins the catalog, and gets at once the mapping its name had, so a
   * queue deleted and created again keeps being delivered (issue 10, point 4). Returns that mapping, or null.
   */
  async queueCreated(name: string, createdAt: number, deadLetterQueue: string | null): Promise<Mapping | null> {
    // A fresh entry: the catalog's createdAt is what tells the sync which queue object the mapping was pushed to.
    this.#stores.catalog.remove(name);
    this.#stores.catalog.upsert(name, createdAt, deadLetterQueue);
    const mapping = this.#stores.mappings.get(name);
    if (!mapping) return null;
    this.#stores.mappings.put({ ...mapping, queueCreatedAt: createdAt });
    return queueMapping(mapping);
  }

  async upsertQueue(name: string, createdAt: number, deadLetterQueue: string | null): Promise<void> {
    this.#stores.catalog.upsert(name, createdAt, deadLetterQueue);
  }

  async removeQueue(name: string): Promise<void> {
    this.#stores.catalog.remove(name);
  }

  async listQueues(prefix: string, limit: number, after?: string): Promise<string[]> {
    return this.#stores.catalog.list(prefix, limit, after);
  }

  async deadLetterSources(dlq: string, limit: number, after?: string): Promise<string[]> {
    return this.#stores.catalog.deadLetterSources(dlq, limit, after);
  }

  async queues(): Promise<CatalogEntry[]> {
    return this.#stores.catalog.all();
  }

  /** One sync with the Lambda API (see sync.ts), with the whole subrequest budget of this invocation. */
  async sync(now = Date.now()): Promise<SyncResult> {
    this.#index = null;
    return runSync(this.env, this.#stores, now, new PageBudget(SUBREQUESTS_PER_REGISTRY_RUN));
  }

  /** Pings every function URL that wants warming (N times for `[sqsflare:warm=N]`) and records the results. */
  async warm(now = Date.now()): Promise<PingResult[]> {
    this.#index = null;
    return warmAndRecord(this.env, this.#stores, now, MAX_PINGS_PER_RUN);
  }

  /** The cron's work: sync, then warm on whatever state is the last good one (even if this sync failed). */
  async runCron(now = Date.now()): Promise<{ sync: SyncResult; pings: PingResult[] }> {
    this.#index = null;
    return runCron(this.env, this.#stores, now);
  }

  /** With the registry's own usage of today (the cron, pages): the dashboard reads it here at no extra call. */
  async registryState(): Promise<RegistryState & { usage: DayUsage }> {
    return { ...registryState(this.#stores), usage: this.#meter.snapshot() };
  }

  /** The public index: from memory, or built from one row per function after a change. */
  async indexView(): Promise<IndexView> {
    this.#index ??= buildIndexView(this.#stores);
    return this.#index;
  }

  /** SQLite rows this instance read and wrote since it started (tests measure the index's cost with it). */
  async sqlTotals(): Promise<{ rowsRead: number; rowsWritten: number }> {
    return this.#sql.totals();
  }
}

rpcSafe(RegistryDO, ['queueCreated', 'indexView', 'sqlTotals', 'upsertQueue', 'removeQueue', 'listQueues', 'deadLetterSources', 'queues', 'sync', 'warm', 'runCron', 'registryState']);
meterRegistryMethods(RegistryDO);
