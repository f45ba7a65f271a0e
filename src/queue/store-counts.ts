/**
 * The three SQS counts without reading the visible backlog (issue 10 point 10), with rows out for delivery in flight
 * exactly once (their lease is stored in the row, issue 10 point 1).
 *
 * The tally keeps, in memory, the number of messages in `messages` (a packed row holds n, store-packed.ts) and the
 * rows that carry a stored lease (seq → lease_until and the messages the row holds). Both are read once, lazily, per object start (one scan: a persisted counter would cost one more billed
 * row per send and per delete), then kept by MessageStore, which tells it of every insert, delete and lease it makes.
 * A count then reads only the invisible rows, a range of the primary key:
 *   leased visible = live stored leases − leased rows among the invisible ones (a function moved its record);
 *   visible        = total − invisible − leased visible;
 *   in flight      = received invisible rows (a lease raised receive_count) + leased visible.
 * Expired rows still visible count until the retention clean-up deletes them (the names say Approximate).
 */
import type { SqlCounters } from '../shared/sql';

export interface MessageCounts {
  visible: number;
  inFlight: number;
  delayed: number;
}

export class MessageTally {
  /** messages in `messages`; null until first needed (or after the schema was made anew) */
  #total: number | null = null;
  /** rows with a stored lease, seq → lease_until and messages in the row; ended ones are dropped as counts go */
  readonly #leases = new Map<number, { until: number; n: number }>();

  constructor(private readonly sql: SqlCounters) {}

  /** Storage made or wiped from outside (a start, DeleteQueue): read again when next needed. */
  forget(): void {
    this.#total = null;
    this.#leases.clear();
  }

  /** Every row deleted (PurgeQueue). */
  emptied(): void {
    this.#total = 0;
    this.#leases.clear();
  }

  /** A row of `n` messages inserted. */
  inserted(n = 1): void {
    if (this.#total !== null) this.#total += n;
  }

  /** Rows a DELETE returned (seq and n of each). */
  deleted(rows: Record<string, SqlStorageValue>[]): void {
    if (this.#total === null) return;
    for (const row of rows) {
      this.#total = Math.max(0, this.#total - ((row.n as number | null) ?? 1));
      this.#leases.delete(row.seq as number);
    }
  }

  /** Rows a claim's UPDATE returned (seq and n of each): leased until `until`. */
  leased(rows: Record<string, SqlStorageValue>[], until: number): void {
    if (this.#total === null) return;
    for (const row of rows) this.#leases.set(row.seq as number, { until, n: (row.n as number | null) ?? 1 });
  }

  /** A packed row of `n` messages at `seq` became n single rows at seq … seq + n − 1, its lease on each. */
  split(seq: number, n: number): void {
    const lease = this.#leases.get(seq);
    if (!lease) return;
    for (let i = 0; i < n; i++) this.#leases.set(seq + i, { until: lease.until, n: 1 });
  }

  /** A lease cleared (a failed delivery returned the row). */
  unleased(seqs: number[]): void {
    for (const seq of seqs) this.#leases.delete(seq);
  }

  counts(now: number, cutoff: number): MessageCounts {
    const total = this.#load(now);
    const row = this.sql.one(
      `SELECT COALESCE(SUM(n), 0) AS invisible,
              COALESCE(SUM((sent_at > ?2 AND receive_count > 0) * n), 0) AS in_flight,
              COALESCE(SUM((sent_at > ?2 AND receive_count = 0) * n), 0) AS delayed,
              COALESCE(SUM((lease_until > ?1) * n), 0) AS leased
       FROM messages WHERE visible_at > ?1`,
      now,
      cutoff,
    )!;
    const leasedVisible = Math.max(0, this.#liveLeases(now) - (row.leased as number));
    return {
      visible: Math.max(0, total - (row.invisible as number) - leasedVisible),
      inFlight: (row.in_flight as number) + leasedVisible,
      delayed: row.delayed as number,
    };
  }

  /** The total, counting the table (and its live leases) in one scan the first time. */
  #load(now: number): number {
    if (this.#total !== null) return this.#total;
    const row = this.sql.one(
      `SELECT COALESCE(SUM(n), 0) AS n, json_group_array(json_array(seq, lease_until, n)) FILTER (WHERE lease_until > ?) AS leased FROM messages`,
      now,
    )!;
    this.#leases.clear();
    for (const [seq, until, n] of JSON.parse(row.leased as string) as [number, number, number][]) this.#leases.set(seq, { until, n });
    this.#total = row.n as number;
    return this.#total;
  }

  #liveLeases(now: number): number {
    let live = 0;
    for (const [seq, lease] of this.#leases) {
      if (lease.until > now) live += lease.n;
      else this.#leases.delete(seq);
    }
    return live;
  }
}
