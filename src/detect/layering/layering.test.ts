import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../config/config.js';
import { rng } from '../../testing/account-builders.js';
import { T0, Tape, background, marketMaker, metric, runDetector } from '../order-book/scenario.js';
import { layering } from './layering.js';

interface CycleOptions {
  readonly account?: string;
  readonly levels?: number;
  readonly layerQty?: number;
  /** Gap between successive layer cancels. */
  readonly cancelGapMs?: number;
  readonly cancelAfterMs?: number;
  readonly report?: 'trade' | 'fill' | 'both';
  /** Size the account keeps resting on the execution side (a two-sided quoter). */
  readonly oppositeResting?: number;
  readonly layerFill?: number;
}

/**
 * One layering cycle at `ts`: buy layers at 99.98, 99.97, … placed over 300 ms, a sale by the same
 * account at 100.00 at +1 s, then the layers cancelled one after another from +1.5 s.
 */
function layerCycle(tape: Tape, ts: number, n: number, o: CycleOptions = {}): void {
  const acct = o.account ?? 'L1';
  const levels = o.levels ?? 4;
  const qty = o.layerQty ?? 200;
  const ids: { id: string; price: number }[] = [];
  for (let l = 0; l < levels; l++) {
    const price = Math.round((99.98 - 0.01 * l) * 100) / 100;
    const id = `${acct}-layer-${n}-${l}`;
    tape.add(ts + l * 100, id, acct, 'buy', price, qty);
    ids.push({ id, price });
  }
  if (o.oppositeResting) tape.add(ts, `${acct}-ask-${n}`, acct, 'sell', 100.05, o.oppositeResting);
  const execAt = ts + 1_000;
  const report = o.report ?? 'both';
  if (report !== 'fill') tape.trade(execAt, 'MM1', acct, 100, 100, 'sell');
  if (report !== 'trade') {
    tape.add(execAt, `${acct}-sell-${n}`, acct, 'sell', 100, 100);
    tape.fill(execAt, `${acct}-sell-${n}`, acct, 'sell', 100, 100);
  }
  if (o.layerFill) tape.fill(ts + 1_200, ids[0]!.id, acct, 'buy', ids[0]!.price, o.layerFill);
  const start = ts + (o.cancelAfterMs ?? 1_500);
  ids.forEach((x, i) =>
    tape.cancel(start + i * (o.cancelGapMs ?? 100), x.id, acct, 'buy', x.price, qty - (i === 0 ? (o.layerFill ?? 0) : 0)),
  );
  if (o.oppositeResting) tape.cancel(start + 50, `${acct}-ask-${n}`, acct, 'sell', 100.05, o.oppositeResting);
}

function scenario(cycles: number, o: CycleOptions = {}, spacingMs = 30_000): Tape {
  const tape = new Tape();
  background(tape, T0, T0 + 30_000 + cycles * spacingMs + 30_000);
  for (let i = 0; i < cycles; i++) layerCycle(tape, T0 + 30_000 + i * spacingMs, i, o);
  return tape;
}

test('golden: layers, opposite execution, layers pulled together → one layering alert that grows', async () => {
  const { alerts, updates } = await runDetector(layering, scenario(3).events());
  assert.equal(alerts.length, 1);
  const a = alerts[0]!;
  assert.equal(a.type, 'layering');
  assert.deepEqual(a.affected_symbols, ['XYZ']);
  assert.deepEqual(a.affected_users, ['L1']);
  assert.equal(metric(a, 'layering_cycles'), 3);
  assert.equal(metric(a, 'min_layer_levels'), 4);
  assert.equal(metric(a, 'max_layer_qty'), 800);
  assert.equal(metric(a, 'opposite_executed_qty'), 300, 'trade and fill of one execution count once');
  assert.equal(a.window_start, new Date(T0 + 30_000).toISOString());
  assert.equal(a.window_end, new Date(T0 + 90_000 + 1_800).toISOString());
  assert.equal(updates.length, 3, 'one update per cycle');
  assert.equal(new Set(updates.map((u) => u.alert_id)).size, 1);
  assert.ok(a.confidence > updates[0]!.confidence);
  assert.ok(a.evidence.orderIds.includes('L1-layer-2-3'));
  assert.match(a.description, /Account L1 in XYZ: 3 layering cycles/);
});

test('execution reported only as a trade or only as a fill is enough', async () => {
  for (const report of ['trade', 'fill'] as const) {
    const { alerts } = await runDetector(layering, scenario(2, { report }).events());
    assert.equal(alerts.length, 1, report);
    assert.equal(metric(alerts[0]!, 'opposite_executed_qty'), 200, report);
  }
});

test('edge: one level fewer than the minimum → nothing', async () => {
  const { alerts } = await runDetector(layering, scenario(3, { levels: 2 }).events());
  assert.equal(alerts.length, 0);
});

test('edge: layers cancelled one by one over a long time are not "together" → nothing', async () => {
  const { alerts } = await runDetector(layering, scenario(3, { cancelGapMs: 2_000 }).events());
  assert.equal(alerts.length, 0);
});

