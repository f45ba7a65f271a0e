/**
 * The SQS event source mappings a sync learnt from the Lambda API (the `mappings` table): per queue of our account,
 * the one mapping that feeds it, as AWS sent it.
 */
import type { AwsEventSourceMapping } from '../lambda/types';
import type { SqlCounters } from '../shared/sql';

export interface SqsMapping {
  queue: string;
  esm: AwsEventSourceMapping;
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
    if (!previous || rank(esm) > rank(previous.esm)) byQueue.set(queue, { queue, esm });
  }
  return byQueue;
}

function rank(esm: AwsEventSourceMapping & { LastModified?: number | string }): number {
  const enabled = esm.State === 'Enabled' ? 1e13 : 0;
  const modified = typeof esm.LastModified === 'number' ? esm.LastModified * 1000 : Date.parse(String(esm.LastModified ?? '')) || 0;
  return enabled + modified;
}

/** Each queue's mapping as the JSON last pushed to the queue, so an unchanged one is not pushed again. */
export class MappingStore {
  constructor(private readonly sql: SqlCounters) {
    sql.exec('CREATE TABLE IF NOT EXISTS mappings (queue TEXT PRIMARY KEY, esm TEXT NOT NULL)');
  }

  /** queue → the stored JSON */
  pushed(): Map<string, string> {
    return new Map(this.sql.all('SELECT queue, esm FROM mappings').map((r) => [r.queue as string, r.esm as string]));
  }

  put(queue: string, json: string): void {
    this.sql.exec('INSERT INTO mappings (queue, esm) VALUES (?, ?) ON CONFLICT (queue) DO UPDATE SET esm = excluded.esm', queue, json);
  }

  remove(queue: string): void {
    this.sql.exec('DELETE FROM mappings WHERE queue = ?', queue);
  }

  all(): SqsMapping[] {
    return this.sql.all('SELECT queue, esm FROM mappings ORDER BY queue').map((r) => ({ queue: r.queue as string, esm: JSON.parse(r.esm as string) }));
  }
}
