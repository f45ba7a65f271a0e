/**
 * What a sync keeps from the Lambda API: the functions (with their URL and warming wish) and, per queue, the SQS
 * event source mapping that feeds it. Pure functions; the registry object does the I/O.
 */
import type { AwsEventSourceMapping } from '../delivery/mapping';
import type { AwsFunction } from '../lambda/list';

export interface WarmSetting {
  enabled: boolean;
  /** parallel pings per run: keeps this many instances warm */
  instances: number;
}

export const MAX_WARM_INSTANCES = 10;

/**
 * Opt-out and instance count live in the function's Description, the one free-text field every deploy tool sets:
 * `[sqsflare:nowarm]` turns warming off, `[sqsflare:warm=N]` keeps N instances warm (1–10).
 */
export function warmSetting(description: string | undefined): WarmSetting {
  const text = description ?? '';
  if (/\[sqsflare:nowarm\]/i.test(text)) return { enabled: false, instances: 0 };
  const n = /\[sqsflare:warm=(\d+)\]/i.exec(text);
  if (n) {
    const instances = Math.min(MAX_WARM_INSTANCES, Number(n[1]));
    return instances > 0 ? { enabled: true, instances } : { enabled: false, instances: 0 };
  }
  return { enabled: true, instances: 1 };
}

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

export interface FunctionRecord {
  name: string;
  arn: string;
  description: string;
  runtime: string;
  lastModified: string;
  url: string | null;
  authType: string | null;
  /** when the URL config was last read (they are refreshed a few per sync, stalest first) */
  urlCheckedAt: number | null;
  warm: WarmSetting;
}

export function functionRecord(fn: AwsFunction, previous: FunctionRecord | undefined): FunctionRecord {
  return {
    name: fn.FunctionName,
    arn: fn.FunctionArn,
    description: fn.Description ?? '',
    runtime: fn.Runtime ?? '',
    lastModified: fn.LastModified ?? '',
    url: previous?.url ?? null,
    authType: previous?.authType ?? null,
    urlCheckedAt: previous?.urlCheckedAt ?? null,
    warm: warmSetting(fn.Description),
  };
}

/** Function URLs become links on a public page and targets of signed pings: only http(s) URLs are kept. */
export function webUrlOrNull(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? value : null;
  } catch {
    return null;
  }
}
