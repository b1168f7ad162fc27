import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeState, encodeState } from '../../engine/snapshot.js';
import { RecentBuyers } from './recent-buyers.js';
import { Slab } from './slab.js';

/** The tallies as two Maps updated per buy and merged (what RecentBuyers replaces). */
class MapTallies {
  older = new Map<string, number>();
  recent = new Map<string, number>();
  add(b: string, q: number): void {
    this.recent.set(b, (this.recent.get(b) ?? 0) + q);
  }
  rotate(forgetBoth: boolean): void {
    this.older = forgetBoth ? new Map() : this.recent;
    this.recent = new Map();
  }
  tallies(): Map<string, number> {
    const out = new Map(this.older);
    for (const [k, v] of this.recent) out.set(k, (out.get(k) ?? 0) + v);
    return out;
  }
}

test('RecentBuyers: per slot the same sums (exact doubles) as per-buy Map tallies, across rotations, folds, drops and checkpoints', () => {
  let x = 7;
  const r = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const SLOTS = 3;
  let log = new RecentBuyers(new Slab(true));
  const refs: MapTallies[] = [];
  for (let s = 0; s < SLOTS; s++) {
    log.add(s);
    refs.push(new MapTallies());
  }
  const check = (): void => {
    for (let s = 0; s < SLOTS; s++) assert.deepEqual([...log.tallies(s)].sort(), [...refs[s]!.tallies()].sort(), `slot ${s}`);
  };
  for (let step = 0; step < 40_000; step++) {
    const s = step % 7 === 0 ? Math.floor(r() * SLOTS) : 0;
    const ref = refs[s]!;
    const u = r();
    if (u < 0.0004) {
      const both = r() < 0.3;
      log.rotate(s, both);
      ref.rotate(both);
    } else if (u < 0.0005) {
      log.clear(s);
      ref.rotate(true);
    } else if (u < 0.00055) {
      log.drop(s);
      refs[s] = new MapTallies();
    } else {
      // Few buyers (folds shrink the log) or many (folds raise their threshold); fractional quantities.
      const b = `B${Math.floor(r() * (step < 20_000 ? 20 : 3000))}`;
      const q = Math.round(r() * 1e6) / 1e3 + 0.1;
      log.buy(s, b, q);
      ref.add(b, q);
    }
    if (step % 997 === 0) check();
    if (step % 4001 === 0) log = decodeState(encodeState(log)) as RecentBuyers;
  }
  check();
});
