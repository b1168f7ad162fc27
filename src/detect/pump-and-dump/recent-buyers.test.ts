import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecentBuyers } from './recent-buyers.js';

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

test('RecentBuyers: the same sums (exact doubles) as per-buy Map tallies, across rotations and folds', () => {
  let x = 7;
  const r = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const log = new RecentBuyers();
  const ref = new MapTallies();
  for (let step = 0; step < 20_000; step++) {
    const u = r();
    if (u < 0.0004) {
      const both = r() < 0.3;
      log.rotate(both);
      ref.rotate(both);
    } else if (u < 0.0005) {
      log.clear();
      ref.rotate(true);
    } else {
      // Few buyers (folds shrink the log) or many (folds raise their threshold); fractional quantities.
      const b = `B${Math.floor(r() * (step < 10_000 ? 20 : 3000))}`;
      const q = Math.round(r() * 1e6) / 1e3 + 0.1;
      log.add(b, q);
      ref.add(b, q);
    }
    if (step % 997 === 0) assert.deepEqual([...log.tallies()].sort(), [...ref.tallies()].sort());
  }
  assert.deepEqual([...log.tallies()].sort(), [...ref.tallies()].sort());
});
