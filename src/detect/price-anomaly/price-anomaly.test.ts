import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Trade } from '../../domain/events.js';
import { trade } from '../../testing/builders.js';
import { runDetector } from '../../testing/run-detector.js';
import { compareSnapshotRuns } from '../../testing/snapshot-check.js';
import { priceAnomaly } from './price-anomaly.js';

const T0 = Date.parse('2026-03-02T14:00:00Z');

function path(prices: readonly number[], stepMs = 10_000): Trade[] {
  return prices.map((p, i) => trade(T0 + i * stepMs, { price: p, tradeId: `p${i}` }));
}

test('a 20% rise within the window alerts, one episode as it keeps rising', async () => {
  const prices = [...Array(30).fill(100), 105, 110, 116, 118, 120, 121];
  const { alerts } = await runDetector(priceAnomaly, path(prices));
  assert.equal(alerts.length, 1);
  const a = alerts[0]!;
  const move = a.evidence.metrics.find((m) => m.name === 'price_move')!;
  assert.equal(move.threshold, 0.15);
  // Updates are emitted when the move grows by 10%: 116 → 118 → 120 (121 is not material).
  assert.ok(Math.abs(move.value - 0.2) < 1e-9);
  assert.match(a.description, /rose 20\.0% from 100 to 120/);
});

test('a 10% move does not alert under the 15% threshold on a symbol without history', async () => {
  const prices = [...Array(10).fill(100), 105, 110];
  assert.equal((await runDetector(priceAnomaly, path(prices))).alerts.length, 0);
});

test('a fall alerts as a fall', async () => {
  const prices = [...Array(10).fill(50), 45, 41, 41, 41];
  const { alerts } = await runDetector(priceAnomaly, path(prices));
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0]!.evidence.details?.['direction'], 'down');
});

test('a slow drift over hours (outside the window) does not alert', async () => {
  const prices = Array.from({ length: 200 }, (_, i) => 100 * 1.002 ** i); // +49% over 200 minutes
  assert.equal((await runDetector(priceAnomaly, path(prices, 60_000))).alerts.length, 0);
});

test('a move extreme for a calm symbol alerts by its own volatility', async () => {
  // 5-minute windows alternate ±0.1%; then a 3% jump: far beyond its volatility, below 15%.
  const prices: number[] = [];
  for (let w = 0; w < 40; w++) for (let k = 0; k < 5; k++) prices.push(w % 2 === 0 ? 100 : 100.1);
  prices.push(103, 103, 103);
  const { alerts } = await runDetector(priceAnomaly, path(prices, 60_000));
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0]!.evidence.details?.['rule'], 'volatility');
});

/** A calm random-looking path: 10-s trades, ±0.05% wiggles, `minutes` long. */
function calm(minutes: number, base = 100): number[] {
  const out: number[] = [];
  for (let i = 0; i < minutes * 6; i++) out.push(base * (1 + 0.0005 * Math.sin(i * 1.7) + 0.0005 * Math.sin(i * 0.37)));
  return out;
}

test('a fast jump alerts on the short window before the 5-min volatility has warmed up', async () => {
  // 25 calm minutes give 20+ one-minute returns but only 5 five-minute ones; then +4% in 30 s.
  const prices = [...calm(25), 101.5, 103, 104.2, 104.3];
  const { alerts } = await runDetector(priceAnomaly, path(prices));
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0]!.evidence.details?.['rule'], 'volatility');
  assert.equal(alerts[0]!.evidence.details?.['window_ms'], 60_000);
  // With one window length the rule is not ready yet: no alert.
  assert.equal((await runDetector(priceAnomaly, path(prices), { thresholds: { price_short_window_ms: 300_000 } })).alerts.length, 0);
});

test('a price whipsawing after a shock is one episode, not an alert per swing', async () => {
  const prices = [...calm(25), 103, 104.2, 100.5, 99.8, 103.5, 104.5, 100, 99.5];
  const { alerts } = await runDetector(priceAnomaly, path(prices));
  assert.equal(alerts.length, 1);
});

test('jumps that are common for the symbol are judged against its heavy tail', async () => {
  // A thin pair: flat, but every third minute jumps 2% (and back): a 2.5% jump is ordinary for it.
  const prices: number[] = [];
  for (let m = 0; m < 40; m++) for (let k = 0; k < 6; k++) prices.push(m % 3 === 0 && k >= 3 ? 102 : 100);
  prices.push(100, 102.5);
  assert.equal((await runDetector(priceAnomaly, path(prices))).alerts.length, 0);
});

test('one off-market print (a late report far from the market, then back) is not a move', async () => {
  const prices = [...calm(25), 97.9, ...calm(2)];
  assert.equal((await runDetector(priceAnomaly, path(prices))).alerts.length, 0);
  // Two prints confirming the level are a move.
  assert.equal((await runDetector(priceAnomaly, path([...calm(25), 97.9, 97.8, 97.9, ...calm(2)]))).alerts.length, 1);
});

test('a checkpoint taken while the volatility warms up and just before the jump restores to the same alerts', async () => {
  const prices: number[] = [];
  for (let w = 0; w < 40; w++) for (let k = 0; k < 5; k++) prices.push(w % 2 === 0 ? 100 : 100.1);
  prices.push(103, 103, 103);
  const events = path(prices, 60_000);
  const batches: Trade[][] = [];
  for (let i = 0; i < events.length; i += 11) batches.push(events.slice(i, i + 11));
  const cuts = [2, Math.floor(batches.length / 2), batches.length - 1];
  const r = await compareSnapshotRuns([priceAnomaly], batches, cuts);
  assert.equal(r.straight.length, 1);
  assert.deepEqual(
    r.resumed.map((a) => JSON.stringify(a)),
    r.straight.map((a) => JSON.stringify(a)),
  );
});
