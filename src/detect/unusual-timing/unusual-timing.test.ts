import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MarketEvent } from '../../domain/events.js';
import { unusualTiming } from './unusual-timing.js';
import { localToEpoch, sessionsAround } from './session-clock.js';
import { metric, rng, run, trade } from '../../testing/account-builders.js';
import { compareSnapshotRuns } from '../../testing/snapshot-check.js';

const S = 1000;
const NY = { sessions: { '*': { open: '09:30', close: '16:00', timezone: 'America/New_York' } } };

test('session clock: New York close is 21:00 UTC in winter and 20:00 UTC in summer (DST)', () => {
  assert.equal(localToEpoch(2026, 3, 6, 16 * 60, 'America/New_York'), Date.parse('2026-03-06T21:00:00Z'));
  assert.equal(localToEpoch(2026, 3, 9, 16 * 60, 'America/New_York'), Date.parse('2026-03-09T20:00:00Z'));
  const around = sessionsAround(Date.parse('2026-03-09T15:00:00Z'), { open: '09:30', close: '16:00', timezone: 'America/New_York' });
  assert.ok(around.some((i) => i.openMs === Date.parse('2026-03-09T13:30:00Z') && i.closeMs === Date.parse('2026-03-09T20:00:00Z')));
});

/** A session day of dispersed, flat trading, every `every` ms between open and close. */
function day(closeMs: number, seed: number, every = 20 * S): MarketEvent[] {
  const r = rng(seed);
  const out: MarketEvent[] = [];
  // Others keep trading in the closing window, at the prevailing price.
  for (let i = 0; i < 6; i++) out.push(trade(closeMs - 290 * S + i * 45 * S, `C${i}`, `D${i + 10}`, 100, 100.05, { side: 'buy' }));
  for (let ms = closeMs - 60 * 60 * S; ms < closeMs - 300 * S; ms += every + Math.floor(r() * 5 * S)) {
    out.push(
      trade(ms, `C${Math.floor(r() * 30)}`, `D${Math.floor(r() * 30)}`, 100, 100 + (r() - 0.5) * 0.1, { side: r() < 0.5 ? 'buy' : 'sell' }),
    );
  }
  return out;
}

test('golden: marking the close (DST summer date) is one alert naming the account', async () => {
  const close = Date.parse('2026-07-01T20:00:00Z'); // 16:00 New York (EDT)
  const events = day(close, 1);
  for (let i = 0; i < 10; i++) events.push(trade(close - 200 * S + i * 20 * S, 'MARK', `D${i}`, 300, 100.2 + i * 0.1, { side: 'buy' }));
  const { alerts } = await run(unusualTiming, events, NY);
  assert.equal(alerts.length, 1);
  const a = alerts[0]!;
  assert.deepEqual(a.affected_users, ['MARK']);
  assert.equal(a.evidence.details?.['rule'], 'marking_close');
  assert.ok(metric(a, 'account_share')! >= 0.3);
  assert.ok(metric(a, 'price_move')! >= 0.005);
  assert.equal(a.window_end, new Date(close).toISOString());
});

test('edge: the same heavy buying without a price move is not marking', async () => {
  const close = Date.parse('2026-07-01T20:00:00Z');
  const events = day(close, 1);
  for (let i = 0; i < 10; i++) events.push(trade(close - 200 * S + i * 20 * S, 'MARK', `D${i}`, 300, 100, { side: 'buy' }));
  assert.equal((await run(unusualTiming, events, NY)).alerts.length, 0);
});

test('legitimate: a passive market maker near the close is not counted as marking', async () => {
  const close = Date.parse('2026-07-01T20:00:00Z');
  const events = day(close, 2);
  // Buyers lift the MM's offers (aggressor buy): the price rises but the MM is the passive seller.
  for (let i = 0; i < 10; i++) events.push(trade(close - 200 * S + i * 20 * S, `C${i}`, 'MM', 300, 100.2 + i * 0.1, { side: 'buy' }));
  assert.equal((await run(unusualTiming, events, NY)).alerts.length, 0);
});