test('edge: layers left resting long after the execution → nothing', async () => {
  const { alerts } = await runDetector(layering, scenario(2, { cancelAfterMs: 12_000 }).events());
  assert.equal(alerts.length, 0);
});

test('edge: layers that mostly filled were genuine → nothing', async () => {
  const { alerts } = await runDetector(layering, scenario(2, { layerFill: 190 }).events());
  assert.equal(alerts.length, 0);
});

test('edge: balanced two-sided book (resting on the execution side too) → nothing', async () => {
  const { alerts } = await runDetector(layering, scenario(2, { oppositeResting: 600 }).events());
  assert.equal(alerts.length, 0);
});

test('edge: anonymous orders cannot be attributed → nothing', async () => {
  const { alerts } = await runDetector(layering, scenario(2, { account: '' }).events());
  assert.equal(alerts.length, 0);
});

test('legitimate: market makers with multi-level ladders on both sides, high cancel rate, some fills → nothing', async () => {
  const tape = new Tape();
  background(tape, T0, T0 + 600_000, 'MM1');
  marketMaker(tape, {
    account: 'MM2',
    startMs: T0 + 300,
    endMs: T0 + 600_000,
    mid: 100,
    tick: 0.01,
    size: 50,
    levels: 5,
    everyMs: 700,
    fillEvery: 2,
  });
  const { alerts } = await runDetector(layering, tape.events());
  assert.equal(alerts.length, 0);
});

test('min repeats from the configuration', async () => {
  const config = parseConfig({ thresholds: { layering_min_repeats: 3 } });
  assert.equal((await runDetector(layering, scenario(2).events(), config)).alerts.length, 0);
  assert.equal((await runDetector(layering, scenario(3).events(), config)).alerts.length, 1);
});

test('state expiry: a new episode after a quiet gap gets a new alert', async () => {
  const tape = new Tape();
  background(tape, T0, T0 + 1_000_000);
  layerCycle(tape, T0 + 30_000, 0);
  layerCycle(tape, T0 + 900_000, 1);
  const { alerts } = await runDetector(layering, tape.events());
  assert.equal(alerts.length, 2);
});

test('layers cancelled at the instant of the execution, reported before it, still count', async () => {
  const tape = new Tape();
  background(tape, T0, T0 + 120_000);
  for (let n = 0; n < 2; n++) {
    const ts = T0 + 30_000 + n * 30_000;
    for (let l = 0; l < 3; l++) tape.add(ts + l * 10, `x${n}-${l}`, 'L2', 'sell', 100.02 + 0.01 * l, 300);
    for (let l = 0; l < 3; l++) tape.cancel(ts + 2_000, `x${n}-${l}`, 'L2', 'sell', 100.02 + 0.01 * l, 300);
    tape.trade(ts + 2_000, 'L2', 'MM1', 100, 100, 'buy');
  }
  const { alerts } = await runDetector(layering, tape.events());
  assert.equal(alerts.length, 1);
  assert.deepEqual(alerts[0]!.affected_users, ['L2']);
  assert.equal(metric(alerts[0]!, 'layering_cycles'), 2);
});

/**
 * A market maker's ladder, three levels a side: its bids are swept by a seller, then it cancels the
 * whole ladder and re-quotes at once (cancel-and-replace after a fill).
 */
function sweptLadder(tape: Tape, ts: number, n: number, replace: boolean, acct = 'MM9'): void {
  const bids = [99.99, 99.98, 99.97].map((p, l) => ({ id: `${acct}-b${n}-${l}`, p }));
  const asks = [100.01, 100.02, 100.03].map((p, l) => ({ id: `${acct}-a${n}-${l}`, p }));
  for (const b of bids) tape.add(ts, b.id, acct, 'buy', b.p, 150);
  for (const a of asks) tape.add(ts, a.id, acct, 'sell', a.p, 150);
  // A seller sweeps the bid ladder in one print: the maker bought, only its asks still rest.
  tape.trade(ts + 1_000, acct, 'T1', 99.97, 450, 'sell');
  for (const b of bids) tape.fill(ts + 1_000, b.id, acct, 'buy', b.p, 150);
  for (const a of asks) tape.cancel(ts + 1_300, a.id, acct, 'sell', a.p, 150);
  if (replace) {
    for (let l = 0; l < 3; l++) tape.add(ts + 1_300, `${acct}-rb${n}-${l}`, acct, 'buy', 99.96 - 0.01 * l, 150);
    for (let l = 0; l < 3; l++) tape.add(ts + 1_300, `${acct}-ra${n}-${l}`, acct, 'sell', 99.99 + 0.01 * l, 150);
    for (let l = 0; l < 3; l++) tape.cancel(ts + 5_000, `${acct}-rb${n}-${l}`, acct, 'buy', 99.96 - 0.01 * l, 150);
    for (let l = 0; l < 3; l++) tape.cancel(ts + 5_000, `${acct}-ra${n}-${l}`, acct, 'sell', 99.99 + 0.01 * l, 150);
  }
}

