import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Trade } from '../../domain/events.js';
import { trade } from '../../testing/builders.js';
import { runDetector } from '../../testing/run-detector.js';
import { volumeSpike } from './volume-spike.js';

const T0 = Date.parse('2026-03-02T14:00:00Z');
/** One-minute buckets keep the fixtures short. */
const MINUTE = { thresholds: { volume_bucket_ms: 60_000 } };

/** `minutes` minutes of steady trading: `perMinute` trades of `qty` each. */
function steady(minutes: number, perMinute: number, qty: number, startMin = 0): Trade[] {
  const out: Trade[] = [];
  for (let m = startMin; m < startMin + minutes; m++) {
    for (let k = 0; k < perMinute; k++) out.push(trade(T0 + m * 60_000 + k * (60_000 / perMinute), { qty, tradeId: `s${m}-${k}`, buyer: 'b', seller: 's' }));
  }
  return out;
}

test('a bucket at 5× the median alerts once, with metrics against the 3× threshold', async () => {
  const events = [...steady(40, 10, 10), ...steady(1, 50, 10, 40), ...steady(5, 10, 10, 41)];
  const { alerts } = await runDetector(volumeSpike, events, MINUTE);
  assert.equal(alerts.length, 1);
  const a = alerts[0]!;
  assert.equal(a.type, 'volume_spike');
  assert.equal(a.anomaly_type, 'volume_spike');
  assert.deepEqual(a.affected_symbols, ['XYZ']);
  const ratio = a.evidence.metrics.find((m) => m.name === 'volume_ratio')!;
  assert.equal(ratio.threshold, 3);
  assert.ok(ratio.value >= 3);
  assert.equal(a.window_start, new Date(T0 + 40 * 60_000).toISOString());
  assert.ok(a.evidence.tradeIds.includes('s40-0'));
});

test('2.5× the median does not alert (below the multiplier)', async () => {
  const events = [...steady(40, 10, 10), ...steady(1, 25, 10, 40), ...steady(5, 10, 10, 41)];
  assert.equal((await runDetector(volumeSpike, events, MINUTE)).alerts.length, 0);
});

test('no judgement before the baseline has warmed up', async () => {
  const events = [...steady(5, 10, 10), ...steady(1, 100, 10, 5)];
  assert.equal((await runDetector(volumeSpike, events, MINUTE)).alerts.length, 0);
});

test('spiking buckets close together are one episode (one alert); a later one is a new episode', async () => {
  const events = [...steady(40, 10, 10), ...steady(2, 60, 10, 40), ...steady(1, 10, 10, 42), ...steady(1, 60, 10, 43), ...steady(20, 10, 10, 44), ...steady(1, 60, 10, 64)];
  const { alerts } = await runDetector(volumeSpike, events, MINUTE);
  assert.equal(alerts.length, 2);
  const first = alerts.find((a) => a.window_start === new Date(T0 + 40 * 60_000).toISOString())!;
  assert.equal(first.window_end, new Date(T0 + 44 * 60_000).toISOString());
  assert.equal(first.evidence.details?.['spike_buckets'], 3);
});

test('empty buckets do not drag the baseline down (a closed market is not a quiet one)', async () => {
  // 20 active minutes, a 3-hour gap, then an ordinary minute: no spike.
  const events = [...steady(20, 10, 10), ...steady(1, 10, 10, 200)];
  assert.equal((await runDetector(volumeSpike, events, MINUTE)).alerts.length, 0);
});

test('the multiplier is configurable', async () => {
  const events = [...steady(40, 10, 10), ...steady(1, 50, 10, 40)];
  assert.equal((await runDetector(volumeSpike, events, { thresholds: { volume_bucket_ms: 60_000, volume_spike_multiplier: 6 } })).alerts.length, 0);
});
