/**
 * The object's one alarm, with its time mirrored in memory so an unchanged time costs no write
 * (each setAlarm() is a billed row written).
 */
export class AlarmClock {
  #at: number | null = null;

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
  }

  async setAt(at: number): Promise<void> {
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

  async clear(): Promise<void> {
    await this.storage.deleteAlarm();
    this.#at = null;
    this.onWrite();
  }
}
