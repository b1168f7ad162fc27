import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeState, encodeState } from '../../engine/snapshot.js';
import { TimeExtremes } from './reference/time-extremes.js';
import { SlotExtremes } from './slot-extremes.js';

test('SlotExtremes: per slot and window, the same extremes and times as a TimeExtremes of that length, late prints, ties, pauses, trims, slot reuse and checkpoints included', () => {
  let x = 9;
  const r = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const slots = 4;
  for (const [shortMs, longMs] of [
    [1, 1],
    [60_000, 60_000],
    [1, 60_000],
    [60_000, 300_000],
    [20_000, 600_000],
  ] as const) {
    let lows = new SlotExtremes(shortMs, longMs, true);
    let highs = new SlotExtremes(shortMs, longMs, false);
    const refs: TimeExtremes[][] = [];
    const tss: number[] = [];
    for (let s = 0; s < slots; s++) {
      lows.open(s);
      highs.open(s);
      refs.push([new TimeExtremes(shortMs), new TimeExtremes(longMs)]);
      tss.push(1_700_000_000_000);
    }
    for (let i = 0; i < 20_000; i++) {
      const s = Math.floor(r() * slots);
      const u = r();
      tss[s]! += u < 0.02 ? 400_000 : u < 0.05 ? -Math.floor(r() * 90_000) : Math.floor(r() * 3000);
      const v = r() < 0.5 ? 100 + Math.floor(r() * 6) : r() * 200;
      refs[s]![0]!.push(tss[s]!, v);
      refs[s]![1]!.push(tss[s]!, v);
      lows.push(s, tss[s]!, v);
      highs.push(s, tss[s]!, v);
      if (r() < 0.01) {
        lows.trim(s);
        highs.trim(s);
      }
      if (r() < 0.002) {
        lows = decodeState(encodeState(lows)) as SlotExtremes;
        highs = decodeState(encodeState(highs)) as SlotExtremes;
      }
      if (r() < 0.002) {
        // Forgotten; the slot is reused by a new symbol.
        lows.close(s);
        highs.close(s);
        lows.open(s);
        highs.open(s);
        refs[s] = [new TimeExtremes(shortMs), new TimeExtremes(longMs)];
      }
      for (let j = 0; j < slots; j++) {
        for (const k of [0, 1]) {
          const e = refs[j]![k]!;
          const want = { min: e.min, minAt: e.minAtMs, max: e.max, maxAt: e.maxAtMs };
          const got = { min: lows.value(j, k), minAt: lows.atMs(j, k), max: highs.value(j, k), maxAt: highs.atMs(j, k) };
          assert.deepEqual(got, want, `windows ${shortMs}/${longMs}, slot ${j}, window ${k}, push ${i}`);
        }
      }
    }
  }
  assert.throws(() => new SlotExtremes(20, 10, false));
});

test('SlotExtremes: many slots whose deques grow and shrink (the pool compacts its chunks) still match TimeExtremes', () => {
  let x = 41;
  const r = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const slots = 300;
  const highs = new SlotExtremes(60_000, 300_000, false);
  const refs: TimeExtremes[][] = [];
  const tss: number[] = [];
  for (let s = 0; s < slots; s++) {
    highs.open(s);
    refs.push([new TimeExtremes(60_000), new TimeExtremes(300_000)]);
    tss.push(1_700_000_000_000);
  }
  for (let i = 0; i < 100_000; i++) {
    const s = Math.floor(r() * slots);
    // Bursts of falling values (long deques), then a phase of quiet spells (trimmed: most chunks freed at once).
    const quiet = r() < (i % 20_000 > 15_000 ? 0.5 : 0.001);
    tss[s]! += quiet ? 400_000 : Math.floor(r() * 500);
    const v = quiet ? 1000 : 1000 - (i % 500) - r();
    for (const e of refs[s]!) e.push(tss[s]!, v);
    highs.push(s, tss[s]!, v);
    if (quiet) highs.trim(s);
    const j = Math.floor(r() * slots);
    for (const t of [s, j])
      for (const k of [0, 1]) {
        assert.equal(highs.value(t, k), refs[t]![k]!.max, `push ${i}`);
        assert.equal(highs.atMs(t, k), refs[t]![k]!.maxAtMs, `push ${i}`);
      }
  }
});