test('golden: trades outside the session form one alert per off-session period', async () => {
  const night = Date.parse('2026-03-03T02:00:00Z'); // 21:00 New York, after the close
  const events: MarketEvent[] = [];
  for (let i = 0; i < 9; i++) events.push(trade(night + i * 60 * S, 'N1', 'N2', 10, 50));
  // The next night is another off-session period.
  events.push(trade(night + 86_400_000, 'N1', 'N2', 10, 50));
  const { alerts } = await run(unusualTiming, events, NY);
  assert.equal(alerts.length, 2);
  const first = alerts.find((a) => a.window_start === new Date(night).toISOString())!;
  assert.equal(metric(first, 'off_session_trades'), 9);
  assert.deepEqual(first.affected_users, ['N1', 'N2']);
});

test('edge: without a configured session, neither off-session nor marking rules apply', async () => {
  const night = Date.parse('2026-03-03T02:00:00Z');
  const events = [0, 1, 2].map((i) => trade(night + i * S, 'N1', 'N2', 10, 50));
  assert.equal((await run(unusualTiming, events)).alerts.length, 0);
});

test('golden: a two-sided bot trading every 30 s is machine-like', async () => {
  const t0 = Date.parse('2026-03-03T15:00:00Z');
  const r = rng(5);
  const events: MarketEvent[] = [];
  for (let i = 0; i < 40; i++) {
    const ts = t0 + i * 30 * S + Math.floor(r() * 200);
    events.push(i % 2 ? trade(ts, 'BOT', `C${i % 9}`, 100, 10) : trade(ts, `C${i % 9}`, 'BOT', 100, 10));
  }
  const { alerts, writes } = await run(unusualTiming, events);
  assert.equal(alerts.length, 1);
  assert.deepEqual(alerts[0]!.affected_users, ['BOT']);
  assert.ok(metric(alerts[0]!, 'gap_cv')! < 0.05);
  assert.ok(writes >= 2);
});

test('legitimate: Poisson-timed trading and one-sided TWAP slicing are not flagged', async () => {
  const t0 = Date.parse('2026-03-03T15:00:00Z');
  const r = rng(6);
  const events: MarketEvent[] = [];
  let ts = t0;
  for (let i = 0; i < 200; i++) {
    ts += Math.floor(-Math.log(1 - r()) * 10 * S) + 1;
    events.push(i % 2 ? trade(ts, 'HUMAN', `C${i % 9}`, 100, 10) : trade(ts, `C${i % 9}`, 'HUMAN', 100, 10));
  }
  for (let i = 0; i < 60; i++) events.push(trade(t0 + i * 60 * S + 123, 'INST', `C${i % 9}`, 500, 10));
  assert.equal((await run(unusualTiming, events)).alerts.length, 0);
});

test('edge: 19 regular trades (one fewer than needed) → nothing', async () => {
  const t0 = Date.parse('2026-03-03T15:00:00Z');
  const events = Array.from({ length: 19 }, (_, i) =>
    i % 2 ? trade(t0 + i * 30 * S, 'BOT', 'C', 100, 10) : trade(t0 + i * 30 * S, 'C', 'BOT', 100, 10),
  );
  assert.equal((await run(unusualTiming, events)).alerts.length, 0);
});

