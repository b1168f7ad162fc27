/**
 * Helpers of the deques kept as rings of (time, value) pairs in one plain array of a power-of-two
 * number of pairs (the reference TimeMax): grown by doubling, shrunk by a trim, never spliced.
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
  // Built by pushes, then copied: a packed array of exactly 2 × pairs slots (new Array(n) is holey).
  const out: number[] = [];
  for (let i = 0; i < pairs; i++) {
    const j = ((head + i) & mask) << 1;
    if (i < count) out.push(q[j]!, q[j + 1]!);
    else out.push(0, 0);
  }
  return out.slice();
}
