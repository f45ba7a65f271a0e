/**
 * One queue, one Durable Object. Its public methods are its RPC surface, and the alarm is its
 * only timer, set only while there is work (a mapped function's messages, a move task, messages to
 * expire). The wire protocols never reach this class: it takes validated input and returns plain data.
 *
 * The work is done by collaborators that never call back into the object: the store (every SQL
 * statement on messages), the leases (a cache of messages out for delivery), the FIFO dedup window,
 * one receive (receive.ts), move tasks, the expiry clean-up, and the delivery engine over the port
 * in delivery-port.ts.
 */
import { DurableObject } from 'cloudflare:workers';
import { RunBudget } from '../delivery/budget';
import { Delivery } from '../delivery/delivery';
import type { Mapping } from '../delivery/mapping';
import type { Env } from '../env';
import { type BatchError, sqsError, toBatchError } from '../shared/errors';
import type { NewMessage, QueueAttributes, ReceivedMessage, SendResult, StoredMessage } from '../shared/messages';
import { queueArn } from '../shared/names';
import { rpcSafe } from '../shared/rpc';
import { SqlCounters } from '../shared/sql';
import { AlarmClock } from './alarm';
import {
  applyAttributes,
  attributesAnswer,
  checkSameAttributes,
  isFifo,
  loadConfig,
  mergeTags,
  newConfig,
  type QueueConfig,
  saveConfig,
} from './config';
import { deliveryPort } from './delivery-port';
import { DedupWindow, fifoDedupKey, wakeTimes } from './fifo';
import { Leases } from './leases';
import { ParkedPolls } from './long-poll';
import { type MoveTask, MoveTasks } from './move-tasks';
import { decodeReceipt } from './receipt';
import { changeByReceipt, deleteByReceipt } from './received';
import { type ReceiveOptions, receiveNow } from './receive';
import { ExpiryCleanup, retentionCutoff } from './retention';
import { checkSize, type SendOutcome, sendResult, sendStandard, visibleAtFor } from './send';
import { InstanceStats, queueStats } from './stats';
import { MessageStore } from './store';
import { alarmAtQuota, meterQueue, meterQueueMethods, restoreUsage } from './usage';
import { Waiters } from './waiters';

export type { MoveTask } from './move-tasks';
export type { ReceiveOptions } from './receive';

type EntryResult = { Id: string } | BatchError;
/** `redrivePolicy`: the stored one, so the registry's dead-letter link follows the queue, not a CreateQueue that omitted it. */
export type CreateResult = { created: boolean; createdAt: number; redrivePolicy?: string };

/** SQS allows one PurgeQueue per queue every 60 seconds. */
const PURGE_INTERVAL_MS = 60_000;

