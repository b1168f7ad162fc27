import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../config/config.js';
import type { Side } from '../../domain/events.js';
import { T0, Tape, background, metric, runDetector } from '../order-book/scenario.js';
import { spoofing } from './spoofing.js';

interface CycleOptions {
  readonly account?: string;
  readonly qty?: number;
  readonly side?: Side;
  readonly cancelAfterMs?: number;
  readonly filled?: number;
  /** How the opposite execution is reported. */
  readonly report?: 'trade' | 'fill' | 'both' | 'none';
}

/**
 * One spoof cycle at `ts`: a large buy at 99.98 (below the best bid), a sale by the same account
 * 500 ms later, then the large order cancelled.
 */
function spoofCycle(tape: Tape, ts: number, n: number, o: CycleOptions = {}): void {
  const acct = o.account ?? 'S1';
  const side = o.side ?? 'buy';
  const qty = o.qty ?? 1_000;
  const price = side === 'buy' ? 99.98 : 100.02;
  const id = `${acct}-spoof-${n}`;
  tape.add(ts, id, acct, side, price, qty);
  const report = o.report ?? 'both';
  const execAt = ts + 500;
  const oppSide: Side = side === 'buy' ? 'sell' : 'buy';
  if (report === 'trade' || report === 'both') {
    tape.trade(execAt, oppSide === 'buy' ? acct : 'MM1', oppSide === 'buy' ? 'MM1' : acct, 100, 100, oppSide);
  }
  if (report === 'fill' || report === 'both') {
    tape.add(execAt, `${acct}-gen-${n}`, acct, oppSide, 100, 100);
    tape.fill(execAt, `${acct}-gen-${n}`, acct, oppSide, 100, 100);
  }
  if (o.filled) tape.fill(ts + 700, id, acct, side, price, o.filled);
  tape.cancel(ts + (o.cancelAfterMs ?? 2_000), id, acct, side, price, qty - (o.filled ?? 0));
}

function scenario(cycles: number, o: CycleOptions = {}, spacingMs = 30_000): Tape {
  const tape = new Tape();
  background(tape, T0, T0 + 30_000 + cycles * spacingMs + 30_000);
  for (let i = 0; i < cycles; i++) spoofCycle(tape, T0 + 30_000 + i * spacingMs, i, o);
  return tape;
}

test('golden: repeated spoof cycles raise one spoofing alert that grows', async () => {
  const { alerts, updates } = await runDetector(spoofing, scenario(3).events());
  assert.equal(alerts.length, 1);
  const a = alerts[0]!;
  assert.equal(a.type, 'spoofing');
  assert.deepEqual(a.affected_symbols, ['XYZ']);
  assert.deepEqual(a.affected_users, ['S1']);
  assert.equal(metric(a, 'spoof_cycles'), 3);
  assert.equal(metric(a, 'max_order_size_ratio'), 10);
  assert.equal(metric(a, 'opposite_executed_qty'), 300, 'trade and fill of one execution count once');
  assert.equal(a.window_start, new Date(T0 + 30_000).toISOString());
  assert.equal(a.window_end, new Date(T0 + 90_000 + 2_000).toISOString());
  assert.deepEqual(
    a.evidence.orderIds.filter((id) => id.includes('spoof')),
    ['S1-spoof-0', 'S1-spoof-1', 'S1-spoof-2'],
  );
  assert.equal(updates.length, 2, 'emitted at the 2nd and 3rd cycle, same alert id');
  assert.equal(new Set(updates.map((u) => u.alert_id)).size, 1);
  assert.ok(a.confidence > updates[0]!.confidence, 'confidence grows with repetitions');
  assert.ok(a.risk_score >= updates[0]!.risk_score);
  assert.match(a.description, /Account S1 in XYZ: 3 spoof cycles/);
});

test('sell-side spoofing is caught symmetrically', async () => {
  const { alerts } = await runDetector(spoofing, scenario(2, { side: 'sell' }).events());
  assert.equal(alerts.length, 1);
  assert.equal(metric(alerts[0]!, 'spoof_cycles'), 2);
});

test('execution reported only as a trade, or only as a fill, counts the same', async () => {
  for (const report of ['trade', 'fill'] as const) {
    const { alerts } = await runDetector(spoofing, scenario(2, { report }).events());
    assert.equal(alerts.length, 1, report);
    assert.equal(metric(alerts[0]!, 'opposite_executed_qty'), 200, report);
  }
});

test('the same input gives the same alert id', async () => {
  const a = await runDetector(spoofing, scenario(2).events());
  const b = await runDetector(spoofing, scenario(2).events());
  assert.equal(a.alerts[0]!.alert_id, b.alerts[0]!.alert_id);
});

