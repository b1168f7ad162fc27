import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeState, encodeState } from '../../engine/snapshot.js';
import { RecentTimes } from './recent-times.js';
import { Slab } from './slab.js';

test('RecentTimes: per slot the times of an array spliced at the cutoff (bursts, quiet spells, drops, checkpoints)', () => {
  let x = 3;
  const r = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const SLOTS = 6;
  let times = new RecentTimes(new Slab());
  const refs: number[][] = [];
  for (let s = 0; s < SLOTS; s++) {
    times.add(s);
    refs.push([]);
  }
  let ts = 1_000_000;
  for (let i = 0; i < 50_000; i++) {
    ts += r() < 0.01 ? 50_000 : Math.floor(r() * 200);
    const s = Math.floor(r() * r() * SLOTS);
    if (r() < 0.001) {
      times.drop(s);
      refs[s] = [];
    }
    if (r() < 0.6) {
      times.push(s, ts);
      refs[s]!.push(ts);
    }
    const cutoff = ts - 10_000;
    times.expire(s, cutoff);
    refs[s] = refs[s]!.filter((t) => t >= cutoff);
    for (let k = 0; k < SLOTS; k++) assert.equal(times.size(k), refs[k]!.length, `slot ${k} at ${i}`);
    if (i % 3001 === 0) times = decodeState(encodeState(times)) as RecentTimes;
  }
});
