/**
 * Long polls waiting inside the object (the `receive` RPC), then the ones parked in the Worker (long-poll.ts). A send
 * wakes only as many as its messages can satisfy, the longest-waiting first, and a delayed message wakes one when it
 * becomes due, not before: waking every poll for one message would make all but one read the table again for nothing.
 */
interface Waiter {
  /** when it wakes by itself: its deadline, or the next message it knows will become visible */
  until: number;
  timer: ReturnType<typeof setTimeout>;
  wake(): void;
}

/** Long polls parked outside the object (long-poll.ts): notified after the ones waiting inside it. */
export interface ParkedWaiters {
  readonly size: number;
  /** returns how many of `count` it took */
  notify(count: number, at: number): number;
  wakeAll(): void;
}

export class Waiters {
  /** longest waiting first */
  #waiting: Waiter[] = [];

  constructor(private readonly parked?: ParkedWaiters) {}

  /** Resolves after `ms`, or sooner when `notify` picks it or `wakeAll` is called. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const waiter: Waiter = {
        until: Date.now() + Math.max(0, ms),
        timer: setTimeout(() => waiter.wake(), Math.max(0, ms)),
        wake: () => {
          clearTimeout(waiter.timer);
          this.#waiting = this.#waiting.filter((w) => w !== waiter);
          resolve();
        },
      };
      this.#waiting.push(waiter);
    });
  }

  get size(): number {
    return this.#waiting.length + (this.parked?.size ?? 0);
  }

  /** `count` messages become receivable at `at`: that many waiters that would sleep past it wake then. */
  notify(count: number, at: number): void {
    const now = Date.now();
    let left = count;
    for (const waiter of [...this.#waiting]) {
      if (left <= 0) return;
      if (waiter.until <= at) continue;
      left--;
      if (at <= now) {
        waiter.wake();
      } else {
        clearTimeout(waiter.timer);
        waiter.until = at;
        waiter.timer = setTimeout(() => waiter.wake(), at - now);
      }
    }
    if (left > 0) this.parked?.notify(left, at);
  }

  /** Every waiter, at once: the queue was deleted, or a delivery settled (whatever it freed). */
  wakeAll(): void {
    for (const waiter of [...this.#waiting]) waiter.wake();
    this.parked?.wakeAll();
  }
}
