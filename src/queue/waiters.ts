/** Long polls waiting inside the object: a send, a move or a settled delivery wakes them at once. */
export class Waiters {
  #waiting = new Set<() => void>();

  /** Resolves after `ms`, or sooner when `wakeAll` is called. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.#waiting.add(done);
    });
  }

  wakeAll(): void {
    for (const wake of [...this.#waiting]) wake();
  }
}
