import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeState, encodeState } from '../../engine/snapshot.js';
import { ChunkPool, chunkSize, classFor, isChunkSize, pow2ClassFor } from './pool-chunks.js';

test('chunk classes: sizes 1, 2, 3, 4, 5, 6, 7, 8, 10, ...; classFor is the smallest holding n; isChunkSize and pow2ClassFor agree', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map(chunkSize), [1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16]);
  for (let n = 1; n < 70_000; n += n < 5000 ? 1 : 97) {
    const c = classFor(n);
    assert.ok(chunkSize(c) >= n && (c === 0 || chunkSize(c - 1) < n), `n ${n}`);
    assert.equal(isChunkSize(n), chunkSize(c) === n, `n ${n}`);
    const p = chunkSize(pow2ClassFor(n));
    assert.ok(p >= n && p < 2 * n + 1 && (p & (p - 1)) === 0, `n ${n}`);
  }
});

test('ChunkPool: live chunks never overlap nor cross a block, freed ones are reused by their class, through checkpoints', () => {
  let x = 5;
  const r = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const block = 64;
  let pool = new ChunkPool(block);
  const live: { start: number; c: number }[] = [];
  let reused = 0;
  for (let step = 0; step < 5000; step++) {
    if (live.length > 0 && r() < 0.45) {
      const i = Math.floor(r() * live.length);
      const { start, c } = live[i]!;
      live.splice(i, 1);
      pool.release(start, c);
    } else {
      const c = Math.floor(r() * 8);
      const before = pool.end;
      const start = pool.alloc(c);
      if (pool.end === before) reused++;
      assert.ok(start + chunkSize(c) <= pool.end);
      assert.ok((start % block) + chunkSize(c) <= block);
      live.push({ start, c });
    }
    if (r() < 0.01) pool = decodeState(encodeState(pool)) as ChunkPool;
    const owner = new Int32Array(pool.end).fill(-1);
    live.forEach(({ start, c }, i) => {
      for (let p = start; p < start + chunkSize(c); p++) {
        assert.equal(owner[p], -1, `step ${step}: position ${p} in two chunks`);
        owner[p] = i;
      }
    });
  }
  assert.ok(reused > 1000);
});
