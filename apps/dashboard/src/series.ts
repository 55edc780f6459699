/**
 * A bounded, seq-ordered window of points (and alerts) for one channel.
 * Live messages and history backfills both go through `add`, keyed by the
 * message's `seq`, so the same message arriving twice (replay, backfill
 * overlapping the live stream) is kept once, and a backfill fills any hole
 * a dropped socket left. Holds at most `capacity` points: the newest by seq.
 */
import type { SeqPoint } from '../shared/types.ts';

export class SeqWindow<T> {
  private readonly bySeq = new Map<number, T>();
  /** Seqs in ascending order. */
  private seqs: number[] = [];
  private cache: Array<SeqPoint<T>> | null = null;

  readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get size(): number {
    return this.seqs.length;
  }

  /** Adds a point; false when it is already there or older than everything kept in a full window. */
  add(seq: number, value: T): boolean {
    if (this.bySeq.has(seq)) return false;
    const full = this.seqs.length >= this.capacity;
    if (full && seq < this.seqs[0]!) return false;
    this.bySeq.set(seq, value);
    const last = this.seqs[this.seqs.length - 1];
    if (last === undefined || seq > last) {
      this.seqs.push(seq);
    } else {
      // Out of order (a backfill): binary-search the slot.
      let lo = 0;
      let hi = this.seqs.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.seqs[mid]! < seq) lo = mid + 1;
        else hi = mid;
      }
      this.seqs.splice(lo, 0, seq);
    }
    while (this.seqs.length > this.capacity) this.bySeq.delete(this.seqs.shift()!);
    this.cache = null;
    return true;
  }

  /** The window, oldest first (the same array until the next change). */
  points(): Array<SeqPoint<T>> {
    this.cache ??= this.seqs.map((seq) => ({ seq, value: this.bySeq.get(seq)! }));
    return this.cache;
  }

  last(): SeqPoint<T> | null {
    const seq = this.seqs[this.seqs.length - 1];
    return seq === undefined ? null : { seq, value: this.bySeq.get(seq)! };
  }
}
