/**
 * Standard normal tail probability and its inverse, for turning a z-score threshold into a
 * false-alarm rate and back (e.g. to keep that rate equal across window lengths).
 */

/** P(Z ≥ z) for a standard normal Z (Abramowitz–Stegun 7.1.26 via erfc; error < 1.5e-7). */
export function normalTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-x * x);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

/** The z with P(Z ≥ z) = p, for 0 < p < 1 (bisection on normalTail: exact enough for thresholds). */
export function normalTailInverse(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`tail probability must be in (0, 1), got ${p}`);
  let lo = -40;
  let hi = 40;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (normalTail(mid) > p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