test('checkpoint: snapshot/restore mid-session gives the same marking, off-session and regularity alerts', async () => {
  const close = Date.parse('2026-07-01T20:00:00Z');
  const events = day(close, 3);
  for (let i = 0; i < 10; i++) events.push(trade(close - 200 * S + i * 20 * S, 'MARK', `D${i}`, 300, 100.2 + i * 0.1, { side: 'buy' }));
  for (let i = 0; i < 12; i++) events.push(trade(close + 3600 * S + i * 60 * S, 'N1', 'N2', 10, 50));
  const t0 = close - 3 * 3600 * S;
  for (let i = 0; i < 40; i++) {
    const ts = t0 + i * 30 * S + (i % 3) * 50;
    events.push(i % 2 ? trade(ts, 'BOT', `C${i % 9}`, 100, 10) : trade(ts, `C${i % 9}`, 'BOT', 100, 10));
  }
  events.sort((a, b) => a.tsMs - b.tsMs);
  // Batches of 10 events; cuts inside the bot series, inside the marking window and inside the night.
  const batches: MarketEvent[][] = [];
  for (let i = 0; i < events.length; i += 10) batches.push(events.slice(i, i + 10));
  const at = (ms: number): number => Math.floor(events.findIndex((e) => e.tsMs >= ms) / 10);
  const cuts = [at(t0 + 600 * S), at(close - 100 * S), at(close + 3900 * S)];
  const r = await compareSnapshotRuns([unusualTiming], batches, cuts, NY);
  const rules = new Set(r.straight.map((a) => a.evidence.details?.['rule']));
  assert.deepEqual([...rules].sort(), ['marking_close', 'off_session', 'regular_timing']);
  assert.deepEqual(
    r.resumed.map((a) => JSON.stringify(a)),
    r.straight.map((a) => JSON.stringify(a)),
  );
});

/** The coefficient of variation of gaps as the detector takes it (population spread / mean). */
function cvOf(g: number[]): number {
  const mean = g.reduce((a, b) => a + b, 0) / g.length;
  return Math.sqrt(g.reduce((a, b) => a + (b - mean) ** 2, 0) / g.length) / mean;
}

/** Account BOT trading with a different counterparty each time, at the given gaps from `t0`. */
function botTape(t0: number, g: number[]): MarketEvent[] {
  let ts = t0;
  return [0, ...g].map((gap, i) => {
    ts += gap;
    return i % 2 ? trade(ts, 'BOT', `C${i}`, 100, 10) : trade(ts, `C${i}`, 'BOT', 100, 10);
  });
}

test('edge: gaps with a coefficient of variation just under the bar are machine-like, just over are not', async () => {
  const t0 = Date.parse('2026-03-03T15:00:00Z');
  // 20 trades, gaps alternating 10 s ± d: the CV as the detector takes it (population spread / mean).
  const gaps = (d: number): number[] => Array.from({ length: 19 }, (_, i) => 10 * S + (i % 2 ? -d : d));
  let d = 400;
  while (cvOf(gaps(d + 1)) < 0.05) d++;
  assert.ok(cvOf(gaps(d)) > 0.0499 && cvOf(gaps(d + 1)) >= 0.05);
  assert.equal((await run(unusualTiming, botTape(t0, gaps(d)))).alerts.length, 1);
  assert.equal((await run(unusualTiming, botTape(t0, gaps(d + 1)))).alerts.length, 0);
});

test('edge: two outlying gaps with the CV just under the bar are machine-like (the series keep what such gaps need)', async () => {
  const t0 = Date.parse('2026-03-03T15:00:00Z');
  // 19 gaps of 100 s but one longer and one shorter by d: about the widest ratio between two gaps a CV under the bar allows.
  const gaps = (d: number): number[] => Array.from({ length: 19 }, (_, i) => 100 * S + (i === 4 ? d : i === 13 ? -d : 0));
  let d = 1000;
  while (cvOf(gaps(d + 1)) < 0.05) d++;
  assert.ok(cvOf(gaps(d)) > 0.0499 && cvOf(gaps(d + 1)) >= 0.05);
  const { alerts } = await run(unusualTiming, botTape(t0, gaps(d)));
  assert.equal(alerts.length, 1);
  assert.ok(metric(alerts[0]!, 'gap_cv')! > 0.0499);
  assert.equal((await run(unusualTiming, botTape(t0, gaps(d + 1)))).alerts.length, 0);
});
