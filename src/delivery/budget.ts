/**
 * What one alarm run may spend: Workers Free's 50 subrequests per invocation (every Lambda call attempt, throttle
 * retries included, every fan-out RPC, every dead-letter move), and the alarm handler's 15 minutes of wall time
 * (https://developers.cloudflare.com/durable-objects/platform/limits/). A run stops starting work it cannot finish
 * inside both, and the caller re-arms the alarm at once.
 */
import { ALARM_WALL_LIMIT_MS, SUBREQUESTS_PER_INVOCATION } from '../shared/platform';

/** Room left at the end of a run for settling and re-arming after the last call returns. */
export const ALARM_MARGIN_MS = 60_000;

export class RunBudget {
  #subrequests: number;
  /** no call may still be running past this */
  readonly deadline: number;
  /** the run's whole wall time: no single call may wait longer */
  readonly wallMs: number;
  /** set when the run stopped for want of budget: due work may remain */
  exhausted = false;

  constructor(startedAt: number, subrequests = SUBREQUESTS_PER_INVOCATION, wallMs = ALARM_WALL_LIMIT_MS - ALARM_MARGIN_MS) {
    this.#subrequests = subrequests;
    this.wallMs = wallMs;
    this.deadline = startedAt + wallMs;
  }

  get subrequests(): number {
    return this.#subrequests;
  }

  /** Takes `n` subrequests if that many are left. */
  take(n = 1): boolean {
    if (this.#subrequests < n) {
      this.exhausted = true;
      return false;
    }
    this.#subrequests -= n;
    return true;
  }

  /** Returns subrequests taken in reserve and not used. */
  give(n: number): void {
    this.#subrequests += n;
  }

  /** Whether a call of up to `durationMs` started now ends inside the run's wall time. */
  fits(durationMs: number, now = Date.now()): boolean {
    if (now + durationMs <= this.deadline) return true;
    this.exhausted = true;
    return false;
  }
}
