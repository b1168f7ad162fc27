import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MarketEvent } from '../../domain/events.js';
import { splitCsvLine } from '../lines.js';
import { collect, MemoryRejects } from '../../testing/collect.js';
import { canonicalFormat, eventFromRow, layoutFromHeader } from './canonical.js';
import { codesOf, FastRowParser, Interner } from './fast-row.js';

const TRADE_HEADER = 'ts,symbol,price,qty,buyer,seller,trade_id,side';
const ORDER_HEADER = 'ts,symbol,order_id,account,side,action,price,qty';
const MIXED_HEADER = 'type,ts,symbol,price,qty,buyer,seller,trade_id,order_id,account,side,action';

/** The reference reading of one row: the event, or the rejected field. */
function reference(header: string, line: string, lineNo: number): MarketEvent | string {
  const layout = layoutFromHeader(splitCsvLine(header));
  if (typeof layout === 'string') throw new Error(layout);
  const cells = splitCsvLine(line);
  try {
    return eventFromRow((c) => (layout.index[c] === undefined ? undefined : cells[layout.index[c]]), layout.kind, `f.csv:${lineNo}`);
  } catch (err) {
    return `reject ${(err as { field?: string }).field}`;
  }
}

function fastParser(header: string): FastRowParser {
  const layout = layoutFromHeader(splitCsvLine(header));
  if (typeof layout === 'string') throw new Error(layout);
  return new FastRowParser(layout, 'f.csv');
}

/** Whenever the fast path accepts a row it must give exactly the reference event. */
function assertAgrees(header: string, line: string): MarketEvent | undefined {
  const got = fastParser(header).parseLine(line, 7);
  if (got !== undefined) assert.deepEqual(got, reference(header, line, 7), `row: ${JSON.stringify(line)}`);
  return got;
}

test('clean rows take the fast path and equal the reference events', () => {
  for (const [header, line] of [
    [TRADE_HEADER, '1772461800123,AAPL,170.55,100,A1,B2,t1,buy'],
    [TRADE_HEADER, '1772461800123,AAPL,170,100,,,,'],
    [TRADE_HEADER, '1772461800123,BRK.B,.5,5.,A1,A1,t9,S'],
    [TRADE_HEADER, '0001,X,0.1,0.2,a,b,c,sell'],
    [ORDER_HEADER, '1772461800123,ES,o1,acc,sell,cancel,4797.25,3'],
    [MIXED_HEADER, 'trade,1000,X,1.25,10,a,b,t,,,,'],
    [MIXED_HEADER, 'order,1000,X,1.25,10,,,,o1,acc,bid,modify'],
  ] as const) {
    assert.ok(assertAgrees(header, line), `expected the fast path for ${line}`);
  }
  // A missing trade id falls back to file:line, as before.
  const e = fastParser(TRADE_HEADER).parseLine('1,X,1,1,,,,', 42);
  assert.equal(e?.type === 'trade' ? e.tradeId : '', 'f.csv:42');
});

