import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeState, encodeState } from '../../engine/snapshot.js';
import { RecentIds } from './reference/recent-ids.js';
import { TightIds } from './tight-ids.js';

test('TightIds: the same ids as RecentIds (expiry by time and by count, quiet spells, checkpoints)', () => {
  let x = 5;
  const r = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  let tight = new TightIds();
  const ref = new RecentIds();
  let ts = 1_700_000_000_000;
  for (let i = 0; i < 30_000; i++) {
    ts += r() < 0.01 ? 700_000 : Math.floor(r() * 100);
    const max = i < 15_000 ? 50 : 3;
    tight.expire(ts - 10_000, max);
    ref.expire(ts - 10_000, max);
    if (r() < 0.9) {
      tight.push(ts, `T${i}`);
      ref.push(ts, `T${i}`);
    }
    assert.equal(tight.size, ref.size, `at ${i}`);
    if (i % 97 === 0) assert.deepEqual(tight.all(), ref.all(), `at ${i}`);
    if (i % 2001 === 0) tight = decodeState(encodeState(tight)) as TightIds;
  }
});
