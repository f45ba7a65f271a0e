/**
 * FIFO queues: the five-minute deduplication window, the checks a FIFO send must pass, and which
 * message groups must wait (one batch per group at a time).
 */
import { sha256Hex } from '../shared/bytes';
import { invalidParameter, sqsError } from '../shared/errors';
import type { NewMessage, StoredMessage } from '../shared/messages';
import type { SqlCounters } from '../shared/sql';
import { FIFO_DEDUP_WINDOW_MS } from '../shared/sqs-limits';
import { isFifo, type QueueConfig } from './config';
import type { Leases } from './leases';
import { retentionCutoff } from './retention';
import type { MessageStore } from './store';
import type { DueKey } from './store-leases';

/** A message sent earlier under the same deduplication key. */
export interface DedupHit {
  messageId: string;
  seq: number;
}

export class DedupWindow {
  constructor(private readonly sql: SqlCounters) {}

  forgetExpired(now: number): void {
    this.sql.exec('DELETE FROM dedup WHERE expires_at <= ?', now);
  }

  find(key: string): DedupHit | undefined {
    const seen = this.sql.one('SELECT message_id, seq FROM dedup WHERE key = ?', key);
    return seen ? { messageId: seen.message_id as string, seq: seen.seq as number } : undefined;
  }

  remember(key: string, messageId: string, seq: number, now: number): void {
    this.sql.exec('INSERT INTO dedup (key, message_id, seq, expires_at) VALUES (?, ?, ?, ?)', key, messageId, seq, now + FIFO_DEDUP_WINDOW_MS);
  }

  clear(): void {
    this.sql.exec('DELETE FROM dedup');
  }
}

/**
 * Checks a message for a FIFO queue, fills in its deduplication id (content-based: SHA-256 of the
 * body) and returns the key it is deduplicated under (per group with DeduplicationScope=messageGroup).
 */
export async function fifoDedupKey(message: NewMessage, config: QueueConfig): Promise<string> {
  if (!message.groupId) throw sqsError('MissingParameter', 'The request must contain the parameter MessageGroupId.');
  if (message.delaySeconds !== undefined && message.delaySeconds !== 0) {
    throw invalidParameter(
      `Value ${message.delaySeconds} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.`,
    );
  }
  const contentDedup = config.attributes.ContentBasedDeduplication === 'true';
  const dedupId = message.deduplicationId ?? (contentDedup ? await sha256Hex(message.body) : undefined);
  if (!dedupId) {
    throw invalidParameter('The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
  }
  message.deduplicationId = dedupId;
  return config.attributes.DeduplicationScope === 'messageGroup' ? `${message.groupId}\u0000${dedupId}` : dedupId;
}

/**
 * Messages visible now, oldest due first, none that is out for delivery. FIFO: in order within each group, and never
 * from a busy group — its head invisible (in flight), leased (a batch out for delivery, stored in the row) or held
 * here (being dead-lettered): one batch per group at a time. Busy groups are read off their heads (fifo-heads.ts),
 * never bound as parameters.
 */
export function selectDue(store: MessageStore, leases: Leases, config: QueueConfig | null, now: number, limit: number): StoredMessage[] {
  return store.selectDue(now, retentionCutoff(config, now), limit, leases.excluded(), isFifo(config));
}

/** The same selection as keys and sizes, no bodies: what delivery plans a batch on. */
export function selectDueKeys(store: MessageStore, leases: Leases, config: QueueConfig | null, now: number, limit: number): DueKey[] {
  return store.selectDueKeys(now, retentionCutoff(config, now), limit, leases.excluded(), isFifo(config));
}

/**
 * When each message just sent can satisfy a waiting receive: a FIFO message only when it heads its group (a group
 * with messages before it is busy or already served; a head just sent is neither leased nor in flight); every
 * other message when it becomes visible.
 */
export function wakeTimes(store: MessageStore, fifo: boolean, sent: { seq: number; visibleAt: number; groupId?: string }[]): number[] {
  if (!fifo) return sent.map((m) => m.visibleAt);
  const times: number[] = [];
  for (const groupId of new Set(sent.map((m) => m.groupId as string))) {
    const head = store.groupHead(groupId);
    if (head && sent.some((m) => m.seq === head.seq)) times.push(head.visibleAt);
  }
  return times;
}
