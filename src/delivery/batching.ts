/** How due messages become invocation batches: pure, so the rules are unit-tested apart from storage. */
import type { StoredMessage } from '../shared/messages';

/** Lambda's synchronous invocation payload limit. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** Room for `{"Records":[...]}` and record fields other than the body and attributes. */
const RECORD_OVERHEAD_BYTES = 1024;

export function estimateRecordBytes(message: StoredMessage): number {
  let size = message.body.length * 2 + RECORD_OVERHEAD_BYTES; // worst case: JSON escaping doubles the body
  if (message.messageAttributes) size += JSON.stringify(message.messageAttributes).length * 2;
  return size;
}

/**
 * Splits messages (already in delivery order) into batches of at most `batchSize` records and
 * 6 MB of payload. FIFO: a batch holds one message group at most once in a row, and a group
 * never spans two concurrent batches (its later messages wait for the next run).
 */
export function planBatches(messages: StoredMessage[], batchSize: number, maxBatches: number, fifo: boolean): StoredMessage[][] {
  const batches: StoredMessage[][] = [];
  let current: StoredMessage[] = [];
  let bytes = 0;
  const groupBatch = new Map<string, number>();
  for (const message of messages) {
    const size = estimateRecordBytes(message);
    if (current.length > 0 && (current.length >= batchSize || bytes + size > MAX_PAYLOAD_BYTES)) {
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

export interface BatchItemFailureResult {
  /** message ids to retry; every other record counts as processed */
  failedIds: Set<string>;
  /** true when the response is invalid and the whole batch must be retried */
  wholeBatchFailed: boolean;
}

/**
 * Reads a ReportBatchItemFailures response (Lambda developer guide, "Handling errors for an SQS
 * event source"): empty or null means success; an empty, null or unknown itemIdentifier, or a
 * response that is not JSON, fails the whole batch. FIFO: everything from the first failed record
 * on is retried, so ordering within a group holds even if the function listed only one.
 */
export function parseBatchItemFailures(responseBody: string, batchIds: string[], fifo: boolean): BatchItemFailureResult {
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
  if (fifo && failedIds.size > 0) {
    const first = batchIds.findIndex((id) => failedIds.has(id));
    for (const id of batchIds.slice(first)) failedIds.add(id);
  }
  return { failedIds, wholeBatchFailed: false };
}
