/** How due messages become invocation batches: pure, so the rules are unit-tested apart from storage. */
import { jsonUtf8Length } from '../shared/bytes';
import type { MessageAttributes } from '../shared/messages';

/**
 * Lambda's synchronous invocation payload limit: 6 MB of the request as sent, in bytes (UTF-8), not string length
 * (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
 */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
/**
 * Lambda's asynchronous invocation payload limit: 1 MB since late 2025 (256 KB before), counted in bytes of the
 * request (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html: "For asynchronous invocations, the maximum
 * payload size is 1 MB"; Lambda's 413 names it in bytes, "limit 262144 bytes" for the old 256 KB).
 */
export const ASYNC_MAX_PAYLOAD_BYTES = 1024 * 1024;
/** `{"Records":[` and `]}` around the records of an SQS event. */
const EVENT_ENVELOPE_BYTES = 14;
/** Room for a record's fields other than body and attributes (ids, receipt handle, ARN, MD5s, keys), and `{"Records":[…]}`. */
const RECORD_OVERHEAD_BYTES = 1024;
/** What each message attribute adds in the event beyond its stored JSON (stringListValues, binaryListValues, …). */
const ATTRIBUTE_OVERHEAD_BYTES = 64;

/** What batches are planned on: a loaded message (body), or a due key with its stored UTF-8 size (bytes). */
export interface Plannable {
  groupId?: string;
  body?: string;
  bytes?: number;
  messageAttributes?: MessageAttributes;
}

/**
 * A record's bytes in the event. With the body loaded: exact, in UTF-8 after JSON escaping. From a key's stored
 * size: the raw UTF-8 bytes (escapes may add a little; the loaded batch is measured again with `fitPayload`).
 */
export function estimateRecordBytes(message: Plannable): number {
  if (message.body === undefined) return (message.bytes ?? 0) + RECORD_OVERHEAD_BYTES;
  let size = jsonUtf8Length(message.body) + RECORD_OVERHEAD_BYTES;
  if (message.messageAttributes) {
    size += jsonUtf8Length(JSON.stringify(message.messageAttributes));
    size += Object.keys(message.messageAttributes).length * ATTRIBUTE_OVERHEAD_BYTES;
  }
  return size;
}

/** The longest head of a loaded batch whose event fits Lambda's payload limit (the first message always goes). */
export function fitPayload<M extends Plannable>(messages: M[], maxBytes = MAX_PAYLOAD_BYTES): M[] {
  let bytes = 0;
  for (let i = 0; i < messages.length; i++) {
    bytes += estimateRecordBytes(messages[i]);
    if (i > 0 && bytes > maxBytes) return messages.slice(0, i);
  }
  return messages;
}

/**
 * Splits messages (already in delivery order) into batches of at most `batchSize` records and
 * 6 MB of payload. FIFO: a batch holds one message group at most once in a row, and a group
 * never spans two concurrent batches (its later messages wait for the next run).
 */
export function planBatches<M extends Plannable>(messages: M[], batchSize: number, maxBatches: number, fifo: boolean, maxBytes = MAX_PAYLOAD_BYTES): M[][] {
  const batches: M[][] = [];
  let current: M[] = [];
  let bytes = 0;
  const groupBatch = new Map<string, number>();
  for (const message of messages) {
    const size = estimateRecordBytes(message);
    if (current.length > 0 && (current.length >= batchSize || bytes + size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    if (batches.length >= maxBatches) break;
    if (fifo) {
      const group = message.groupId ?? '';
      const owner = groupBatch.get(group);
      // A group already in an earlier batch of this run must not be delivered concurrently.
      if (owner !== undefined && owner !== batches.length) continue;
      groupBatch.set(group, batches.length);
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0 && batches.length < maxBatches) batches.push(current);
  return batches;
}

/**
 * Splits records, in order, into consecutive groups whose SQS event (`{"Records":[…]}`, commas included) is at most
 * `maxBytes` as sent; `bytes` is each record's JSON in UTF-8. A record too large on its own is a group of its own.
 */
export function packRecords<R extends { bytes: number }>(records: R[], maxBytes: number): R[][] {
  const groups: R[][] = [];
  let current: R[] = [];
  let size = EVENT_ENVELOPE_BYTES;
  for (const record of records) {
    const added = record.bytes + (current.length > 0 ? 1 : 0);
    if (current.length > 0 && size + added > maxBytes) {
      groups.push(current);
      current = [];
      size = EVENT_ENVELOPE_BYTES;
    }
    size += record.bytes + (current.length > 0 ? 1 : 0);
    current.push(record);
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

export interface BatchItemFailureResult {
  /** message ids to retry; every other record counts as processed */
  failedIds: Set<string>;
  /** true when the response is invalid and the whole batch must be retried */
  wholeBatchFailed: boolean;
}

/**
 * Reads a ReportBatchItemFailures response (Lambda developer guide, "Handling errors for an SQS
 * event source in Lambda" → "Implementing partial batch responses",
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html#services-sqs-batchfailurereporting):
 * empty or null means success; an empty, null or unknown itemIdentifier, or a response that is not
 * JSON, fails the whole batch. Only the listed records are retried, on FIFO queues too: there the
 * guide asks the function itself to stop at its first failure and list every later record, so a
 * record it did not list was processed and is deleted, as Lambda does.
 */
export function parseBatchItemFailures(responseBody: string, batchIds: string[]): BatchItemFailureResult {
  const whole = { failedIds: new Set(batchIds), wholeBatchFailed: true };
  const text = responseBody.trim();
  if (text === '' || text === 'null') return { failedIds: new Set(), wholeBatchFailed: false };
  let response: unknown;
  try {
    response = JSON.parse(text);
  } catch {
    return whole;
  }
  if (response === null || typeof response !== 'object' || Array.isArray(response)) return { failedIds: new Set(), wholeBatchFailed: false };
  const list = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (list === undefined || list === null) return { failedIds: new Set(), wholeBatchFailed: false };
  if (!Array.isArray(list)) return whole;
  const known = new Set(batchIds);
  const failedIds = new Set<string>();
  for (const item of list) {
    const id = (item as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '' || !known.has(id)) return whole;
    failedIds.add(id);
  }
  return { failedIds, wholeBatchFailed: false };
}
