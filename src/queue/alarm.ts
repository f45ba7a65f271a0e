/**
 * The object's one alarm, with its time mirrored in memory so an unchanged time costs no write
 * (each setAlarm() is a billed row written).
 */
export class AlarmClock {
  #at: number | null = null;
  /** the alarm set was for retention only (kept in memory: after a restart, treated as not) */
  #forRetention = false;

  /** `onWrite`: told of each setAlarm()/deleteAlarm(), billed rows written (src/shared/usage.ts counts them). */
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly onWrite: () => void = () => {},
  ) {}

  /** Reads the stored alarm after a start. */
  async load(): Promise<void> {
    this.#at = await this.storage.getAlarm();
  }

  get at(): number | null {
    return this.#at;
  }

  /** The alarm has fired: none is set until the run sets one. */
  fired(): void {
    this.#at = null;
    this.#forRetention = false;
  }

  async setAt(at: number): Promise<void> {
    this.#forRetention = false;
    if (this.#at === at) return;
    this.#at = at;
    try {
      await this.storage.setAlarm(at);
    } catch (error) {
      // Refused (say at a quota): no alarm is known to be set, so the next scheduling tries again.
      this.#at = null;
      throw error;
    }
    this.onWrite();
  }

  /** Sets the alarm to `due`, or deletes it when nothing is due. */
  async setOrClear(due: number | null): Promise<void> {
    if (due === this.#at) return;
    if (due === null) await this.clear();
    else await this.setAt(due);
  }

  /**
   * Arms the alarm for `work` (delivery, move tasks: exactly as `setOrClear`) and for retention's `expiry`. With
   * no work, a retention alarm already set stays even when the front message (so the expiry) changes or the queue
   * empties: moving or deleting it would cost a billed write on every receive, and it fires at most once for
   * nothing. Only an expiry earlier than the alarm, or no alarm at all, costs a write.
   */
  async schedule(work: number | null, expiry: number | null): Promise<void> {
    if (work !== null) {
      await this.setOrClear(expiry === null ? work : Math.min(work, expiry));
      this.#forRetention = expiry !== null && expiry < work;
    } else if (expiry !== null) {
      if (this.#at === null || expiry < this.#at) await this.setAt(expiry);
      this.#forRetention = true;
    } else if (!this.#forRetention) {
      await this.setOrClear(null);
    }
  }

  async clear(): Promise<void> {
    await this.storage.deleteAlarm();
    this.#at = null;
    this.#forRetention = false;
    this.onWrite();
  }
}
