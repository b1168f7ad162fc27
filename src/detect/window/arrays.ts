/**
 * Removes the first k elements of `a` in place: `a.splice(0, k)` without the array of removed
 * elements splice allocates and returns (the windows drop their expired prefixes this way several
 * times per trade on a wide universe; each such array was garbage at once).
 */
export function dropFront<T>(a: T[], k: number): void {
  const n = a.length;
  for (let i = k; i < n; i++) a[i - k] = a[i]!;
  a.length = n - k;
}
