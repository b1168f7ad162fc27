/** Number and time formatting for alert descriptions and metrics, the same in every detector. */

/** A quantity for a sentence: integers as they are, others to 6 significant digits without trailing zeros. */
export function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(6).replace(/\.?0+$/, '');
}

/** A fraction as a percentage with one decimal: 0.1234 → "12.3%". */
export function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

/** Rounds a metric to 4 decimals, so stored evidence is stable and readable. */
export function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

/** Rounds a metric to 2 decimals. */
export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Event time as ISO-8601 UTC. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
