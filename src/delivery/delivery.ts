/**
 * The delivery engine inside a queue's Durable Object: on each alarm it takes due messages,
 * invokes the mapped function with the SQS event, and settles each message by the outcome.
 * It works only through the port the queue hands it (src/delivery/port.ts): no rows, no SQL.
 */
import type { Env } from '../env';
import { compileFilterCriteria, type CompiledFilter } from './filter';
import type { Mapping } from './mapping';
import type { DeliveryPort } from './port';
import { DeliveryReport, type SavedReport } from './report';
import { deliverWaves } from './waves';

export type { DeliveryLogEntry } from './report';

export class Delivery {
  #mapping: Mapping | null = null;
  #filter: CompiledFilter | null = null;
  readonly #report = new DeliveryReport();
  #leaseUntil = 0;

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
    this.#report.reset();
  }

  setMapping(mapping: Mapping | null): void {
    this.#applyMapping(mapping);
    this.port.saveState('mapping', mapping);
  }

  #applyMapping(mapping: Mapping | null): void {
    this.#mapping = mapping;
    try {
      this.#filter = mapping?.filterCriteria ? compileFilterCriteria(mapping.filterCriteria) : null;
    } catch (error) {
      // An invalid pattern would be rejected by AWS when the mapping is created; deliver nothing through it.
      console.warn(`invalid FilterCriteria for ${mapping?.functionArn}: ${(error as Error).message}`);
      this.#filter = { matches: () => false };
    }
  }

  /** A consumer's receive moved messages to the dead-letter queue: counted with delivery's own. */
  countDeadLettered(n: number): void {
    this.#report.counters.deadLettered += n;
  }

  report() {
    return this.#report.snapshot(this.port.claimed());
  }

  /** Report rows written by this instance: benchmarks tell them apart from the rows that messages cost. */
  get reportRowsWritten(): number {
    return this.#report.rowsWritten;
  }

  /** When the alarm should next fire for messages that become visible at `visibleAt`. */
  dueFor(visibleAt: number): number {
    return visibleAt + (this.#mapping?.maximumBatchingWindowInSeconds ?? 0) * 1000;
  }

  /**
   * Earliest time delivery has work, or null: no mapping, or nothing waiting. Messages out for
   * delivery are not waiting, but while any are, the lease keeps an alarm for crash recovery.
   */
  nextDue(now: number): number | null {
    if (!this.#mapping) return null;
    let due: number | null = null;
    const earliest = this.port.earliestWaiting();
    if (earliest !== null) {
      const window = this.#mapping.maximumBatchingWindowInSeconds * 1000;
      const batchSize = this.#mapping.batchSize;
      if (earliest <= now && this.port.settings().fifo && this.port.due(now, 1).length === 0) {
        // Every due message belongs to a group with a batch in flight: wake when something changes.
        due = this.port.nextVisibleAt(now);
      } else if (window === 0) {
        due = earliest;
      } else {
        // With a batching window: now if a full batch is waiting, else when the window closes.
        due = earliest <= now && this.port.dueCount(now, batchSize) >= batchSize ? now : earliest + window;
      }
    }
    if (this.port.claimed() > 0) due = Math.min(due ?? Infinity, this.#leaseUntil);
    return due;
  }

  /**
   * One alarm run: deliver due batches with bounded concurrency and a bounded number of
   * invocations. Returns true when due work remains (the caller re-arms the alarm at once).
   */
  async run(now: number): Promise<boolean> {
    const mapping = this.#mapping;
    if (!mapping) return false;
    this.#report.counters.alarmRuns++;
    const settings = this.port.settings();
    const maxReceiveCount = this.port.maxReceiveCount();
    // Lease: if the runtime dies mid-delivery, the alarm comes back after the visibility timeout.
    if (this.port.due(now, 1).length > 0) {
      this.#leaseUntil = now + Math.max(1, settings.visibilityTimeoutSeconds) * 1000;
      await this.port.armLease(this.#leaseUntil);
    }
    const moreDue = await deliverWaves({
      port: this.port,
      env: this.env,
      mapping,
      filter: this.#filter,
      report: this.#report,
      awsRegion: this.env.AWS_REGION,
      fifo: settings.fifo,
      maxReceiveCount,
    });
    this.#report.saveIfDue((report) => this.port.saveState('report', report));
    return moreDue;
  }
}
