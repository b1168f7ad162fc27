import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeState, encodeState } from '../../engine/snapshot.js';
import { STRIDE, TimingSeries } from './timing-series.js';

/** What a series should keep, from all its instants: the longest suffix with gaps within `ratio`, at most `cap` instants. */
function expectedRun(instants: number[][], ratio: number, cap: number): number[][] {
  let n = 1;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = instants.length - 1; i > 0 && n < cap; i--) {
    const gap = instants[i]![0]! - instants[i - 1]![0]!;
    const l = Math.min(lo, gap);
    const h = Math.max(hi, gap);
    if (h > ratio * l) break;
    lo = l;
    hi = h;
    n++;
  }
  return instants.slice(instants.length - n);
}

function runOf(s: TimingSeries, slot: number, cap: number): number[][] {
  const out = new Float64Array(cap * STRIDE);
  s.copyRun(slot, out);
  return Array.from({ length: s.runOf(slot) }, (_, i) => [...out.subarray(i * STRIDE, i * STRIDE + STRIDE)]);
}

describe('TimingSeries', () => {
  for (const [ratio, cap] of [
    [1.6, 20],
    [3, 5],
    [Infinity, 8],
    [1.2, 2],
  ] as const) {
    it(`agrees with a list of every instant (ratio ${ratio}, cap ${cap}) over random series, merges, restarts and releases`, () => {
      let seed = 99;
      const rand = (): number => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return seed / 2 ** 32;
      };
      // Mostly small integers (kept in the slot's row); sometimes a fraction or one too large for it.
      const qty = (q: number): number => {
        const u = rand();
        return u < 0.05 ? q + 0.25 : u < 0.08 ? q + 2 ** 25 : q;
      };
      let s = new TimingSeries(ratio, cap);
      const model = new Map<string, { account: number; symbol: number; instants: number[][] }>();
      const slots = new Map<string, number>();
      for (let step = 0; step < 60_000; step++) {
        const account = Math.floor(rand() * 300);
        const symbol = Math.floor(rand() * 7);
        const key = `${account}/${symbol}`;
        const slot = s.find(account, symbol);
        const m = model.get(key);
        assert.equal(slot >= 0, m !== undefined);
        if (!m) {
          const ts = step * 10;
          const q = qty(5);
          const opened = s.open(account, symbol, ts, q, 0);
          model.set(key, { account, symbol, instants: [[ts, q, 0]] });
          slots.set(key, opened);
          continue;
        }
        assert.equal(slot, slots.get(key));
        const u = rand();
        const last = m.instants[m.instants.length - 1]!;
        if (u < 0.1) {
          // Either side: a lone one-sided instant that gets the other side needs its second table row.
          const buy = rand() < 0.5;
          const q = qty(2);
          s.merge(slot, buy, q);
          last[buy ? 1 : 2]! += q;
        } else if (u < 0.15) {
          const q = qty(3);
          s.restart(slot, last[0]! + 5000, 0, q);
          m.instants = [[last[0]! + 5000, 0, q]];
        } else if (u < 0.22) {
          s.release(slot);
          model.delete(key);
          slots.delete(key);
        } else {
          // Mostly regular gaps (so long runs happen), some random ones.
          const gap = rand() < 0.8 ? 100 + Math.floor(rand() * 30) : 1 + Math.floor(rand() * 1000);
          const q = qty(gap);
          s.append(slot, last[0]! + gap, 0, q);
          m.instants.push([last[0]! + gap, 0, q]);
        }
        if (model.has(key)) {
          const want = expectedRun(m.instants, ratio, cap);
          assert.deepEqual(runOf(s, slot, cap), want);
          assert.equal(s.lastTs(slot), m.instants[m.instants.length - 1]![0]);
          assert.equal(s.accountOf(slot), account);
          assert.equal(s.symbolOf(slot), symbol);
        }
        if (step === 30_000) {
          // A checkpoint in the middle: the decoded copy carries on exactly.
          s = decodeState(encodeState(s)) as TimingSeries;
        }
      }
      assert.equal(s.size, model.size);
      for (const [key, m] of model) assert.equal(s.find(m.account, m.symbol), slots.get(key));
    });
  }

  it('finds the series idle before a time, in slot order, skipping free slots', () => {
    const s = new TimingSeries(2, 5);
    const a = s.open(1, 1, 1000, 1, 0);
    const b = s.open(2, 1, 1500, 1, 0);
    const c = s.open(3, 1, 900, 1, 0);
    s.append(a, 2000, 1, 0);
    s.merge(b, false, 3);
    assert.equal(s.nextIdle(0, 1600), b);
    assert.equal(s.nextIdle(b + 1, 1600), c);
    s.release(b);
    assert.equal(s.nextIdle(0, 1600), c);
    assert.equal(s.nextIdle(c + 1, 1600), -1);
    assert.equal(s.nextIdle(0, 2001), a);
  });

  it('keeps large account ids beside the link of a run, and reuses the rows of runs freed by restarts and releases', () => {
    let s = new TimingSeries(Infinity, 4);
    const big = 2 ** 26 - 1;
    assert.throws(() => new TimingSeries(2, 4).open(2 ** 26, 1, 0, 1, 0), RangeError);
    const a = s.open(big, 3, 1000, 1, 0);
    const b = s.open(7, 3, 1000, 0, 2);
    s.append(a, 1100, 0, 1);
    s.append(a, 1200, 1, 0);
    assert.equal(s.accountOf(a), big);
    assert.equal(s.find(big, 3), a);
    assert.equal(s.runOf(a), 3);
    s = decodeState(encodeState(s)) as TimingSeries;
    s.append(b, 1300, 0, 5);
    assert.deepEqual(runOf(s, b, 4), [
      [1000, 0, 2],
      [1300, 0, 5],
    ]);
    s.restart(a, 9000, 2, 0);
    assert.equal(s.runOf(a), 1);
    assert.equal(s.accountOf(a), big);
    assert.equal(s.find(big, 3), a);
    // The freed row of `a`'s run serves the next run of two, which starts with nothing older.
    const c = s.open(8, 3, 1000, 1, 0);
    s.append(c, 1010, 0, 1);
    assert.deepEqual(runOf(s, c, 4), [
      [1000, 1, 0],
      [1010, 0, 1],
    ]);
    s.release(b);
    assert.equal(s.find(7, 3), -1);
    assert.equal(s.nextIdle(0, 5000), c);
  });

  it('keeps quantities the slot row cannot hold exactly (large, fractional, -0) in a linked row', () => {
    const s = new TimingSeries(Infinity, 4);
    const a = s.open(1, 1, 1000, 2 ** 25 - 1, 0);
    assert.deepEqual(runOf(s, a, 4), [[1000, 2 ** 25 - 1, 0]]);
    s.merge(a, true, 1);
    assert.deepEqual(runOf(s, a, 4), [[1000, 2 ** 25, 0]]);
    const b = s.open(2, 1, 1000, 0, 0.5);
    s.merge(b, false, 0.25);
    assert.deepEqual(runOf(s, b, 4), [[1000, 0, 0.75]]);
    const c = s.open(3, 1, 1000, -0, 0);
    assert.ok(Object.is(runOf(s, c, 4)[0]![1], -0));
    s.restart(a, 5000, 7, 0);
    s.append(a, 5100, 0, 9);
    assert.deepEqual(runOf(s, a, 4), [
      [5000, 7, 0],
      [5100, 0, 9],
    ]);
  });
});
