import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { leanEntryName, leanQuotesFormat, leanTradesFormat } from './lean.js';
import { zipEntryCount } from './zip.js';
import { InputError } from '../../domain/errors.js';
import { collect, MemoryRejects } from '../../testing/collect.js';
import { missingShared, sharedFile } from '../../testing/shared-data.js';
import { sniffFile } from '../formats.js';

function tmpZip(name: string, entries: Record<string, string>): string {
  const p = join(mkdtempSync(join(tmpdir(), 'lean-')), name);
  const files: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(entries)) files[k] = strToU8(v);
  writeFileSync(p, zipSync(files));
  return p;
}

test('entry names give date and symbol (futures: root + month code + year)', () => {
  assert.deepEqual(leanEntryName('20131008_spy_Trade_Tick.csv'), { date: { year: 2013, month: 10, day: 8 }, symbol: 'SPY' });
  assert.deepEqual(leanEntryName('20131007_gc_tick_trade_201312.csv'), { date: { year: 2013, month: 10, day: 7 }, symbol: 'GCZ13' });
  assert.equal(leanEntryName('readme.txt'), undefined);
});

test('equity trades: New York time across the switch, exact ×10,000 prices, suspicious rejected', async () => {
  // 2013-11-04 is the first EST trading day: 09:30 New York = 14:30Z.
  const p = tmpZip('equity_usa_tick_spy_20131104_trade.zip', {
    '20131104_spy_Trade_Tick.csv':
      '34200464,1674100,100,P,20002000,0\n34200465,1681200,1400,P,0,0\n34200466,1681200,100,P,0,1\n34200467,abc,100,P,0,0\n',
  });
  assert.equal(leanTradesFormat.detect(await sniffFile(p)), true);
  assert.equal(leanQuotesFormat.detect(await sniffFile(p)), false);
  const rejects = new MemoryRejects();
  const events = await collect(leanTradesFormat.open({ path: p, rejects }));
  assert.deepEqual(events[0], {
    type: 'trade',
    tsMs: Date.parse('2013-11-04T14:30:00.464Z'),
    symbol: 'SPY',
    price: 167.41,
    qty: 100,
    buyer: '',
    seller: '',
    tradeId: '20131104_spy_Trade_Tick.csv:1',
  });
  assert.equal((events[1] as { price: number }).price, 168.12); // not 168.12000000000001
  assert.deepEqual(
    rejects.items.map((r) => [r.line, r.field]),
    [
      [3, 'suspicious'],
      [4, 'price'],
    ],
  );
});

test('quotes carry the missing side forward; futures are UTC with plain prices', async () => {
  const q = tmpZip('equity_usa_tick_ibm_20131010_quote.zip', {
    '20131010_ibm_Quote_Tick.csv': '14400874,1801700,400,0,0,P,1,0\n14400874,0,0,1848300,400,P,1,0\n14400956,1801800,300,0,0,P,1,0\n',
  });
  const quotes = await collect(leanQuotesFormat.open({ path: q, rejects: new MemoryRejects() }));
  assert.deepEqual(
    quotes.map((e) => (e.type === 'quote' ? [e.bidPrice, e.bidQty, e.askPrice, e.askQty] : [])),
    [
      [180.17, 400, 184.83, 400],
      [180.18, 300, 184.83, 400],
    ],
  );
  assert.equal(new Date(quotes[0]!.tsMs).toISOString(), '2013-10-10T08:00:00.874Z');

  const f = tmpZip('future_comex_tick_gc_20131007_trade.zip', {
    '20131007_gc_tick_trade_201312.csv': '4933381,1313.8,1,usa,,0\n4933382,1313.9,0,usa,,0\n',
  });
  const rejects = new MemoryRejects();
  const fut = await collect(leanTradesFormat.open({ path: f, rejects }));
  assert.equal(fut.length, 1);
  assert.equal(fut[0]!.symbol, 'GCZ13');
  assert.equal(new Date(fut[0]!.tsMs).toISOString(), '2013-10-07T01:22:13.381Z');
  assert.equal((fut[0] as { price: number }).price, 1313.8);
  assert.equal(rejects.items[0]!.field, 'quantity');
});

test('a futures zip with one file per contract month comes out merged by time', async () => {
  const f = tmpZip('future_comex_tick_gc_20131007_trade.zip', {
    '20131007_gc_tick_trade_201312.csv': '1000,1313.8,1,usa,,0\n3000,1313.9,2,usa,,0\n',
    '20131007_gc_tick_trade_201402.csv': '2000,1320.0,5,usa,,0\n4000,1320.5,6,usa,,0\n',
  });
  assert.equal(await zipEntryCount(f), 2);
  const events = await collect(leanTradesFormat.open({ path: f, rejects: new MemoryRejects() }));
  assert.deepEqual(
    events.map((e) => [e.symbol, e.tsMs % 10_000]),
    [
      ['GCZ13', 1000],
      ['GCG14', 2000],
      ['GCZ13', 3000],
      ['GCG14', 4000],
    ],
  );
});

const SPY = 'us-equity-taq-2013/equity_usa_tick_spy_20131007_trade.zip';
test('shared: LEAN SPY trades 2013-10-07', { skip: sharedFile(SPY) ? false : missingShared(SPY) }, async () => {
  const p = sharedFile(SPY)!;
  assert.equal(leanTradesFormat.detect(await sniffFile(p)), true);
  const rejects = new MemoryRejects();
  let n = 0;
  let first: unknown;
  for await (const b of leanTradesFormat.open({ path: p, rejects })) {
    first ??= b.events[0];
    n += b.events.length;
  }
  assert.equal(n, 250601);
  assert.equal(rejects.items.length, 0);
  assert.deepEqual(first, {
    type: 'trade',
    tsMs: Date.parse('2013-10-07T08:00:00.464Z'),
    symbol: 'SPY',
    price: 167.41,
    qty: 100,
    buyer: '',
    seller: '',
    tradeId: '20131007_spy_Trade_Tick.csv:1',
  });
});

test('a file that is not a zip is refused with its name and the field, not a crash', async () => {
  const p = join(mkdtempSync(join(tmpdir(), 'lean-')), 'equity_usa_tick_spy_20131007_trade.zip');
  writeFileSync(p, 'hello\n');
  await assert.rejects(collect(leanTradesFormat.open({ path: p, rejects: new MemoryRejects() })), (e: unknown) => {
    assert.ok(e instanceof InputError);
    assert.equal(e.file, p);
    assert.equal(e.field, 'zip');
    assert.match(e.message, /not a zip file/);
    return true;
  });
});
