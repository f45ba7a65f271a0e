/**
 * The functions a sync learnt from the Lambda API, as the registry keeps them (the `functions` table): the fields the
 * pages and warming use, with the function URL and the warming wish read from the Description.
 */
import type { AwsFunction } from '../lambda/types';
import { MAX_WARM_INSTANCES } from '../lambda/warmup';
import type { SqlCounters } from '../shared/sql';

export interface WarmSetting {
  enabled: boolean;
  /** parallel pings (or invocations) per run: keeps this many instances warm */
  instances: number;
  /** the Description asks for warming (`[sqsflare:warm]` or `[sqsflare:warm=N]`): a function without a URL is then
   *  warmed by direct Invoke (src/lambda/warmup.ts); the default (URL functions only) is not explicit */
  explicit: boolean;
}

/**
 * Opt-out and instance count live in the function's Description, the one free-text field every deploy tool sets:
 * `[sqsflare:nowarm]` turns warming off, `[sqsflare:warm]` asks for it (one instance), `[sqsflare:warm=N]` keeps N
 * instances warm (1–10).
 */
export function warmSetting(description: string | undefined): WarmSetting {
  const text = description ?? '';
  if (/\[sqsflare:nowarm\]/i.test(text)) return { enabled: false, instances: 0, explicit: false };
  const n = /\[sqsflare:warm(?:=(\d+))?\]/i.exec(text);
  if (n) {
    const instances = Math.min(MAX_WARM_INSTANCES, n[1] === undefined ? 1 : Number(n[1]));
    return instances > 0 ? { enabled: true, instances, explicit: true } : { enabled: false, instances: 0, explicit: false };
  }
  return { enabled: true, instances: 1, explicit: false };
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
  /** seconds the function may run: mapped queues get a visibility timeout of 6 × this (issue 10) */
  timeout: number;
  memorySize: number;
  url: string | null;
  authType: string | null;
  /** when the URL config was first read, or last read with a change (a sync rereads them in rotation, src/registry/url-configs.ts) */
  urlCheckedAt: number | null;
  warm: WarmSetting;
}

/** Lambda's default Timeout (seconds) when the answer has none. */
export const DEFAULT_FUNCTION_TIMEOUT = 3;

const text = (value: unknown, max: number) => (typeof value === 'string' ? value.slice(0, max) : '');
const positive = (value: unknown, fallback: number) => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback);

/**
 * The fields sqsflare uses, copied one by one and capped at Lambda's own limits (name 140 chars as an ARN part,
 * Description 256): whatever else the answer carries, `Environment` above all, is never stored or shown.
 */
export function functionRecord(fn: AwsFunction, previous: FunctionRecord | undefined): FunctionRecord {
  return {
    name: text(fn.FunctionName, 170),
    arn: text(fn.FunctionArn, 256),
    description: text(fn.Description, 256),
    runtime: text(fn.Runtime, 64),
    lastModified: text(fn.LastModified, 40),
    timeout: positive(fn.Timeout, DEFAULT_FUNCTION_TIMEOUT),
    memorySize: positive(fn.MemorySize, 128),
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

/**
 * One small row per function (a few hundred bytes, far below SQLite's 2 MB a row), written only when it changed:
 * a sync of 600 unchanged functions every 5 minutes writes nothing.
 */
export class FunctionStore {
  constructor(private readonly sql: SqlCounters) {
    sql.exec('CREATE TABLE IF NOT EXISTS functions (name TEXT PRIMARY KEY, record TEXT NOT NULL)');
  }

  /** Every record, by name; one row read per function. */
  all(): FunctionRecord[] {
    const records = this.sql.all('SELECT record FROM functions').map((r) => parseRecord(r.record as string));
    return records.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Writes the record unless `previous` (what is stored) is the same; true when it wrote. */
  put(record: FunctionRecord, previous: FunctionRecord | undefined): boolean {
    const json = JSON.stringify(record);
    if (previous && JSON.stringify(previous) === json) return false;
    this.sql.exec('INSERT INTO functions (name, record) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET record = excluded.record', record.name, json);
    return true;
  }

  remove(name: string): void {
    this.sql.exec('DELETE FROM functions WHERE name = ?', name);
  }
}

/** A stored record; rows written before timeout was kept get its default, the last ping of earlier versions is dropped. */
function parseRecord(json: string): FunctionRecord {
  const { lastPing: _moved, ...record } = JSON.parse(json) as Partial<FunctionRecord> & { lastPing?: unknown };
  // Same key order as warmSetting's, so an unchanged function compares equal and is not written again.
  const warm = { enabled: false, instances: 0, ...record.warm, explicit: record.warm?.explicit ?? false };
  return { ...record, warm, timeout: record.timeout ?? DEFAULT_FUNCTION_TIMEOUT, memorySize: record.memorySize ?? 128 } as FunctionRecord;
}
