import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TimeExtremes } from './time-extremes.js';

/**
 * The window's extremes by brute force: the observations at or after now − window, and always the
 * latest one; among equal extremes the latest (the deque keeps the newest of equal values).
 */
function reference(
  obs: readonly [number, number][],
  nowMs: number,
  windowMs: number,
): { min: number; minAt: number; max: number; maxAt: number } {
  const live = obs.filter(([ts], i) => ts >= nowMs - windowMs || i === obs.length - 1);
  let min = Infinity;
  let minAt = NaN;
  let max = -Infinity;
  let maxAt = NaN;
  for (const [ts, v] of live) {
    if (v <= min) [min, minAt] = [v, ts];
    if (v >= max) [max, maxAt] = [v, ts];
  }
  return { min, minAt, max, maxAt };
}

test('TimeExtremes: min, max and their times over the window match a brute-force scan', () => {
  let x = 3;
  const r = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const windowMs = 60_000;
  const te = new TimeExtremes(windowMs);
  const obs: [number, number][] = [];
  let ts = 1_700_000_000_000;
  for (let i = 0; i < 5000; i++) {
    // Bursts and pauses longer than the window; few distinct values, so ties are common.
    ts += r() < 0.02 ? 90_000 : Math.floor(r() * 3000);
    const v = 100 + Math.floor(r() * 12);
    te.push(ts, v);
    obs.push([ts, v]);
    const want = reference(obs, ts, windowMs);
    assert.deepEqual({ min: te.min, minAt: te.minAtMs, max: te.max, maxAt: te.maxAtMs }, want, `at ${i}`);
  }
});
