/**
 * A fixed-size latency histogram (milliseconds). Bucket bounds grow roughly
 * 1-2-3-5 per decade, so a histogram is a short array of counts that merges by
 * addition and costs one small loop to record into: cheap enough for the
 * delivery path, and small enough to ship once a second.
 */

/** Upper bounds (exclusive) of each bucket, in ms; the last bucket is everything above. */
export const BUCKET_BOUNDS_MS = [
  1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100, 120, 150, 200, 250, 300, 400, 500, 600, 800, 1_000, 1_500, 2_000, 3_000,
  5_000, 10_000, 30_000,
] as const;

/** Number of buckets (one more than bounds: the overflow bucket). */
export const BUCKETS = BUCKET_BOUNDS_MS.length + 1;

export function emptyHistogram(): number[] {
  return new Array<number>(BUCKETS).fill(0);
}

export function bucketOf(ms: number): number {
  for (let i = 0; i < BUCKET_BOUNDS_MS.length; i++) if (ms < BUCKET_BOUNDS_MS[i]!) return i;
  return BUCKET_BOUNDS_MS.length;
}

/** Adds `b` into `a` (both fixed-size); ignores anything past the known buckets. */
export function mergeInto(a: number[], b: readonly number[]): void {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) a[i]! += b[i] ?? 0;
}

export function total(h: readonly number[]): number {
  let n = 0;
  for (const c of h) n += c;
  return n;
}

/**
 * The `p`-th percentile (0–100), as the upper bound of the bucket it falls in
 * (an over-estimate by at most one bucket's width); null when empty. The
 * overflow bucket reports its lower bound.
 */
export function percentile(h: readonly number[], p: number): number | null {
  const count = total(h);
  if (count === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * count));
  let seen = 0;
  for (let i = 0; i < h.length; i++) {
    seen += h[i]!;
    if (seen >= rank) return BUCKET_BOUNDS_MS[i] ?? BUCKET_BOUNDS_MS[BUCKET_BOUNDS_MS.length - 1]!;
  }
  return BUCKET_BOUNDS_MS[BUCKET_BOUNDS_MS.length - 1]!;
}
