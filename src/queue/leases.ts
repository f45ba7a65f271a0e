/**
 * Messages out for delivery to the mapped function. Held in memory only (rows are not rewritten
 * to mark them in flight): a success deletes the row, so a delivered message costs one insert and
 * one delete. If the runtime dies mid-delivery the rows are still visible, and the lease alarm the
 * delivery engine set before invoking redelivers them.
 */
import { newNonce } from './receipt';
import type { RowKey } from './store';

export interface Lease {
  seq: number;
  /** the row's key while it is out: rows are not rewritten to mark them in flight */
  visibleAt: number;
  /** the receive this delivery is: the function's receipt handles carry it */
  nonce: string;
  groupId?: string;
  /** set when the function calls ChangeMessageVisibility on this message during its invocation */
  visibleAtOverride?: number;
}

export class Leases {
  #held = new Map<number, Lease>();

  /** Claims messages for one invocation; FIFO claims hold their group back from every other taker. */
  claim(batch: (RowKey & { groupId?: string })[], fifo: boolean): Lease[] {
    return batch.map((message) => {
      const lease: Lease = { seq: message.seq, visibleAt: message.visibleAt, nonce: newNonce(), groupId: fifo ? message.groupId : undefined };
      this.#held.set(message.seq, lease);
      return lease;
    });
  }

  get(seq: number): Lease | undefined {
    return this.#held.get(seq);
  }

  /** ChangeMessageVisibility by the function itself: where the message goes if the invocation fails. */
  overrideVisibility(seq: number, visibleAt: number): void {
    const lease = this.#held.get(seq);
    if (lease) lease.visibleAtOverride = visibleAt;
  }

  release(seqs: number[]): void {
    for (const seq of seqs) this.#held.delete(seq);
  }

  clear(): void {
    this.#held.clear();
  }

  get size(): number {
    return this.#held.size;
  }

  seqs(): Set<number> {
    return new Set(this.#held.keys());
  }

  groups(): string[] {
    const groups = new Set<string>();
    for (const lease of this.#held.values()) if (lease.groupId !== undefined) groups.add(lease.groupId);
    return [...groups];
  }
}