test('tricky rows are declined (left to the reference parser) or agree with it', () => {
  const tricky: [string, string][] = [
    [TRADE_HEADER, '1772461800123,"AAPL",170.5,100,"A,1",B2,t1,buy'], // quotes, comma inside
    [TRADE_HEADER, '1772461800123,aapl,170.5,100,A1,B2,t1,buy'], // lower-case symbol
    [TRADE_HEADER, '1772461800123, AAPL ,170.5,100,A1,B2,t1,buy'], // padding
    [TRADE_HEADER, '1772461800123,AAPL,1.7e2,100,A1,B2,t1,buy'], // exponent
    [TRADE_HEADER, '1772461800123,AAPL,1e-7,100,,,,'], // small exponent
    [TRADE_HEADER, '1772461800123,AAPL,+170.5,100,,,,'], // sign
    [TRADE_HEADER, '1772461800123,AAPL,-1,100,,,,'], // negative
    [TRADE_HEADER, '1772461800123,AAPL,0,100,,,,'], // zero
    [TRADE_HEADER, '1772461800123,AAPL,0.0000000000000001,100,,,,'], // many digits
    [TRADE_HEADER, '1772461800123,AAPL,1.2.3,100,,,,'], // two dots
    [TRADE_HEADER, '1772461800123,AAPL,.,100,,,,'], // no digits
    [TRADE_HEADER, '1772461800123,AAPL,170.5,100'], // missing trailing fields
    [TRADE_HEADER, '1772461800123,AAPL,170.5'], // missing qty
    [TRADE_HEADER, '2026-03-02T14:30:00.123Z,AAPL,170.5,100,,,,'], // ISO time
    [TRADE_HEADER, '1772461800123000,AAPL,170.5,100,,,,'], // microseconds
    [TRADE_HEADER, '1772461800123000000,AAPL,170.5,100,,,,'], // nanoseconds
    [TRADE_HEADER, ',AAPL,170.5,100,,,,'], // empty ts
    [TRADE_HEADER, '1772461800123,AAPL,170.5,100,A1,B2,t1,up'], // bad side
    [TRADE_HEADER, '1772461800123,AAPL,170.5,100,A1,B2,t1,BID'], // odd side spelling
    [TRADE_HEADER, '1772461800123,AAPL,170.5,100, ,B2,t1,buy'], // blank account
    [TRADE_HEADER, '1772461800123,AAPL,170.5,100,A1,B2, ,buy'], // blank trade id
    [TRADE_HEADER, '1772461800123,ÄPL,170.5,100,,,,'], // non-ASCII symbol
    [TRADE_HEADER, '1772461800123,AAPL,170.5,100,A1,B2,t1,buy,extra,cells'], // extra cells
    [TRADE_HEADER, '1772461800123,AAPL,99999999999999999,100,,,,'], // beyond 2^53
    [ORDER_HEADER, '1772461800123,ES,,acc,sell,cancel,4797.25,3'], // missing order id
    [ORDER_HEADER, '1772461800123,ES,o1,acc,,cancel,4797.25,3'], // missing side
    [ORDER_HEADER, '1772461800123,ES,o1,acc,sell,CANCEL,4797.25,3'], // upper-case action
    [ORDER_HEADER, '1772461800123,ES,o1,acc,sell,explode,4797.25,3'], // unknown action
    [MIXED_HEADER, 'TRADE,1000,X,1.25,10,a,b,t,,,,'], // upper-case type
    [MIXED_HEADER, 'quote,1000,X,1.25,10,a,b,t,,,,'], // unknown type
    [MIXED_HEADER, ''], // empty line
  ];
  for (const [header, line] of tricky) assertAgrees(header, line);
  // The ones the fast path must not take (their reading needs trimming, unquoting or Number()).
  for (const i of [0, 1, 2, 3, 4, 5, 13, 14]) {
    assert.equal(fastParser(tricky[i]![0]).parseLine(tricky[i]![1], 1), undefined, tricky[i]![1]);
  }
});

test('random rows built from good and bad pieces always agree with the reference', () => {
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)]!;
  const ts = ['1000', '1772461800123', '', 'x', '17724618001230', '2026-03-02T14:30:00Z', ' 1000'];
  const sym = ['AAPL', 'aapl', 'BRK.B', '', ' X', 'X '];
  const num = ['1', '1.5', '.5', '5.', '0', '-1', '1e3', '2E-6', '', 'abc', '0.30000000000000004', '123456789012345', '1234567890123456'];
  const id = ['', 'A1', ' A1', 'A1 ', 'acc-7'];
  const side = ['', 'buy', 'sell', 'b', 's', 'BUY', 'Sell', 'bid', 'ask', 'a', 'up', ' buy'];
  const action = ['new', 'modify', 'cancel', 'fill', 'NEW', '', 'x'];
  const type = ['trade', 'order', 'Trade', 'x', ''];
  for (let n = 0; n < 3000; n++) {
    const trade = [pick(ts), pick(sym), pick(num), pick(num), pick(id), pick(id), pick(id), pick(side)].join(',');
    assertAgrees(TRADE_HEADER, trade);
    const order = [pick(ts), pick(sym), pick(id), pick(id), pick(side), pick(action), pick(num), pick(num)].join(',');
    assertAgrees(ORDER_HEADER, order);
    const mixed = [
      pick(type),
      pick(ts),
      pick(sym),
      pick(num),
      pick(num),
      pick(id),
      pick(id),
      pick(id),
      pick(id),
      pick(id),
      pick(side),
      pick(action),
    ].join(',');
    assertAgrees(MIXED_HEADER, mixed);
  }
});

