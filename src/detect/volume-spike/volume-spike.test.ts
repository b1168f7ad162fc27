import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Alert } from '../../domain/alert.js';
import type { Trade } from '../../domain/events.js';
import { trade } from '../../testing/builders.js';
import { runDetector } from '../../testing/run-detector.js';
import { compareSnapshotRuns } from '../../testing/snapshot-check.js';
import { volumeSpike } from './volume-spike.js';

const T0 = Date.parse('2026-03-02T14:00:00Z');
/** One-minute buckets keep the fixtures short. */
const MINUTE = { thresholds: { volume_bucket_ms: 60_000 } };

/** `minutes` minutes of steady trading: `perMinute` trades of `qty` each. */
function steady(minutes: number, perMinute: number, qty: number, startMin = 0): Trade[] {
  const out: Trade[] = [];
  for (let m = startMin; m < startMin + minutes; m++) {
    for (let k = 0; k < perMinute; k++)
      out.push(trade(T0 + m * 60_000 + k * (60_000 / perMinute), { qty, tradeId: `s${m}-${k}`, buyer: 'b', seller: 's' }));
  }
  return out;
}

test('a minute at 5× the median alerts once, with metrics against the 3× threshold', async () => {
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
  // The rolling window that crossed reaches back at most one window length before the burst.
  const start = Date.parse(a.window_start);
  assert.ok(start >= T0 + 39 * 60_000 && start <= T0 + 40 * 60_000, a.window_start);
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

test('triggers close together are one episode (one alert); a later one is a new episode', async () => {
  const events = [
    ...steady(40, 10, 10),
    ...steady(2, 60, 10, 40),
    ...steady(1, 10, 10, 42),
    ...steady(1, 60, 10, 43),
    ...steady(20, 10, 10, 44),
    ...steady(1, 60, 10, 64),
  ];
  const { alerts } = await runDetector(volumeSpike, events, MINUTE);
  assert.equal(alerts.length, 2);
  const [first, second] = alerts.sort((x, y) => Date.parse(x.window_start) - Date.parse(y.window_start)) as [Alert, Alert];
  assert.ok(Date.parse(first.window_end) >= T0 + 43 * 60_000, first.window_end);
  // The rolling window still holds the burst for up to a minute after it.
  assert.ok(Date.parse(first.window_end) < T0 + 45 * 60_000, first.window_end);
  // Minutes 40–44 each saw a trigger (the rolling window carries a burst into the next minute).
  assert.equal(first.evidence.details?.['spike_buckets'], 5);
  assert.ok(Date.parse(second.window_start) >= T0 + 63 * 60_000);
});

test('empty buckets do not drag the baseline down (a closed market is not a quiet one)', async () => {
  // 20 active minutes, a 3-hour gap, then an ordinary minute: no spike.
  const events = [...steady(20, 10, 10), ...steady(1, 10, 10, 200)];
  assert.equal((await runDetector(volumeSpike, events, MINUTE)).alerts.length, 0);
});

test('the multiplier is configurable', async () => {
  const events = [...steady(40, 10, 10), ...steady(1, 50, 10, 40)];
  assert.equal(
    (await runDetector(volumeSpike, events, { thresholds: { volume_bucket_ms: 60_000, volume_spike_multiplier: 6 } })).alerts.length,
    0,
  );
});

test('a one-minute burst diluted in a 5-min bucket alerts on the short window', async () => {
  // 70 steady minutes, then one minute at 8×: the 5-min bucket holds only (8 + 4) / 5 = 2.4×.
  const events = [...steady(70, 10, 10), ...steady(1, 80, 10, 70), ...steady(10, 10, 10, 71)];
  const { alerts } = await runDetector(volumeSpike, events);
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0]!.evidence.details?.['window_ms'], 60_000);
  // The short window's robust-z bar is raised: it is judged five times as often as the long one.
  const z = alerts[0]!.evidence.metrics.find((m) => m.name === 'log_volume_robust_z')!;
  assert.ok(z.threshold! > 3.4 && z.threshold! < 3.5, String(z.threshold));
  const longOnly = await runDetector(volumeSpike, events, { thresholds: { volume_short_window_ms: 300_000 } });
  assert.equal(longOnly.alerts.length, 0);
});

