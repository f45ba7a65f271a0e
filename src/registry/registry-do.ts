/**
 * The singleton registry ("registry"): the queue catalog, and (from the cron) the functions,
 * event source mappings and function URLs learnt from the Lambda API.
 */
import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env';
import { rpcSafe } from '../protocol/errors';
import { SqlCounters } from '../queue/sql-counters';
import { Catalog, CATALOG_SCHEMA } from './catalog';

export { REGISTRY_NAME } from './catalog';

export class RegistryDO extends DurableObject<Env> {
  readonly sql: SqlCounters;
  readonly catalog: Catalog;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = new SqlCounters(ctx.storage.sql);
    this.sql.exec(CATALOG_SCHEMA);
    this.catalog = new Catalog(this.sql);
  }

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
}

rpcSafe(RegistryDO, ['upsertQueue', 'removeQueue', 'listQueues', 'deadLetterSources', 'queues']);