export class QueueDO extends DurableObject<Env> {
  #config: QueueConfig | null = null;
  readonly #sql: SqlCounters;
  readonly #store: MessageStore;
  readonly #leases = new Leases();
  readonly #dedup: DedupWindow;
  readonly #moveTasks: MoveTasks;
  readonly #cleanup: ExpiryCleanup;
  /** Long polls parked in the Worker on hibernatable WebSockets while this object hibernates (long-poll.ts). */
  readonly #polls = new ParkedPolls(this.ctx, {
    waitSeconds: (o) => o.waitTimeSeconds ?? Number(this.#requireConfig().attributes.ReceiveMessageWaitTimeSeconds ?? 0),
    receive: (o, now) => this.#receiveNow(o, now),
    nextVisibleAt: (now) => this.#store.nextVisibleAt(now),
    meter: () => this.#meter,
  });
  readonly #waiters = new Waiters(this.#polls);
  readonly #alarm: AlarmClock;
  readonly #delivery: Delivery;
  readonly #instance = new InstanceStats();
  readonly #meter: ReturnType<typeof meterQueue>;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = new SqlCounters(ctx.storage.sql);
    this.#meter = meterQueue(this, this.#sql);
    this.#store = new MessageStore(this.#sql, env.AWS_ACCOUNT_ID);
    this.#dedup = new DedupWindow(this.#sql);
    this.#moveTasks = new MoveTasks(this.#sql, this.#store, env);
    this.#cleanup = new ExpiryCleanup(this.#store);
    this.#alarm = new AlarmClock(ctx.storage, () => this.#meter.alarmWrite());
    const parts = { env, store: this.#store, leases: this.#leases, waiters: this.#waiters, meter: this.#meter };
    this.#delivery = new Delivery(deliveryPort({ ...parts, config: () => this.#config, requireConfig: () => this.#requireConfig() }), env);
    ctx.blockConcurrencyWhile(async () => {
      this.#store.migrate();
      this.#config = loadConfig(this.#sql);
      await this.#alarm.load();
      this.#delivery.load();
      restoreUsage(this, this.#meter, this.#store.deliveryState());
      this.#instance.started(this.#sql);
    });
  }

  /** Creates the queue, or checks that the given attributes match the existing one. */
  async create(name: string, given: QueueAttributes, tags: Record<string, string>, now: number): Promise<CreateResult> {
    if (this.#config) {
      checkSameAttributes(this.#config, given, name.endsWith('.fifo'));
      return { created: false, createdAt: this.#config.createdAt, redrivePolicy: this.#config.attributes.RedrivePolicy };
    }
    this.#config = newConfig(name, given, tags, now);
    this.#saveConfig();
    return { created: true, createdAt: now, redrivePolicy: this.#config.attributes.RedrivePolicy };
  }

  async exists(): Promise<boolean> {
    return this.#config !== null;
  }

  async deleteQueue(): Promise<void> {
    this.#requireConfig();
    this.#config = null;
    this.#delivery.reset();
    this.#leases.clear();
    await this.#alarm.clear();
    await this.ctx.storage.deleteAll();
    this.#store.migrate();
    this.#waiters.wakeAll();
  }

  async getAttributes(names: string[], now = Date.now()): Promise<QueueAttributes> {
    const config = this.#requireConfig();
    return attributesAnswer(config, names, queueArn(this.env, config.name), () => this.#counts(now));
  }

  async setAttributes(attributes: QueueAttributes, now: number): Promise<void> {
    applyAttributes(this.#requireConfig(), attributes, now);
    this.#saveConfig();
    await this.#scheduleAlarm();
  }

  async tag(tags: Record<string, string>): Promise<void> {
    mergeTags(this.#requireConfig(), tags);
    this.#saveConfig();
  }

  async untag(keys: string[]): Promise<void> {
    const config = this.#requireConfig();
    for (const key of keys) delete config.tags[key];
    this.#saveConfig();
  }

  async listTags(): Promise<Record<string, string>> {
    return { ...this.#requireConfig().tags };
  }

  async purge(now = Date.now()): Promise<void> {
    const config = this.#requireConfig();
    if (now - (config.lastPurgeAt ?? 0) < PURGE_INTERVAL_MS) {
      throw sqsError('PurgeQueueInProgress', 'Only one PurgeQueue operation on the queue is allowed every 60 seconds.');
    }
    config.lastPurgeAt = now;
    this.#saveConfig();
    this.#store.deleteAll();
    this.#dedup.clear();
    this.#leases.clear();
    await this.#scheduleAlarm();
  }

  /** Stores a batch of validated messages; one RPC for a whole SendMessageBatch. */
  async send(messages: NewMessage[], now = Date.now()): Promise<(SendResult | BatchError)[]> {
    const config = this.#requireConfig();
    const { results, stored } = isFifo(config) ? await this.#sendFifo(messages, config, now) : sendStandard(this.#store, messages, config, now);
    if (stored.length > 0) {
      if (this.#waiters.size > 0) for (const at of wakeTimes(this.#store, isFifo(config), stored)) this.#waiters.notify(1, at);
      await this.#noteDue(Math.min(...stored.map((m) => m.visibleAt)));
    }
    return results;
  }

  /** FIFO: one message at a time; a duplicate within the window answers as the first one did and stores nothing. */
  async #sendFifo(messages: NewMessage[], config: QueueConfig, now: number): Promise<SendOutcome> {
    this.#dedup.forgetExpired(now);
    const outcome: SendOutcome = { results: [], stored: [] };
    for (const message of messages) {
      try {
        checkSize(message, config);
        const dedupKey = await fifoDedupKey(message, config);
        const seen = this.#dedup.find(dedupKey);
        if (seen) {
          outcome.results.push(sendResult(message, seen.messageId, seen.seq, true));
          continue;
        }
        const messageId = crypto.randomUUID();
        const visibleAt = visibleAtFor(message, config, now);
        const seq = this.#store.insert({ ...message, messageId, sentAt: now, visibleAt }, now);
        this.#dedup.remember(dedupKey, messageId, seq, now);
        outcome.results.push(sendResult(message, messageId, seq, true));
        outcome.stored.push({ seq, visibleAt, groupId: message.groupId });
      } catch (error) {
        outcome.results.push(toBatchError(message.entryId ?? '', error));
      }
    }
    return outcome;
  }

  /** ReceiveMessage that may wait, from the Worker: answered now, or parked in the Worker (long-poll.ts). */
  override async fetch(request: Request): Promise<Response> {
    return this.#polls.open(request);
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    await this.#polls.message(ws, data);
  }

  override async webSocketClose(ws: WebSocket): Promise<void> {
    this.#polls.closed(ws);
  }

  /** ReceiveMessage by RPC (short polls; a long poll here waits inside the object, active: the Worker uses fetch). */
  async receive(options: ReceiveOptions): Promise<ReceivedMessage[]> {
    const config = this.#requireConfig();
    const waitSeconds = options.waitTimeSeconds ?? Number(config.attributes.ReceiveMessageWaitTimeSeconds ?? 0);
    const deadline = Date.now() + waitSeconds * 1000;
    for (;;) {
      const now = Date.now();
      const messages = await this.#receiveNow(options, now);
      if (messages.length > 0 || now >= deadline || !this.#config) return messages;
      const next = this.#store.nextVisibleAt(now);
      await this.#waiters.wait(Math.min(deadline, next ?? Infinity) - now);
    }
  }

  async #receiveNow(options: ReceiveOptions, now: number): Promise<ReceivedMessage[]> {
    const parts = { env: this.env, store: this.#store, leases: this.#leases, cleanup: this.#cleanup };
    const out = await receiveNow({ ...parts, countDeadLettered: (n) => this.#delivery.countDeadLettered(n) }, this.#requireConfig(), options, now);
    if (out === null) return [];
    await this.#scheduleAlarm();
    return out;
  }

  async deleteMessages(entries: { Id: string; ReceiptHandle: unknown }[], now = Date.now()): Promise<EntryResult[]> {
    const config = this.#requireConfig();
    const fifo = isFifo(config);
    const results = entries.map((entry) => {
      try {
        deleteByReceipt(this.#store, decodeReceipt(config.name, entry.ReceiptHandle), entry, fifo, now);
        return { Id: entry.Id };
      } catch (error) {
        return toBatchError(entry.Id, error);
      }
    });
    // FIFO: a delete may free its group for the next message in it.
    if (fifo) this.#waiters.notify(results.filter((r) => !('Code' in r)).length, now);
    await this.#scheduleAlarm();
    return results;
  }

  async changeVisibility(entries: { Id: string; ReceiptHandle: unknown; VisibilityTimeout: number }[], now = Date.now()): Promise<EntryResult[]> {
    const config = this.#requireConfig();
    const results = entries.map((entry) => {
      try {
        changeByReceipt(this.#store, this.#leases, decodeReceipt(config.name, entry.ReceiptHandle), entry, now);
        this.#waiters.notify(1, now + entry.VisibilityTimeout * 1000);
        return { Id: entry.Id };
      } catch (error) {
        return toBatchError(entry.Id, error);
      }
    });
    await this.#scheduleAlarm();
    return results;
  }

  /**
   * Messages arriving from another queue: ids and sent timestamps kept. `deadLetterSourceArn` is
   * the queue they failed in (a dead-letter move); absent for a redrive back to a source.
   */
  async moveIn(messages: StoredMessage[], deadLetterSourceArn?: string, now = Date.now()): Promise<number> {
    this.#requireConfig();
    // A dead-letter move of a failed batch shares rows here as its send did (store-packed.ts); FIFO never does.
    this.#store.insertMany(messages.map((m) => ({ ...m, visibleAt: now, deadLetterSourceArn })), now);
    if (messages.length > 0) {
      this.#waiters.notify(messages.length, now);
      await this.#noteDue(now);
    }
    return messages.length;
  }

  /** Peek for the dashboard: does not change visibility or receive counts. */
  async peek(limit: number, now = Date.now()): Promise<StoredMessage[]> {
    this.#requireConfig();
    return this.#store.oldest(retentionCutoff(this.#config, now), limit);
  }

  /** Redrive from this queue (as a DLQ): the task runs on this queue's alarm. */
  async startMoveTask(sourceArn: string, destinationArn: string | undefined, rate: number | undefined, now = Date.now()): Promise<string> {
    this.#requireConfig();
    const toMove = () => {
      const counts = this.#counts(now);
      return counts.visible + counts.inFlight + counts.delayed;
    };
    const task = this.#moveTasks.start(sourceArn, destinationArn, rate, toMove, now);
    await this.#alarm.setAt(now);
    return task.TaskHandle;
  }

  async listMoveTasks(limit: number): Promise<MoveTask[]> {
    this.#requireConfig();
    return this.#moveTasks.list(limit);
  }

  async cancelMoveTask(handle: string): Promise<number> {
    return this.#moveTasks.cancel(handle);
  }

  async setMapping(mapping: Mapping | null): Promise<void> {
    this.#delivery.setMapping(mapping);
    await this.#scheduleAlarm();
  }

  async getMapping(): Promise<Mapping | null> {
    return this.#delivery.mapping;
  }

  async stats(now = Date.now()) {
    const parts = { env: this.env, sql: this.#sql, store: this.#store, alarmAt: this.#alarm.at, delivery: this.#delivery, instance: this.#instance };
    return queueStats(this.#requireConfig(), { ...parts, meter: this.#meter }, now);
  }

  override async alarm(): Promise<void> {
    this.#alarm.fired();
    this.#instance.alarmRuns++;
    return this.#deliverDue().catch((error) => alarmAtQuota(error, this.#alarm));
  }

  /** Re-arms the alarm if due work has none (the cron's first run after the daily reset calls it). */
  async wake(): Promise<void> {
    await this.#scheduleAlarm();
  }

  async #deliverDue(): Promise<void> {
    const config = this.#config;
    if (!config) return;
    const now = Date.now();
    // Expired front rows first; a full clean-up batch means more may be expired: run again at once.
    let again = this.#cleanup.run(config, now);
    // One budget for the run: every subrequest counts against the invocation's 50, move tasks' included.
    const budget = new RunBudget(now);
    again = (await this.#moveTasks.runChunk(retentionCutoff(config, now), budget)) || again;
    again = (await this.#delivery.run(now, budget)) || again;
    if (again) await this.#alarm.setAt(Date.now());
    else await this.#scheduleAlarm();
  }

  /**
   * Keeps the invariant: an alarm is set iff there is due-able work, at the earliest due time.
   * Work is a running move task, messages for a mapped function, or messages to expire. Expired
   * front rows go first, so none of them makes a due time in the past.
   */
  async #scheduleAlarm(): Promise<void> {
    const now = Date.now();
    const more = this.#cleanup.run(this.#config, now);
    let work: number | null = more || this.#moveTasks.running() ? now : null;
    const deliveryDue = this.#delivery.nextDue(now);
    if (deliveryDue !== null) work = work === null ? deliveryDue : Math.min(work, deliveryDue);
    await this.#alarm.schedule(work, this.#cleanup.nextExpiry(this.#config));
  }

  /** A message became due at `at`: pull the alarm earlier if delivery needs it, or set it for retention. */
  async #noteDue(at: number): Promise<void> {
    const mapping = this.#delivery.mapping;
    // No alarm yet: retention needs one (an alarm already set is due no later than the oldest message's expiry).
    if (this.#alarm.at === null) return this.#scheduleAlarm();
    if (!mapping) return;
    // A batching window may close early when the batch fills: that needs the full computation.
    if (mapping.maximumBatchingWindowInSeconds > 0) return this.#scheduleAlarm();
    const due = this.#delivery.dueFor(at);
    if (due !== null && due < this.#alarm.at) await this.#alarm.setAt(due);
  }

  #counts(now: number) {
    return this.#store.counts(now, retentionCutoff(this.#config, now));
  }

  #requireConfig(): QueueConfig {
    if (!this.#config) throw sqsError('QueueDoesNotExist', 'The specified queue does not exist.');
    return this.#config;
  }

  #saveConfig(): void {
    saveConfig(this.#sql, this.#config);
  }
}

rpcSafe(QueueDO, [
  'create', 'deleteQueue', 'getAttributes', 'setAttributes', 'tag', 'untag', 'listTags', 'purge', 'send', 'receive',
  'deleteMessages', 'changeVisibility', 'moveIn', 'peek', 'startMoveTask', 'listMoveTasks', 'cancelMoveTask', 'stats', 'wake',
]);
meterQueueMethods(QueueDO);
