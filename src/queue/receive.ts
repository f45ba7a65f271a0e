/**
 * ReceiveMessage's one look at the queue (queue-do.ts loops over it for long polls): expired front rows go, the
 * due messages are selected, received, and those past maxReceiveCount are moved to the dead-letter queue — or, when
 * that move fails, received after all, as SQS keeps them in the source queue.
 */
import type { Env } from '../env';
import type { ReceivedMessage, StoredMessage } from '../shared/messages';
import { type QueueConfig, redrivePolicy, visibilityTimeoutSeconds } from './config';
import { moveToDeadLetterQueue } from './dead-letter';
import { selectDue } from './fifo';
import type { Leases } from './leases';
import type { RedrivePolicy } from './queue-attributes';
import { markReceived } from './received';
import type { ExpiryCleanup } from './retention';
import type { MessageStore } from './store';

export interface ReceiveOptions {
  maxMessages: number;
  visibilityTimeout?: number;
  waitTimeSeconds?: number;
}

/** The parts of a queue object one receive works over. */
export interface ReceiveParts {
  env: Env;
  store: MessageStore;
  leases: Leases;
  cleanup: ExpiryCleanup;
  /** the delivery report counts dead-letter moves, a consumer's included */
  countDeadLettered(moved: number): void;
}

/** The messages received; null when nothing was due (nothing changed, so the alarm needs no new look). */
export async function receiveNow(q: ReceiveParts, config: QueueConfig, options: ReceiveOptions, now: number): Promise<ReceivedMessage[] | null> {
  q.cleanup.run(config, now);
  const visibility = options.visibilityTimeout ?? visibilityTimeoutSeconds(config);
  const receive = (message: StoredMessage) => markReceived(q.store, message, config.name, now, now + visibility * 1000);
  const candidates = selectDue(q.store, q.leases, config, now, options.maxMessages);
  if (candidates.length === 0) return null;
  const redrive = redrivePolicy(config);
  const out: ReceivedMessage[] = [];
  const toDlq: StoredMessage[] = [];
  for (const message of candidates) {
    if (redrive && message.receiveCount >= redrive.maxReceiveCount) toDlq.push(message);
    else out.push(receive(message));
  }
  if (redrive && toDlq.length > 0) out.push(...(await deadLetterOrReceive(q, config.name, redrive, toDlq, receive)));
  return out;
}

/**
 * Moves messages past maxReceiveCount to the dead-letter queue. They are taken for the move before it awaits, so
 * the delivery alarm (or another receive) never moves the same ones meanwhile. When the move fails (the DLQ is gone)
 * SQS keeps them in the source queue, and they are received here: holding them back would answer every
 * ReceiveMessage with nothing while counts show a backlog.
 */
async function deadLetterOrReceive(
  q: ReceiveParts,
  queueName: string,
  redrive: RedrivePolicy,
  toDlq: StoredMessage[],
  receive: (message: StoredMessage) => ReceivedMessage,
): Promise<ReceivedMessage[]> {
  const moving = q.leases.startMove(toDlq);
  try {
    const moved = moving.length > 0 ? await moveToDeadLetterQueue(q.env, q.store, queueName, redrive, moving) : 0;
    q.countDeadLettered(moved);
    return moved === 0 ? moving.map(receive) : [];
  } finally {
    q.leases.endMove(moving);
  }
}
