/**
 * Helpers of the deques kept as rings of (time, value) pairs in one plain array of a power-of-two
 * number of pairs (TimeMax, TimeRange): grown by doubling, shrunk by a trim, never spliced.
 */

/** The smallest power of two ≥ n (1 for n ≤ 1). */
export function pow2AtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * A pair ring of `pairs` pairs (a power of two) holding the `count` live pairs of `q` (from pair
 * `head`, wrapping with `mask`) from pair 0 on.
 */
export function regrown(q: number[], head: number, count: number, mask: number, pairs: number): number[] {
  const out = new Array<number>(2 * pairs);
  for (let i = 0; i < count; i++) {
    const j = ((head + i) & mask) << 1;
    out[2 * i] = q[j]!;
    out[2 * i + 1] = q[j + 1]!;
  }
  return out;
}
