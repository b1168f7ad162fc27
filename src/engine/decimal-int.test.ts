import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decimalExponent, decimalExponentNear, scaled, unscaled, WIDE } from './decimal-int.js';

test('decimals come back as the very same double, in the fewest digits', () => {
  const cases: [number, number][] = [
    [443.71, 2],
    [58, 0],
    [0.5, 1],
    [1e-8, 8],
    [0.00001234, 8],
    [2147483647, 0],
    [168.12, 2],
    [-3.25, 2],
  ];
  for (const [v, e] of cases) {
    assert.equal(decimalExponent(v), e, String(v));
    assert.equal(unscaled(scaled(v, e), e), v);
  }
  for (const v of [2147483648, 1e15, 0.1 + 0.2, Math.PI, NaN, Infinity, 1e-15]) assert.equal(decimalExponent(v), WIDE, String(v));
});

test('random decimals as a reader parses them (m / 10^d) round-trip exactly', () => {
  let s = 3;
  const next = (n: number): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 4) % n;
  };
  for (let i = 0; i < 200_000; i++) {
    const d = next(10);
    const v = (next(1 << 26) * 32 + next(32)) / 10 ** d;
    const e = decimalExponent(v);
    assert.ok(e <= d, `${v}`);
    assert.equal(unscaled(scaled(v, e), e), v);
    const near = decimalExponentNear(v, next(WIDE + 1));
    assert.ok(
      near === e || (near !== WIDE && unscaled(scaled(v, near), near) === v && Math.abs(scaled(v, near)) <= 2147483647),
      `${v} near`,
    );
  }
});