test('one block print is not a surge: the window must cross without its largest trade', async () => {
  const block = trade(T0 + 40 * 60_000 + 30_000, { qty: 2000, tradeId: 'block', buyer: 'b', seller: 's' });
  const events = [...steady(40, 10, 10), block, ...steady(5, 10, 10, 41)];
  assert.equal((await runDetector(volumeSpike, events, MINUTE)).alerts.length, 0);
  // Two such prints in the minute are a surge.
  const again = trade(T0 + 40 * 60_000 + 40_000, { qty: 2000, tradeId: 'block2', buyer: 'b', seller: 's' });
  assert.equal((await runDetector(volumeSpike, [...steady(40, 10, 10), block, again, ...steady(5, 10, 10, 41)], MINUTE)).alerts.length, 1);
});

test('a sustained busy spell in the history does not mask a later burst', async () => {
  // 40 ordinary minutes, 30 minutes at 4× (a third of the history: a regime, not a spike), 10
  // ordinary minutes, then one minute at 15×: still a spike against the symbol's ordinary level.
  const events = [...steady(40, 10, 10), ...steady(30, 40, 10, 40), ...steady(10, 10, 10, 70), ...steady(1, 150, 10, 80)];
  const { alerts } = await runDetector(volumeSpike, events, MINUTE);
  assert.ok(
    alerts.some((a) => Date.parse(a.window_end) >= T0 + 80 * 60_000),
    alerts.map((a) => a.window_start).join(),
  );
});

test('a checkpoint taken mid-baseline and just before the burst restores to the same alerts', async () => {
  // Thin minutes (one trade each, so the queue keeps a trade alone) then steady trading and a burst.
  const thin = Array.from({ length: 15 }, (_, m) => trade(T0 - (20 - m) * 60_000, { qty: 10, tradeId: `t${m}`, buyer: 'b', seller: 's' }));
  const events = [...thin, ...steady(40, 10, 10), ...steady(1, 50, 10, 40), ...steady(5, 10, 10, 41)];
  const batches: Trade[][] = [];
  for (let i = 0; i < events.length; i += 37) batches.push(events.slice(i, i + 37));
  const cuts = [3, Math.floor(batches.length / 2), batches.length - 3];
  const r = await compareSnapshotRuns([volumeSpike], batches, cuts, MINUTE);
  assert.ok(r.straight.length >= 1);
  assert.deepEqual(
    r.resumed.map((a) => JSON.stringify(a)),
    r.straight.map((a) => JSON.stringify(a)),
  );
});

test('many symbols surging at once alert as each alone would (the log statistics held for hits are per history)', async () => {
  // 70 symbols × 2 window lengths: more histories than the table holding their log statistics.
  const bySymbol: Trade[][] = [];
  for (let i = 0; i < 70; i++) {
    const symbol = `S${i}`;
    const out: Trade[] = [];
    for (let m = 0; m < 50; m++) {
      const surge = m >= 40 + (i % 5) && m < 42 + (i % 5);
      const perMinute = surge ? 30 + 7 * (i % 8) : 10;
      for (let k = 0; k < perMinute; k++) {
        const ts = T0 + m * 60_000 + Math.floor((k * 60_000) / perMinute) + i;
        out.push(trade(ts, { symbol, qty: 10 + (i % 7) + (k % 3), tradeId: `${symbol}-${m}-${k}`, buyer: `b${k % 4}`, seller: 's' }));
      }
    }
    bySymbol.push(out);
  }
  const all = bySymbol.flat().sort((a, b) => a.tsMs - b.tsMs);
  const view = (alerts: Alert[]): string[] =>
    alerts
      .map((a) => JSON.stringify([a.alert_id, a.description, a.confidence, a.risk_score, a.evidence.metrics, a.evidence.tradeIds]))
      .sort();
  const together = await runDetector(volumeSpike, all, { thresholds: { volume_short_window_ms: 30_000, volume_bucket_ms: 60_000 } });
  const alone: Alert[] = [];
  let updates = 0;
  for (const events of bySymbol) {
    const r = await runDetector(volumeSpike, events, { thresholds: { volume_short_window_ms: 30_000, volume_bucket_ms: 60_000 } });
    alone.push(...r.alerts);
    updates += r.updates;
  }
  assert.ok(alone.length >= 60, `${alone.length} alerts`);
  assert.deepEqual(view(together.alerts), view(alone));
  assert.equal(together.updates, updates);
});
