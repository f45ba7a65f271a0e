/**
 * This instance's view of the messages it has out: a cache of the leases stored in the message rows (store.ts),
 * never the only record of them. It knows what storage does not need to: where a row the function moved with
 * ChangeMessageVisibility now is, and the visibility the function asked for if its invocation fails; and which
 * messages a dead-letter move has in hand, so no other worker takes them meanwhile. A restart loses it, and loses
 * nothing: the stored lease keeps the rows in flight until it ends.
 */
import type { RowKey } from './store';

export interface Lease {
  seq: number;
  /** the row's key now: where it was claimed, or where the function moved it */
  visibleAt: number;
  /** the receive this delivery is: the function's receipt handles carry it */
  nonce: string;
  /** set when the function calls ChangeMessageVisibility on this message during its invocation */
  visibleAtOverride?: number;
}

export class Leases {
  #held = new Map<number, Lease>();
  #moving = new Set<number>();

  hold(batch: RowKey[], nonce: string): Lease[] {
    return batch.map((message) => {
      const lease: Lease = { seq: message.seq, visibleAt: message.visibleAt, nonce };
      this.#held.set(message.seq, lease);
      return lease;
    });
  }

  get(seq: number): Lease | undefined {
    return this.#held.get(seq);
  }

  /** ChangeMessageVisibility by the function itself: the row moved there, and goes there if the invocation fails. */
  overrideVisibility(seq: number, visibleAt: number): void {
    const lease = this.#held.get(seq);
    if (!lease) return;
    lease.visibleAtOverride = visibleAt;
    lease.visibleAt = visibleAt;
  }

  /** The row's key now: moved by the function, or as taken. */
  keyOf<K extends RowKey>(message: K): K {
    const lease = this.#held.get(message.seq);
    return lease && lease.visibleAt !== message.visibleAt ? { ...message, visibleAt: lease.visibleAt } : message;
  }

  release(seqs: number[]): void {
    for (const seq of seqs) this.#held.delete(seq);
  }

  /** Takes messages for a dead-letter move; returns those no other worker is moving. */
  startMove<K extends RowKey>(messages: K[]): K[] {
    const mine = messages.filter((m) => !this.#moving.has(m.seq));
    for (const m of mine) this.#moving.add(m.seq);
    return mine;
  }

  endMove(messages: RowKey[]): void {
    for (const m of messages) this.#moving.delete(m.seq);
  }

  clear(): void {
    this.#held.clear();
    this.#moving.clear();
  }

  get size(): number {
    return this.#held.size;
  }

  /** Seqs no selection may take: out for delivery here (also leased in storage) or being dead-lettered. */
  excluded(): Set<number> {
    return new Set([...this.#held.keys(), ...this.#moving]);
  }
}
