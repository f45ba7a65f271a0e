/**
 * The delivery engine inside a queue's Durable Object: on each alarm it takes due messages,
 * invokes the mapped function with the SQS event, and settles each message by the outcome.
 * It works only through the port the queue hands it (src/delivery/port.ts): no rows, no SQL.
 */
import type { Env } from '../env';
import { RunBudget } from './budget';
import { compileFilterCriteria, type CompiledFilter } from './filter';
import { ASYNC_MAX_PAYLOAD_BYTES } from './batching';
import { invocationOf, type Mapping } from './mapping';
import type { DeliveryPort } from './port';
import { DeliveryReport, type SavedReport } from './report';
import { deliverWaves } from './waves';

export type { DeliveryLogEntry } from './report';

export class Delivery {
  #mapping: Mapping | null = null;
  #filter: CompiledFilter | null = null;
  /** why the mapping's FilterCriteria cannot be applied; while set, delivery holds every message */
  #filterError: string | null = null;
  readonly #report = new DeliveryReport();
  /** Lambda's asynchronous payload limit as this instance last learnt it (a 413 naming a lower one lowers it) */
  readonly #asyncPayloadLimit = { bytes: ASYNC_MAX_PAYLOAD_BYTES };

  constructor(
    private readonly port: DeliveryPort,
    private readonly env: Env,
  ) {}

  get mapping(): Mapping | null {
    return this.#mapping;
  }

  /** Restores the mapping, log and counters after the object starts. */
  load(): void {
    for (const [key, value] of this.port.loadState()) {
      if (key === 'mapping') this.#applyMapping(value as Mapping | null);
      if (key === 'report') this.#report.restore(value as SavedReport);
    }
  }

  reset(): void {
    this.#mapping = null;
    this.#filter = null;
    this.#filterError = null;
    this.#report.reset();
  }

  setMapping(mapping: Mapping | null): void {
    this.#applyMapping(mapping);
    this.port.saveState('mapping', mapping);
  }

  #applyMapping(mapping: Mapping | null): void {
    this.#mapping = mapping;
    this.#filterError = null;
    try {
      this.#filter = mapping?.filterCriteria ? compileFilterCriteria(mapping.filterCriteria) : null;
    } catch (error) {
      // A pattern sqsflare cannot apply must not decide anything: records matching no filter are deleted, so
      // "matches nothing" would delete every message. Hold delivery (no invocation, no deletion, no alarm) and say
      // why on the dashboard, until the mapping changes.
      this.#filter = null;
      this.#filterError = `FilterCriteria cannot be applied; delivery is held: ${(error as Error).message}`;
      console.warn(`${mapping?.functionArn}: ${this.#filterError}`);
    }
  }

  /** A consumer's receive moved messages to the dead-letter queue: counted with delivery's own. */
  countDeadLettered(n: number): void {
    this.#report.counters.deadLettered += n;
  }

  report() {
    return { ...this.#report.snapshot(this.port.claimed()), filterError: this.#filterError };
  }

  /** Report rows written by this instance: benchmarks tell them apart from the rows that messages cost. */
  get reportRowsWritten(): number {
    return this.#report.rowsWritten;
  }

  /** When the alarm should next fire for messages that become visible at `visibleAt`; null while delivery is held. */
  dueFor(visibleAt: number): number | null {
    if (this.#filterError) return null;
    return visibleAt + (this.#mapping?.maximumBatchingWindowInSeconds ?? 0) * 1000;
  }

  /**
   * Earliest time delivery has work, or null: no mapping, a filter that holds delivery, or nothing
   * waiting. A message out for delivery waits until its stored lease ends, so a lease left by a run
   * that died (the object evicted or killed) brings the alarm back for it then, and not before.
   */
  nextDue(now: number): number | null {
    if (!this.#mapping || this.#filterError) return null;
    const earliest = this.port.earliestDue();
    if (earliest === null) return null;
    const window = this.#mapping.maximumBatchingWindowInSeconds * 1000;
    const batchSize = this.#mapping.batchSize;
    if (earliest <= now && this.port.settings().fifo && this.port.due(now, 1).length === 0) {
      // Every due message belongs to a group with a batch in flight: wake when something changes.
      return this.port.nextVisibleAt(now);
    }
    if (window === 0) return earliest;
    // With a batching window: now if a full batch is waiting, else when the window closes.
    return earliest <= now && this.port.dueCount(now, batchSize) >= batchSize ? now : earliest + window;
  }

  /**
   * One alarm run: deliver due batches with bounded concurrency, within the run's budget of
   * subrequests and wall time. Returns true when due work remains (the caller re-arms the alarm at
   * once). No lease alarm is set before invoking: each batch's lease is stored in its rows before its
   * call, and Cloudflare retries an alarm whose handler did not complete ("Alarms have guaranteed
   * at-least-once execution and are retried automatically",
   * https://developers.cloudflare.com/durable-objects/api/alarms/); that run, or the next, finds the
   * rows leased and sets the alarm for the lease's end.
   */
  async run(now: number, budget = new RunBudget(now)): Promise<boolean> {
    const mapping = this.#mapping;
    if (!mapping || this.#filterError) return false;
    this.#report.counters.alarmRuns++;
    const settings = this.port.settings();
    const maxReceiveCount = this.port.maxReceiveCount();
    const moreDue = await deliverWaves({
      port: this.port,
      env: this.env,
      mapping,
      filter: this.#filter,
      report: this.#report,
      awsRegion: this.env.AWS_REGION,
      fifo: settings.fifo,
      maxReceiveCount,
      budget,
      mode: invocationOf(mapping).mode,
      asyncPayloadLimit: this.#asyncPayloadLimit,
    });
    this.#report.saveIfDue((report) => this.port.saveState('report', report));
    return moreDue;
  }
}
