import { test } from 'node:test';
import assert from 'node:assert/strict';
import { numberFrom, numberStart } from './numbered-id.js';

/** The id as the market context writes it back: prefix and number. */
function rebuilt(id: string): string | undefined {
  const at = numberStart(id);
  return at < 0 ? undefined : id.slice(0, at) + String(numberFrom(id, at));
}

test('numbered ids split into a prefix and a number that give the same text back', () => {
  const cases: [string, number][] = [
    ['T0', 1],
    ['T1999999', 1],
    ['1234567890', 0],
    ['0', 0],
    ['T007', 3],
    ['T000', 3],
    ['a28172', 1],
    ['trades.csv:812', 11],
    ['AAPL-T15', 6],
    ['99999999999999999999', 5], // 20 digits: the last 15 are the number
    ['x-100000000000000', 2], // 15 digits
  ];
  for (const [id, at] of cases) {
    assert.equal(numberStart(id), at, id);
    assert.equal(rebuilt(id), id);
  }
  for (const id of ['', 'abc', 'T1x', `${'p'.repeat(40)}1`, '550e8400-e29b-41d4-a716-44665544000a']) assert.equal(numberStart(id), -1, id);
});

test('random ids of digits, letters and punctuation round-trip when they split', () => {
  let s = 7;
  const next = (n: number): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) % n;
  };
  const chars = '0123456789000T:-._aZ';
  for (let i = 0; i < 100_000; i++) {
    let id = '';
    for (let n = next(24); n >= 0; n--) id += chars[next(chars.length)];
    const r = rebuilt(id);
    if (r !== undefined) assert.equal(r, id);
    else assert.ok(!/\d$/.test(id) || numberStart(id) === -1);
  }
});
