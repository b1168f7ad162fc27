import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StringIds } from './string-ids.js';

/** xorshift32, so a failure replays. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

test('ids follow a reference count map through random acquires and releases', () => {
  for (const seed of [1, 2, 3]) {
    const next = rng(seed);
    const t = new StringIds();
    const ref = new Map<string, { id: number; refs: number }>();
    // Few distinct strings of varied lengths, so the table grows, shrinks, and entries collide and shift.
    const pool = Array.from({ length: 3000 }, (_, i) => `${'ABCDEF'[i % 6]!.repeat(1 + (i % 3))}${i * 7919}`);
    for (let step = 0; step < 200_000; step++) {
      const s = pool[Math.floor(next() * (step < 100_000 ? pool.length : 300))]!;
      const held = ref.get(s);
      if (held && next() < 0.5) {
        t.release(held.id);
        if (--held.refs === 0) ref.delete(s);
      } else {
        const id = t.acquire(s);
        if (held) {
          assert.equal(id, held.id);
          held.refs++;
        } else ref.set(s, { id, refs: 1 });
      }
      if (step % 997 === 0) {
        assert.equal(t.size, ref.size);
        for (const [k, v] of ref) {
          assert.equal(t.find(k), v.id);
          assert.equal(t.name(v.id), k);
        }
        for (let i = 0; i < 20; i++) {
          const p = pool[Math.floor(next() * pool.length)]!;
          assert.equal(t.find(p), ref.get(p)?.id ?? -1);
        }
      }
    }
    // Ids held at once are distinct and reused after release (the id space stays near the peak held).
    assert.ok(t.idLimit <= pool.length);
  }
});

test('a prefix of a longer text is found and kept without the rest', () => {
  const t = new StringIds();
  const id = t.acquire('T1999999', 1);
  assert.equal(t.name(id), 'T');
  assert.equal(t.acquire('T42', 1), id);
  assert.equal(t.find('T'), id);
  assert.equal(t.find('TX', 2), -1);
  t.release(id);
  assert.equal(t.find('T'), id);
  t.release(id);
  assert.equal(t.find('T'), -1);
  assert.equal(t.size, 0);
});

test('the id looked up last is not found once released, nor after its id is reused', () => {
  const t = new StringIds();
  const a = t.acquire('A1');
  assert.equal(t.find('A1'), a);
  t.release(a);
  assert.equal(t.find('A1'), -1);
  const b = t.acquire('B2'); // reuses the freed id
  assert.equal(b, a);
  assert.equal(t.find('A1'), -1);
  assert.equal(t.acquire('A1', 1), t.find('A'));
  assert.equal(t.find('B2'), b);
  // A longer text whose first characters are the last id's string is not that id.
  assert.equal(t.find('B2x'), -1);
  assert.equal(t.find('B2x', 2), b);
});