test('legitimate: a market maker swept on one side that cancels and re-quotes its ladder → nothing', async () => {
  const tape = new Tape();
  background(tape, T0, T0 + 200_000);
  for (let n = 0; n < 3; n++) sweptLadder(tape, T0 + 30_000 + n * 40_000, n, true);
  const { alerts } = await runDetector(layering, tape.events());
  assert.equal(alerts.length, 0);
});

test('the execution side counts what rested before the fill: a swept balanced ladder is not one-sided', async () => {
  // Without re-quoting, the pulled asks (450) against the bids left after the sweep (none) would look
  // one-sided; against the bids shown just before the sweep (450) they are balanced.
  const tape = new Tape();
  background(tape, T0, T0 + 200_000);
  for (let n = 0; n < 3; n++) sweptLadder(tape, T0 + 30_000 + n * 40_000, n, false);
  const { alerts } = await runDetector(layering, tape.events());
  assert.equal(alerts.length, 0);
});

test('layers pulled and put straight back on the same side are a refresh, pulled for good they are layering', async () => {
  const refreshed = scenario(2);
  for (let n = 0; n < 2; n++) {
    const ts = T0 + 30_000 + n * 30_000 + 1_500;
    for (let l = 0; l < 4; l++) refreshed.add(ts + 400, `L1-again-${n}-${l}`, 'L1', 'buy', 99.97 - 0.01 * l, 200);
  }
  assert.equal((await runDetector(layering, refreshed.events())).alerts.length, 0);
  assert.equal((await runDetector(layering, scenario(2).events())).alerts.length, 1);
});

test('a cycle longer than layering_window_ms (a layer resting since long before) is recorded, not dropped', async () => {
  // The oldest layer rests 11 minutes before the others join it; the cycle spans more than the
  // 10-minute window. The window bounds the gap between cycles, not one cycle's length.
  const tape = new Tape();
  background(tape, T0, T0 + 720_000);
  const ts = T0 + 660_000;
  tape.add(T0 + 10_000, 'old-0', 'L1', 'buy', 99.98, 200);
  for (let l = 1; l < 4; l++) tape.add(ts + l * 100, `new-${l}`, 'L1', 'buy', 99.98 - 0.01 * l, 200);
  tape.trade(ts + 1_000, 'MM1', 'L1', 100, 100, 'sell');
  tape.cancel(ts + 1_500, 'old-0', 'L1', 'buy', 99.98, 200);
  for (let l = 1; l < 4; l++) tape.cancel(ts + 1_500 + l * 100, `new-${l}`, 'L1', 'buy', 99.98 - 0.01 * l, 200);
  const { alerts } = await runDetector(layering, tape.events());
  assert.equal(alerts.length, 1);
  assert.equal(metric(alerts[0]!, 'layering_cycles'), 1);
  assert.equal(alerts[0]!.window_start, new Date(T0 + 10_000).toISOString());
  assert.equal(alerts[0]!.window_end, new Date(ts + 1_800).toISOString());
});

test('activity records reused across symbols and accounts give the alerts of fresh ones', async () => {
  // Accounts that come back after more than a minute of silence (their records are forgotten and
  // reused by others), layer cycles, some re-quoted at once (the requote test reads the records).
  const rand = rng(7);
  const tape = new Tape();
  background(tape, T0, T0 + 1_500_000);
  for (let n = 0; n < 120; n++) {
    const ts = T0 + 10_000 + Math.floor(rand() * 1_400_000);
    const account = `L${Math.floor(rand() * 12)}`;
    layerCycle(tape, ts, n, { account, levels: 3 + Math.floor(rand() * 2) });
    if (rand() < 0.3)
      for (let l = 0; l < 3; l++) tape.add(ts + 1_600 + l, `${account}-re-${n}-${l}`, account, 'buy', 99.97 - 0.01 * l, 200);
  }
  const alone = tape.events();
  const straight = await runDetector(layering, alone);
  assert.ok(straight.alerts.length > 3, 'the scenario raises alerts');
  // Another symbol whose sporadic accounts churn through records, at instants XYZ has events at
  // (so the engine's ticks are the same): XYZ's alerts must not change.
  const other = new Tape('ABC');
  for (let n = 0; n < 600; n++) {
    const ts = alone[Math.floor(rand() * alone.length)]!.tsMs;
    const account = `Q${Math.floor(rand() * 40)}`;
    other.add(ts, `q${n}`, account, rand() < 0.5 ? 'buy' : 'sell', 50, 10);
    if (rand() < 0.7) other.cancel(ts, `q${n}`, account, 'buy', 50, 10);
  }
  const both = [...alone, ...other.events()].sort((a, b) => a.tsMs - b.tsMs);
  const mixed = await runDetector(layering, both);
  // (Final alerts: the updates in between depend on where batches end.)
  assert.deepEqual(
    mixed.alerts.filter((a) => a.affected_symbols.includes('XYZ')),
    straight.alerts,
  );
});