test('the reader gives the same events and rejects as the reference, CRLF and quotes included', async () => {
  const rows = [
    '1772461800123,AAPL,170.55,100,A1,B2,t1,buy',
    '1772461800124,"AAPL",170.5,100,"A,1",B2,,sell',
    '1772461800125,msft,1e2,3,,,,',
    '1772461800126,MSFT,0,3,,,,',
    '',
    '1772461800127,MSFT,2.5,7,A1,A1,t2,b',
  ];
  const dir = mkdtempSync(join(tmpdir(), 'fast-row-'));
  const path = join(dir, 'f.csv');
  writeFileSync(path, `${TRADE_HEADER}\r\n${rows.join('\r\n')}\r\n`);
  const rejects = new MemoryRejects();
  const events = await collect(canonicalFormat.open({ path, rejects }));
  const expected = rows.map((line, i) => (line === '' ? 'skip' : reference(TRADE_HEADER, line, i + 2))).filter((x) => x !== 'skip');
  assert.deepEqual(
    events,
    expected.filter((x) => typeof x !== 'string'),
  );
  assert.deepEqual(
    rejects.items.map((r) => [r.line, r.field]),
    [[5, 'price']],
  );
  // Interned: the two A1 accounts are one string instance (cannot be told apart in JS, but equal).
  assert.equal((events[0] as { buyer: string }).buyer, 'A1');
});

test('the interner returns equal strings and starts over when full', () => {
  const interner = new Interner(4);
  const text = 'xx,AAPL,MSFT,AAPL,A,B,C,D';
  assert.equal(interner.get(text, codesOf(text), 3, 7), 'AAPL');
  assert.equal(interner.get(text, codesOf(text), 8, 12), 'MSFT');
  assert.equal(interner.get(text, codesOf(text), 13, 17), 'AAPL');
  for (const [s, e] of [
    [18, 19],
    [20, 21],
    [22, 23],
    [24, 25],
  ] as const)
    assert.equal(interner.get(text, codesOf(text), s, e), text.slice(s, e));
  assert.equal(interner.get(text, codesOf(text), 3, 7), 'AAPL');
  // Growth beyond the initial table keeps every entry findable.
  const big = new Interner(100_000);
  const ids = Array.from({ length: 5000 }, (_, i) => `A${i}`);
  for (const a of ids) big.get(a, codesOf(a), 0, a.length);
  for (const a of ids) assert.equal(big.get(`,${a},`, codesOf(`,${a},`), 1, a.length + 1), a);
});

test('line numbers stay right across chunks of a large file', async () => {
  const rows: string[] = [];
  for (let i = 0; i < 40_000; i++) rows.push(`${1000 + i},S${i % 50},${(i % 900) + 1}.25,${(i % 7) + 1},A${i % 300},B${i % 301},,buy`);
  rows[30_000] = '1000,X,abc,1,,,,'; // a bad row after the first 1 MiB read: line 30,002
  const dir = mkdtempSync(join(tmpdir(), 'fast-row-'));
  const path = join(dir, 'big.csv');
  writeFileSync(path, `${TRADE_HEADER}\n${rows.join('\n')}\n`);
  const rejects = new MemoryRejects();
  const events = await collect(canonicalFormat.open({ path, rejects }));
  assert.equal(events.length, 39_999);
  assert.deepEqual(
    rejects.items.map((r) => [r.line, r.field, r.raw]),
    [[30_002, 'price', '1000,X,abc,1,,,,']],
  );
  assert.equal((events[39_998] as { tradeId: string }).tradeId, 'big.csv:40001');
});

test('chunks with and without non-ASCII characters give the reference events', async () => {
  // 30k rows of ≈ 40 bytes: many 64 KiB chunks; non-ASCII accounts in some stretches only, so
  // chunks of both kinds follow each other (codes copied from the bytes, or read from the text).
  const rows: string[] = [];
  for (let i = 0; i < 30_000; i++) {
    const odd = Math.floor(i / 2500) % 2 === 1 && i % 3 === 0;
    rows.push(
      `${1000 + i},S${i % 5},${(i % 900) + 1}.5,${(i % 7) + 1},${odd ? `Zoë${i % 11}` : `A${i % 300}`},${odd ? 'B€' : 'B'}${i % 2},t${i},sell`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'fast-row-'));
  const path = join(dir, 'mixed.csv');
  writeFileSync(path, `${TRADE_HEADER}\n${rows.join('\n')}\n`);
  const rejects = new MemoryRejects();
  const events = await collect(canonicalFormat.open({ path, rejects }));
  assert.equal(rejects.items.length, 0);
  assert.deepEqual(
    events,
    rows.map((line, i) => reference(TRADE_HEADER, line, i + 2)),
  );
});
