/**
 * The SQS event source mappings a sync learnt from the Lambda API (the `mappings` table): per queue of our account,
 * the one mapping that feeds it, trimmed to the fields delivery uses, with what was last pushed to the queue.
 */
import { type Mapping, mappingFromAws, withFunction } from '../delivery/mapping';
import type { AwsEventSourceMapping } from '../lambda/types';
import type { SqlCounters } from '../shared/sql';

export interface SqsMapping {
  queue: string;
  esm: AwsEventSourceMapping;
  /** the mapped function's Timeout, when the registry knows the function */
  functionTimeoutSeconds?: number;
  /** the function's Description carries `[sqsflare:async]` (issue 13: asynchronous delivery) */
  asyncTag?: boolean;
  /** the createdAt of the queue object it was last pushed to: a queue deleted and created again gets it again */
  queueCreatedAt?: number;
}

/** The fields of a mapping sqsflare reads, copied one by one: nothing else the API sends is stored. */
export function trimEsm(esm: AwsEventSourceMapping): AwsEventSourceMapping {
  const { UUID, EventSourceArn, FunctionArn, BatchSize, MaximumBatchingWindowInSeconds, FunctionResponseTypes, ScalingConfig, FilterCriteria, State, LastModified } = esm;
  return { UUID, EventSourceArn, FunctionArn, BatchSize, MaximumBatchingWindowInSeconds, FunctionResponseTypes, ScalingConfig, FilterCriteria, State, LastModified };
}

/**
 * The mappings whose source is an SQS queue of our account, by queue name. Disabled ones are kept on purpose:
 * users disable them so that AWS does not poll. When two mappings name one queue, the enabled and then the newest wins.
 */
export function sqsMappingsOf(mappings: AwsEventSourceMapping[], accountId: string): Map<string, SqsMapping> {
  const byQueue = new Map<string, SqsMapping>();
  for (const esm of mappings) {
    const arn = /^arn:aws[\w-]*:sqs:[a-z0-9-]+:(\d{12}):([A-Za-z0-9_-]{1,80}(?:\.fifo)?)$/.exec(esm.EventSourceArn ?? '');
    if (!arn || arn[1] !== accountId || !esm.FunctionArn) continue;
    const queue = arn[2];
    const previous = byQueue.get(queue);
    if (!previous || rank(esm) > rank(previous.esm)) byQueue.set(queue, { queue, esm: trimEsm(esm) });
  }
  return byQueue;
}

function rank(esm: AwsEventSourceMapping): number {
  const enabled = esm.State === 'Enabled' ? 1e13 : 0;
  const modified = typeof esm.LastModified === 'number' ? esm.LastModified * 1000 : Date.parse(String(esm.LastModified ?? '')) || 0;
  return enabled + modified;
}

/** What decides whether a mapping must be pushed again: the mapping and the function's timeout. */
export const mappingKey = (m: Pick<SqsMapping, 'esm' | 'functionTimeoutSeconds' | 'asyncTag'>) =>
  JSON.stringify([m.esm, m.functionTimeoutSeconds ?? null, m.asyncTag ?? false]);

/** The mapping as the queue object applies it. */
export function queueMapping(m: SqsMapping): Mapping {
  const mapping = mappingFromAws(m.esm, m.queue.endsWith('.fifo'));
  const timed = m.functionTimeoutSeconds ? { ...mapping, functionTimeoutSeconds: m.functionTimeoutSeconds } : mapping;
  return withFunction(timed, { timeoutSeconds: m.functionTimeoutSeconds, asyncTag: m.asyncTag ?? false });
}

/** One row per queue: the mapping last pushed to it (a few hundred bytes; FilterCriteria at most 5 × 4 KB). */
export class MappingStore {
  constructor(private readonly sql: SqlCounters) {
    sql.exec('CREATE TABLE IF NOT EXISTS mappings (queue TEXT PRIMARY KEY, esm TEXT NOT NULL)');
  }

  /** queue → what was pushed */
  pushed(): Map<string, SqsMapping> {
    return new Map(this.all().map((m) => [m.queue, m]));
  }

  get(queue: string): SqsMapping | undefined {
    const row = this.sql.one('SELECT queue, esm FROM mappings WHERE queue = ?', queue);
    return row ? parse(row.queue as string, row.esm as string) : undefined;
  }

  put(m: SqsMapping): void {
    const json = JSON.stringify({ esm: m.esm, functionTimeoutSeconds: m.functionTimeoutSeconds, asyncTag: m.asyncTag, queueCreatedAt: m.queueCreatedAt });
    this.sql.exec('INSERT INTO mappings (queue, esm) VALUES (?, ?) ON CONFLICT (queue) DO UPDATE SET esm = excluded.esm', m.queue, json);
  }

  remove(queue: string): void {
    this.sql.exec('DELETE FROM mappings WHERE queue = ?', queue);
  }

  all(): SqsMapping[] {
    return this.sql.all('SELECT queue, esm FROM mappings ORDER BY queue').map((r) => parse(r.queue as string, r.esm as string));
  }
}

/** Rows of earlier versions hold the mapping as AWS sent it: read as never pushed with a timeout, so pushed again. */
function parse(queue: string, json: string): SqsMapping {
  const value = JSON.parse(json) as { esm?: AwsEventSourceMapping; functionTimeoutSeconds?: number; asyncTag?: boolean; queueCreatedAt?: number } & AwsEventSourceMapping;
  if (!value.esm) return { queue, esm: trimEsm(value) };
  return { queue, esm: value.esm, functionTimeoutSeconds: value.functionTimeoutSeconds, asyncTag: value.asyncTag, queueCreatedAt: value.queueCreatedAt };
}
