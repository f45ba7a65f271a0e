/**
 * The registry object's metering (src/shared/usage.ts): which activity each RPC method bills to, and where its
 * figures are kept (one row at most every 5 minutes of activity: about one per cron run).
 */
import type { SqlCounters } from '../shared/sql';
import type { MeteredMethods, UsageMeter } from '../shared/usage';
import { meterObject, meterStoredMethods, savedUsage } from '../shared/usage-store';

/**
 * `true`: a call is one Worker request. A cron run is one invocation of the Worker, billed like a request; a page
 * view reaches the registry once (registryState), the overview's other reads do not count again.
 */
export const REGISTRY_METHODS: MeteredMethods = {
  upsertQueue: ['queue admin'],
  removeQueue: ['queue admin'],
  listQueues: ['queue admin', true],
  deadLetterSources: ['pages'],
  queues: ['pages'],
  registryState: ['pages', true],
  // The public index (GET /, /index.json): one Worker request that reaches the registry once, served from memory.
  indexView: ['pages', true],
  // CreateQueue's catalog entry: the SQS call itself is counted where it reaches the queue object.
  queueCreated: ['queue admin'],
  sqlTotals: ['pages'],
  sync: ['cron sync', true],
  runCron: ['cron sync', true],
  warm: ['warming', true],
};

export function meterRegistry(object: object, sql: SqlCounters): UsageMeter {
  const meter = meterObject(object, sql);
  meter.restore(savedUsage(object));
  return meter;
}

export function meterRegistryMethods(cls: { prototype: object }): void {
  meterStoredMethods(cls, REGISTRY_METHODS);
}
