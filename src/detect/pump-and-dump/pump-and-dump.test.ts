import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Alert } from '../../domain/alert.js';
import type { Trade } from '../../domain/events.js';
import { background, MIN, pump, run, T0, trade, warmHistory } from './test-helpers.js';

const START = T0 + 120 * MIN;
const metric = (a: Alert, name: string): number => a.evidence.metrics.find((m) => m.name === name)!.value;
const phase = (a: Alert): unknown => a.evidence.details?.['phase'];

test('golden: pump with rush buys alerts early, the same alert is updated when the dump confirms', async () => {
  const events = [
    ...warmHistory(),
    ...pump({ startMs: START, fromPrice: 100, toPrice: 130, riseSec: 30, buysPerSec: 6, dumpSec: 60, dumpTo: 101 }),
    ...background(START + 32 * MIN, START + 40 * MIN, 101),
  ];
  const seen = await run(events);
  const ids = new Set(seen.map((a) => a.alert_id));
  assert.equal(ids.size, 1, 'one episode, one alert');
  assert.ok(seen.length >= 2 && seen.length <= 6, `a few updates, not a flood (${seen.length})`);
  const first = seen[0]!;
  const last = seen.at(-1)!;
  assert.equal(first.type, 'pump_and_dump');
  assert.equal(phase(first), 'pump');
  assert.ok(Date.parse(first.timestamp) < START + 30_000, 'raised during the rise');
  assert.deepEqual(first.affected_symbols, ['PMP']);
  assert.ok(['dump', 'round_trip'].includes(phase(last) as string));
  assert.equal(last.timestamp, first.timestamp, 'the alert keeps its first detection time');
  assert.ok(last.confidence > first.confidence && last.risk_score > first.risk_score);
  assert.ok(metric(last, 'price_rise') >= 0.25);
  assert.ok(metric(last, 'window_volume_ratio') >= 5);
  assert.ok(metric(last, 'rush_seconds') >= 1);
  assert.ok(metric(last, 'dump_give_back') >= 0.5);
  // Accounts: the pump's buyers and the dump's sellers.
  for (const a of ['P1', 'P2', 'P3']) assert.ok(last.affected_users.includes(a), a);
  assert.ok(last.evidence.tradeIds.length > 100);
  assert.match(last.description, /PMP: price rose .* Dump confirmed/);
});

test('anonymous tape (no accounts, no side): detected through the tick rule and same-millisecond rush', async () => {
  const events = [
    ...warmHistory(true),
    ...pump({ startMs: START, fromPrice: 100, toPrice: 130, riseSec: 30, buysPerSec: 6, dumpSec: 60, dumpTo: 101, anonymous: true }),
  ];
  const seen = await run(events);
  assert.equal(new Set(seen.map((a) => a.alert_id)).size, 1);
  assert.equal(phase(seen[0]!), 'pump');
  assert.deepEqual(seen.at(-1)!.affected_users, []);
  assert.ok(seen.at(-1)!.evidence.details?.['confirmed_at']);
});

test('same input, same alert id (deterministic episode key)', async () => {
  const make = () => [
    ...warmHistory(),
    ...pump({ startMs: START, fromPrice: 100, toPrice: 130, riseSec: 30, buysPerSec: 6, dumpSec: 60, dumpTo: 101 }),
  ];
  const a = await run(make());
  const b = await run(make());
  assert.equal(a[0]!.alert_id, b[0]!.alert_id);
});

test('edge: a rise just below pump_price_rise raises nothing', async () => {
  const seen = await run([
    ...warmHistory(),
    ...pump({ startMs: START, fromPrice: 100, toPrice: 109.5, riseSec: 30, buysPerSec: 6, dumpSec: 60, dumpTo: 100 }),
  ]);
  assert.equal(seen.length, 0);
});

