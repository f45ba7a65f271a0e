/** Moving messages past maxReceiveCount to the RedrivePolicy's dead-letter queue. */
import type { Env } from '../env';
import type { StoredMessage } from '../shared/messages';
import { queueArn, queueNameFromArn } from '../shared/names';
import { queueObject } from '../shared/rpc';
import type { RedrivePolicy } from './queue-attributes';
import type { MessageStore } from './store';

/** Sends messages to the dead-letter queue; deletes them here only once stored there. Returns how many moved. */
export async function moveToDeadLetterQueue(
  env: Env,
  store: MessageStore,
  sourceName: string,
  redrive: RedrivePolicy,
  messages: StoredMessage[],
): Promise<number> {
  const dlqName = queueNameFromArn(redrive.deadLetterTargetArn);
  try {
    await queueObject(env, dlqName).moveIn(messages, queueArn(env, sourceName));
  } catch (error) {
    // The DLQ is missing: SQS keeps the message in the source queue.
    console.warn(`dead-letter move to ${dlqName} failed: ${(error as Error).message}`);
    return 0;
  }
  store.deleteRows(messages);
  return messages.length;
}
