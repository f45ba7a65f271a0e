/**
 * Message move tasks (StartMessageMoveTask): redrive from this queue, as a dead-letter queue, back
 * to where its messages came from or to an explicit destination. A running task moves one chunk
 * per alarm run.
 */
import type { Env } from '../env';
import { sqsError } from '../shared/errors';
import type { StoredMessage } from '../shared/messages';
import { queueNameFromArn } from '../shared/names';
import { queueObject } from '../shared/rpc';
import type { SqlCounters } from '../shared/sql';
import type { MessageStore } from './store';

export interface MoveTask {
  TaskHandle: string;
  Status: 'RUNNING' | 'COMPLETED' | 'CANCELLING' | 'CANCELLED' | 'FAILED';
  SourceArn: string;
  DestinationArn?: string;
  MaxNumberOfMessagesPerSecond?: number;
  ApproximateNumberOfMessagesMoved: number;
  ApproximateNumberOfMessagesToMove: number;
  StartedTimestamp: number;
  FailureReason?: string;
}

/** At most this many messages move per alarm run, whatever rate was asked for. */
const MAX_CHUNK = 500;

export class MoveTasks {
  constructor(
    private readonly sql: SqlCounters,
    private readonly store: MessageStore,
    private readonly env: Env,
  ) {}

  start(sourceArn: string, destinationArn: string | undefined, rate: number | undefined, toMove: () => number, now: number): MoveTask {
    if (this.running()) {
      throw sqsError('UnsupportedOperation', 'There is already a task running. Only one active task is allowed for a source queue arn at a given time.');
    }
    const task: MoveTask = {
      TaskHandle: btoa(JSON.stringify({ taskId: crypto.randomUUID(), sourceArn })),
      Status: 'RUNNING',
      SourceArn: sourceArn,
      DestinationArn: destinationArn,
      MaxNumberOfMessagesPerSecond: rate,
      ApproximateNumberOfMessagesMoved: 0,
      ApproximateNumberOfMessagesToMove: toMove(),
      StartedTimestamp: now,
    };
    this.#save(task);
    return task;
  }

  /** Newest first. */
  list(limit: number): MoveTask[] {
    return this.#all()
      .sort((a, b) => b.StartedTimestamp - a.StartedTimestamp)
      .slice(0, limit);
  }

  /** Returns how many messages the task had moved. */
  cancel(handle: string): number {
    const task = this.#all().find((t) => t.TaskHandle === handle);
    if (!task) throw sqsError('ResourceNotFoundException', 'The resource that you specified for the TaskHandle parameter does not exist.');
    if (task.Status !== 'RUNNING') throw sqsError('UnsupportedOperation', 'Only active tasks can be cancelled.');
    task.Status = 'CANCELLED';
    this.#save(task);
    return task.ApproximateNumberOfMessagesMoved;
  }

  running(): MoveTask | undefined {
    return this.#all().find((t) => t.Status === 'RUNNING');
  }

  /** Moves one chunk of the running task, if any; returns true while the task has more to do. */
  async runChunk(cutoff: number, budget?: { take(n?: number): boolean }): Promise<boolean> {
    const task = this.running();
    if (!task) return false;
    // One chunk: at most one call per destination, each a subrequest of the alarm run.
    if (budget && !budget.take(1)) return true;
    const chunk = Math.min(task.MaxNumberOfMessagesPerSecond ?? MAX_CHUNK, MAX_CHUNK);
    const messages = this.store.oldest(cutoff, chunk);
    const byDestination = groupByDestination(messages, task.DestinationArn);
    try {
      for (const [arn, group] of byDestination) {
        await queueObject(this.env, queueNameFromArn(arn)).moveIn(group);
        this.store.deleteRows(group);
      }
    } catch (error) {
      task.Status = 'FAILED';
      task.FailureReason = `Destination queue unavailable: ${(error as Error).message}`;
      this.#save(task);
      return false;
    }
    task.ApproximateNumberOfMessagesMoved += [...byDestination.values()].reduce((n, g) => n + g.length, 0);
    if (messages.length < chunk || byDestination.size === 0) task.Status = 'COMPLETED';
    this.#save(task);
    return task.Status === 'RUNNING';
  }

  #all(): MoveTask[] {
    return this.sql.all('SELECT value FROM move_tasks').map((r) => JSON.parse(r.value as string) as MoveTask);
  }

  #save(task: MoveTask): void {
    this.sql.exec('INSERT OR REPLACE INTO move_tasks (handle, value) VALUES (?, ?)', task.TaskHandle, JSON.stringify(task));
  }
}

/** Messages go back to where they came from: the explicit destination, or each message's source. */
function groupByDestination(messages: StoredMessage[], destinationArn: string | undefined): Map<string, StoredMessage[]> {
  const byDestination = new Map<string, StoredMessage[]>();
  for (const m of messages) {
    const arn = destinationArn ?? m.deadLetterSourceArn;
    if (!arn) continue; // never dead-lettered here: nowhere to return it, so it stays
    byDestination.set(arn, [...(byDestination.get(arn) ?? []), m]);
  }
  return byDestination;
}
