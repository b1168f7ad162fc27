/**
 * Median by selection (expected O(n)) in a reused scratch buffer: the same value a full sort gives
 * (the median is an order statistic), without sorting or allocating per call. Values must not be NaN.
 */
let scratch = new Float64Array(64);

export function medianOf(src: ArrayLike<number>, n: number): number {
  const a = scratchOf(n);
  for (let i = 0; i < n; i++) a[i] = src[i]!;
  return medianInPlace(a, n);
}

/** A reused buffer of at least n values, for a caller that gathers values itself (then `medianInPlace`). */
export function scratchOf(n: number): Float64Array {
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, scratch.length * 2));
  return scratch;
}

/** Median of a[0, n), rearranging them (selection). */
export function medianInPlace(a: Float64Array, n: number): number {
  if (n === 0) return NaN;
  const hi = n >> 1;
  select(a, n, hi);
  if (n % 2 === 1) return a[hi]!;
  // Even n: the lower middle is the largest value left of the upper middle after selection.
  let lower = a[0]!;
  for (let i = 1; i < hi; i++) if (a[i]! > lower) lower = a[i]!;
  return (lower + a[hi]!) / 2;
}

/** The k-th smallest of a[0, n) (0-based), rearranging them (selection): what a sort would put at k. */
export function kthInPlace(a: Float64Array, n: number, k: number): number {
  select(a, n, k);
  return a[k]!;
}

/** The largest of a[0, k): after `kthInPlace(a, n, k)`, the (k − 1)-th smallest (k ≥ 1). */
export function maxBefore(a: Float64Array, k: number): number {
  let m = a[0]!;
  for (let i = 1; i < k; i++) if (a[i]! > m) m = a[i]!;
  return m;
}

/** Rearranges a[0, n) so a[k] holds the k-th smallest value, smaller-or-equal ones before it (Hoare quickselect). */
function select(a: Float64Array, n: number, k: number): void {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const tmp = a[i]!;
        a[i] = a[j]!;
        a[j] = tmp;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}