test('a quiet gap longer than the window starts a new episode', async () => {
  const tape = new Tape();
  background(tape, T0, T0 + 1_000_000);
  spoofCycle(tape, T0 + 30_000, 0);
  spoofCycle(tape, T0 + 60_000, 1);
  spoofCycle(tape, T0 + 800_000, 2);
  spoofCycle(tape, T0 + 830_000, 3);
  const { alerts } = await runDetector(spoofing, tape.events());
  assert.equal(alerts.length, 2);
  assert.deepEqual(
    alerts.map((a) => metric(a, 'spoof_cycles')),
    [2, 2],
  );
});

test('single ordinary cycle: nothing; single exceptionally large cycle: low-confidence alert', async () => {
  assert.equal((await runDetector(spoofing, scenario(1).events())).alerts.length, 0);
  const { alerts } = await runDetector(spoofing, scenario(1, { qty: 2_000 }).events());
  assert.equal(alerts.length, 1);
  assert.ok(alerts[0]!.confidence < 0.5);
  assert.match(alerts[0]!.description, /Single cycle/);
});

test('edge: just below the size threshold → nothing', async () => {
  const { alerts } = await runDetector(spoofing, scenario(3, { qty: 490 }).events());
  assert.equal(alerts.length, 0);
});

test('edge: cancelled after the cancel limit → nothing', async () => {
  const { alerts } = await runDetector(spoofing, scenario(3, { cancelAfterMs: 10_500 }).events());
  assert.equal(alerts.length, 0);
});

test('edge: the large order mostly filled → genuine, nothing', async () => {
  const { alerts } = await runDetector(spoofing, scenario(3, { filled: 500 }).events());
  assert.equal(alerts.length, 0);
});

test('edge: no opposite-side execution → nothing (an institution changing its mind)', async () => {
  const { alerts } = await runDetector(spoofing, scenario(3, { report: 'none' }).events());
  assert.equal(alerts.length, 0);
});

test('edge: anonymous orders cannot be attributed → nothing', async () => {
  const { alerts } = await runDetector(spoofing, scenario(3, { account: '' }).events());
  assert.equal(alerts.length, 0);
});

test('edge: large against the median but small against the depth near the touch → nothing', async () => {
  const tape = new Tape();
  background(tape, T0, T0 + 150_000);
  // A deep, passive resting bid of 5 000 at the touch makes a 1 000 order small against depth.
  tape.add(T0 + 1_000, 'deep', 'INST', 'buy', 99.99, 5_000);
  for (let i = 0; i < 3; i++) spoofCycle(tape, T0 + 30_000 + i * 30_000, i);
  const { alerts } = await runDetector(spoofing, tape.events());
  assert.equal(alerts.length, 0);
});

test('legitimate: market makers quoting both sides and cancelling most orders → nothing', async () => {
  const tape = new Tape();
  background(tape, T0, T0 + 600_000, 'MM1');
  background(tape, T0 + 250, T0 + 600_000, 'MM2');
  const { alerts } = await runDetector(spoofing, tape.events());
  assert.equal(alerts.length, 0);
});

test('thresholds are read from the configuration', async () => {
  const config = parseConfig({ thresholds: { spoofing_threshold: 12 } });
  const { alerts } = await runDetector(spoofing, scenario(3).events(), config);
  assert.equal(alerts.length, 0, '10× the median is not large at a 12× threshold');
});

test('execution reported at the instant of (or just after) the cancel still counts; seconds later does not', async () => {
  const build = (execDelayMs: number): Tape => {
    const tape = new Tape();
    background(tape, T0, T0 + 150_000);
    for (let i = 0; i < 2; i++) {
      const ts = T0 + 30_000 + i * 30_000;
      tape.add(ts, `sp${i}`, 'S1', 'buy', 99.98, 1_000);
      tape.cancel(ts + 1_000, `sp${i}`, 'S1', 'buy', 99.98, 1_000);
      tape.trade(ts + 1_000 + execDelayMs, 'MM1', 'S1', 100, 100, 'sell');
    }
    return tape;
  };
  assert.equal((await runDetector(spoofing, build(0).events())).alerts.length, 1);
  assert.equal((await runDetector(spoofing, build(200).events())).alerts.length, 1);
  assert.equal((await runDetector(spoofing, build(3_000).events())).alerts.length, 0);
});

test('a cycle longer than spoofing_window_ms (cancel limit above the window) is counted, not dropped', async () => {
  const config = parseConfig({ thresholds: { spoofing_cancel_ms: 20_000, spoofing_window_ms: 10_000 } });
  // One exceptionally large order (20× the median) resting 15 s: a single-cycle alert.
  const { alerts } = await runDetector(spoofing, scenario(1, { qty: 2_000, cancelAfterMs: 15_000 }).events(), config);
  assert.equal(alerts.length, 1);
  assert.equal(metric(alerts[0]!, 'spoof_cycles'), 1);
  assert.equal(metric(alerts[0]!, 'max_cancel_after_ms'), 15_000);
});
