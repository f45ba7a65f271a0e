/**
 * The functions a sync learnt from the Lambda API, as the registry keeps them (the `functions` table): the fields the
 * pages and warming use, with the function URL and the warming wish read from the Description.
 */
import type { AwsFunction } from '../lambda/types';
import type { SqlCounters } from '../shared/sql';

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

/**
 * `[sqsflare:async]` in the Description: deliver this function's queue with asynchronous invocations (Event), the
 * same convention as `[sqsflare:warm=N]` (README, "Delivery semantics").
 */
export function asyncTagged(description: string | undefined): boolean {
  return /\[sqsflare:async\]/i.test(description ?? '');
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

/** One JSON record per function, replaced as a whole by each successful sync. */
export class FunctionStore {
  constructor(private readonly sql: SqlCounters) {
    sql.exec('CREATE TABLE IF NOT EXISTS functions (name TEXT PRIMARY KEY, record TEXT NOT NULL)');
  }

  all(): FunctionRecord[] {
    return this.sql.all('SELECT record FROM functions ORDER BY name').map((r) => JSON.parse(r.record as string) as FunctionRecord);
  }

  replaceAll(records: FunctionRecord[]): void {
    this.sql.exec('DELETE FROM functions');
    for (const record of records) this.sql.exec('INSERT INTO functions (name, record) VALUES (?, ?)', record.name, JSON.stringify(record));
  }
}
