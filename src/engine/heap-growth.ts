import { setFlagsFromString } from 'node:v8';
import { UsageError } from '../domain/errors.js';

/**
 * How far V8 may let the old generation grow past the live heap before the next full collection,
 * in percent (100: to twice the live heap). V8's own heuristic allows up to 4× when collection is
 * cheap, which it is for detection state: long-lived windows and baselines with few pointers. So
 * peak RSS was 3–5× the live state: a 10M-trade stream held a steady 185 MB live heap and peaked at
 * 895 MB. At 100 the peak follows the state (trades 1M, all detectors: 428–579 → 347–355 MB) for
 * about 5% more CPU (docs/PERFORMANCE.md, "Session 4").
 */
export const DEFAULT_HEAP_GROWTH_PERCENT = 100;

/**
 * Applies `SURVEILLANCE_HEAP_GROWTH_PERCENT` (0: V8's own heuristic), else the default, to this
 * process and its worker threads. Call once at start-up; returns the value in force.
 */
export function boundHeapGrowth(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env['SURVEILLANCE_HEAP_GROWTH_PERCENT'];
  const percent = raw === undefined || raw === '' ? DEFAULT_HEAP_GROWTH_PERCENT : Number(raw);
  if (!Number.isInteger(percent) || percent < 0) {
    throw new UsageError(`SURVEILLANCE_HEAP_GROWTH_PERCENT must be a whole number ≥ 0, got '${raw}'`);
  }
  setFlagsFromString(`--heap-growing-percent=${percent}`);
  return percent;
}