test('edge: a rise on ordinary volume (below the multiplier) raises nothing', async () => {
  // The price climbs 30% over 5 min and falls back, but trades come at the usual pace and size
  // (one of qty 1 every 10 s, alternating sides): no surge of volume or of buying.
  const ramp: Trade[] = [];
  for (let k = 0; k < 60; k++) {
    const up = k < 30 ? k + 1 : 60 - k;
    ramp.push(trade(START + k * 10_000, 100 * (1 + 0.01 * up), 1, k % 2 === 0 ? 'buy' : 'sell', `inv${k % 5}`, `mm${k % 3}`));
  }
  const seen = await run([...warmHistory(), ...ramp]);
  assert.equal(seen.length, 0);
  // The same ramp with a 10-second burst of rush buys is a pump: the test above is not vacuous.
  const burst = pump({ startMs: START + 200_000, fromPrice: 121, toPrice: 124, riseSec: 10, buysPerSec: 6, dumpSec: 0, dumpTo: 124 });
  assert.ok((await run([...warmHistory(), ...ramp, ...burst])).length > 0);
});

test('legitimate look-alike: a news jump without rush and without reversal raises nothing', async () => {
  // Steady buying (2 orders a second, no rush) lifts the price 20% and it stays there.
  const seen = await run([
    ...warmHistory(),
    ...pump({ startMs: START, fromPrice: 100, toPrice: 120, riseSec: 120, buysPerSec: 2, dumpSec: 0, dumpTo: 120 }),
    ...background(START + 3 * MIN, START + 180 * MIN, 120),
  ]);
  assert.equal(seen.length, 0);
});

test('a jump with rush but no dump is reported early, then marked "no dump" with lower confidence', async () => {
  const seen = await run([
    ...warmHistory(),
    ...pump({ startMs: START, fromPrice: 100, toPrice: 125, riseSec: 30, buysPerSec: 6, dumpSec: 0, dumpTo: 125 }),
    ...background(START + 1 * MIN, START + 120 * MIN, 125),
  ]);
  assert.equal(new Set(seen.map((a) => a.alert_id)).size, 1);
  assert.equal(phase(seen[0]!), 'pump');
  const last = seen.at(-1)!;
  assert.equal(phase(last), 'no_dump');
  assert.ok(last.confidence < seen[0]!.confidence);
  assert.match(last.description, /No dump followed/);
});

test('a pump without rush is alerted when the dump confirms it', async () => {
  const seen = await run([
    ...warmHistory(),
    ...pump({ startMs: START, fromPrice: 100, toPrice: 130, riseSec: 90, buysPerSec: 2, dumpSec: 60, dumpTo: 100 }),
  ]);
  assert.equal(new Set(seen.map((a) => a.alert_id)).size, 1);
  assert.equal(phase(seen[0]!), 'dump');
});

test('warm-up: no judgement without pump_min_baseline_windows of history; state expires after the baseline horizon', async () => {
  const shape = { fromPrice: 100, toPrice: 130, riseSec: 30, buysPerSec: 6, dumpSec: 60, dumpTo: 101 };
  // 15 min of history only (warm-up needs 2 × 10 min).
  const cold = await run([...background(T0, T0 + 15 * MIN, 100), ...pump({ ...shape, startMs: T0 + 15 * MIN })]);
  assert.equal(cold.length, 0);
  const warm = await run([...background(T0, T0 + 25 * MIN, 100), ...pump({ ...shape, startMs: T0 + 25 * MIN })]);
  assert.ok(warm.length > 0);
  assert.equal(cold.length, 0);
  // Warm history, then 25 h of silence (beyond pump_baseline_ms): the symbol is forgotten and cold again.
  const gap = START + 25 * 60 * MIN;
  const expired = await run([...warmHistory(), ...background(gap, gap + 10 * MIN, 100), ...pump({ ...shape, startMs: gap + 10 * MIN })]);
  assert.equal(expired.length, 0);
});

test('two pumps hours apart are two alerts', async () => {
  const shape = { fromPrice: 100, toPrice: 130, riseSec: 30, buysPerSec: 6, dumpSec: 60, dumpTo: 100 };
  const second = START + 3 * 60 * MIN;
  const seen = await run([
    ...warmHistory(),
    ...pump({ ...shape, startMs: START }),
    ...background(START + 2 * MIN, second, 100),
    ...pump({ ...shape, startMs: second }),
  ]);
  assert.equal(new Set(seen.map((a) => a.alert_id)).size, 2);
});
