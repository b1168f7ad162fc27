import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compactField, compactKey, entryLength, fullBuyTrades, fullKey, seqOf } from './bucket-entry.js';

test('bucket entries: keys are negative and give back the very sequence, counts and volumes', () => {
  let x = 17;
  const r = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < 200_000; i++) {
    const seq = Math.floor(r() * (r() < 0.5 ? 1000 : r() < 0.5 ? 2 ** 23 : 2 ** 31));
    const volume = r() < 0.8 ? Math.floor(r() * (r() < 0.5 ? 1000 : 2 ** 24)) : Math.round(r() * 1e6) / 1e3;
    const trades = Math.floor(r() * (r() < 0.9 ? 16 : 2 ** 21));
    const buy = trades === 0 ? 0 : r() < 0.5 ? volume : volume * r();
    const compact = compactKey(seq, volume, buy, trades);
    if (!Number.isNaN(compact)) {
      assert.ok(compact < 0 && entryLength(compact) === 1);
      assert.equal(seqOf(compact), seq);
      assert.ok(Object.is(compactField(compact, 1), volume) && Object.is(compactField(compact, 2), buy));
      assert.equal(compactField(compact, 3), trades);
    } else assert.ok(seq >= 2 ** 23 || !Number.isInteger(volume) || trades >= 16 || !(Object.is(buy, volume) || Object.is(buy, 0)));
    const full = fullKey(seq, trades);
    assert.ok(full < 0 && entryLength(full) === 3);
    assert.equal(seqOf(full), seq);
    assert.equal(fullBuyTrades(full), trades);
  }
  // Limits: what does not fit gives NaN (the log turns wide).
  assert.ok(
    Number.isNaN(compactKey(2 ** 23, 1, 1, 1)) && Number.isNaN(compactKey(0, 2 ** 24, 0, 0)) && Number.isNaN(compactKey(0, -0, 0, 0)),
  );
  assert.ok(Number.isNaN(fullKey(2 ** 31, 0)) && Number.isNaN(fullKey(0, 2 ** 21)) && Number.isNaN(fullKey(0, 1.5)));
  const top = fullKey(2 ** 31 - 1, 2 ** 21 - 1);
  const compactTop = compactKey(2 ** 23 - 1, 2 ** 24 - 1, 2 ** 24 - 1, 15);
  assert.equal(entryLength(compactTop), 1);
  assert.equal(seqOf(compactTop), 2 ** 23 - 1);
  assert.equal(compactField(compactTop, 1), 2 ** 24 - 1);
  assert.equal(compactField(compactTop, 3), 15);
  assert.equal(seqOf(top), 2 ** 31 - 1);
  assert.equal(fullBuyTrades(top), 2 ** 21 - 1);
});
