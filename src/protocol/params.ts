/**
 * Request parameter readers and batch rules (SQS API Reference, per action). The input is either protocol's, already
 * parsed into one shape (JSON numbers or query strings); pure functions, unit-tested in test/protocol/params.test.ts.
 */
import { type BatchError, invalidParameter, isBatchError, missingParameter, sqsError, sqsErrorFromQueryCode, toBatchError } from '../shared/errors';
import { MAX_BATCH_ENTRIES } from '../shared/sqs-limits';

export type Input = Record<string, unknown>;

/** Reads an integer parameter given as a JSON number or a query string; undefined when absent. */
export function intParam(input: Input, name: string, min: number, max: number): number | undefined {
  const raw = input[name];
  if (raw === undefined || raw === null || raw === '') return undefined;
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalidParameter(
      `Value ${String(raw)} for parameter ${name} is invalid. Reason: Must be an integer from ${min} to ${max}.`,
    );
  }
  return value;
}

export function stringParam(input: Input, name: string, required: true): string;
export function stringParam(input: Input, name: string, required?: false): string | undefined;
export function stringParam(input: Input, name: string, required = false): string | undefined {
  const raw = input[name];
  if (raw === undefined || raw === null) {
    if (required) throw missingParameter(name);
    return undefined;
  }
  if (typeof raw !== 'string') throw invalidParameter(`Value for parameter ${name} must be a string.`);
  return raw;
}

export function stringList(input: Input, name: string): string[] {
  const value = input[name];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw invalidParameter(`${name} must be a list of strings.`);
  return value as string[];
}

/** The first of `names` that is present, as a map of strings (the JSON and query spellings differ: `tags`/`Tags`). */
export function stringMap(input: Input, ...names: string[]): Record<string, string> | undefined {
  for (const name of names) {
    const value = input[name];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'object' || Array.isArray(value)) throw invalidParameter(`${name} must be a map.`);
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
  }
  return undefined;
}

const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;

/** Checks the batch-level rules; entries themselves are validated one by one by the caller. */
export function validateBatch<T extends { Id?: unknown }>(entries: unknown, entryName: string): T[] {
  if (entries === undefined || entries === null || (Array.isArray(entries) && entries.length === 0)) {
    throw sqsError('EmptyBatchRequest', `There should be at least one ${entryName} in the request.`);
  }
  if (!Array.isArray(entries)) throw invalidParameter('Entries must be a list.');
  if (entries.length > MAX_BATCH_ENTRIES) {
    throw sqsError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are 10. You have sent ${entries.length}.`);
  }
  const seen = new Set<string>();
  for (const entry of entries as T[]) {
    const id = entry?.Id;
    if (typeof id !== 'string' || !BATCH_ENTRY_ID.test(id)) {
      throw sqsError(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      );
    }
    if (seen.has(id)) throw sqsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    seen.add(id);
  }
  return entries as T[];
}

/**
 * Validates each entry of a batch on its own, in order: an entry that fails becomes a BatchError with its Id, the
 * others go on to the queue.
 */
export async function validateEntries<E extends { Id: string }, T>(
  entries: E[],
  validate: (entry: E) => T | Promise<T>,
): Promise<{ valid: T[]; failed: BatchError[] }> {
  const valid: T[] = [];
  const failed: BatchError[] = [];
  for (const entry of entries) {
    try {
      valid.push(await validate(entry));
    } catch (error) {
      failed.push(toBatchError(entry.Id, error));
    }
  }
  return { valid, failed };
}

/** Surfaces a single-entry batch failure as the action's own error. */
export function single<T extends object>(result: T | BatchError): T {
  if (isBatchError(result)) throw sqsErrorFromQueryCode(result.Code, result.Message);
  return result;
}

/** A batch response: the queue's results split by outcome, then the entries refused before reaching it. */
export function splitResults<T extends { Id: string }>(results: (T | BatchError)[], refused: BatchError[] = []) {
  const Successful: T[] = [];
  const Failed: BatchError[] = [];
  for (const r of results) (isBatchError(r) ? Failed.push(r) : Successful.push(r));
  // Every entry refused at a Cloudflare quota: the whole call is throttled, so the SDK retries it (entries it would not).
  const throttled = Failed.find((f) => f.Code === 'RequestThrottled');
  if (throttled && Successful.length === 0 && refused.length === 0 && Failed.every((f) => f.Code === 'RequestThrottled')) {
    throw sqsErrorFromQueryCode('RequestThrottled', throttled.Message);
  }
  Failed.push(...refused);
  return { Successful, Failed };
}
