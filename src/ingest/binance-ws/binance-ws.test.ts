import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { binanceWsFormat } from './binance-ws.js';
import { hyperliquidFormat } from '../hyperliquid/hyperliquid.js';
import { collect, MemoryRejects } from '../../testing/collect.js';
import { missingShared, sharedFile } from '../../testing/shared-data.js';
import { sniffFile } from '../formats.js';

function tmpFile(name: string, content: string | Buffer): string {
  const p = join(mkdtempSync(join(tmpdir(), 'bws-')), name);
  writeFileSync(p, content);
  return p;
}

const LINES = [
  '1723161254036059768 {"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1723161255308,"s":"BTCUSDT","U":1,"u":2,"b":[["61737.63","0.0"]],"a":[]}}',
  '1723161254087891268 {"stream":"btcusdt@bookTicker","data":{"u":50093239212,"s":"BTCUSDT","b":"61837.63000000","B":"3.78826000","a":"61837.64000000","A":"1.54698000"}}',
  '1723161254087896568 {"stream":"btcusdt@trade","data":{"e":"trade","E":1723161255343,"s":"BTCUSDT","t":3735683259,"p":"61837.63000000","q":"0.02000000","T":1723161255342,"m":true,"M":true}}',
  '1723161254187896568 {"stream":"btcusdt@trade","data":{"e":"trade","E":1723161255443,"s":"BTCUSDT","t":3735683260,"p":"61837.64","q":"0.5","T":1723161255442,"m":false,"M":true}}',
  '1723161254287896568 {"stream":"btcusdt@trade","data":{"e":"trade","E":1723161255543,"s":"BTCUSDT","t":3735683261,"p":"-1","q":"0.5","T":1723161255542,"m":false}}',
  '1723161254387896568 {"stream":"btcusdt@trade","data":{"e":"trade"',
  '1723161254487896568 {"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","u":5,"s":"BTCUSDT","b":"61800.20","B":"2.507","a":"61800.30","A":"2.510","T":1723161256313,"E":1723161256314}}',
  '1723161254587896568 {"stream":"btcusdt@trade","data":{"e":"trade","E":1723161256344,"T":1723161256344,"s":"BTCUSDT","t":7,"p":"61800.30","q":"0.199","X":"INSURANCE_FUND","m":false}}',
  '1723161254687896568 {"stream":"btcusdt@kline_1m","data":{"e":"kline","E":1723161256344,"s":"BTCUSDT"}}',
];

test('trades, quotes, counted depth updates and reasoned rejects', async () => {
  const p = tmpFile('spot_btcusdt.gz', gzipSync(LINES.join('\n') + '\n'));
  assert.equal(binanceWsFormat.detect(await sniffFile(p)), true);
  assert.equal(hyperliquidFormat.detect(await sniffFile(p)), false);
  const rejects = new MemoryRejects();
  const batches = [];
  for await (const b of binanceWsFormat.open({ path: p, rejects })) batches.push(b);
  const events = batches.flatMap((b) => b.events);
  assert.deepEqual(
    batches.flatMap((b) => b.lines),
    [2, 3, 4, 7],
  );
  assert.deepEqual(events[1], {
    type: 'trade',
    tsMs: 1723161255342,
    symbol: 'BTCUSDT',
    price: 61837.63,
    qty: 0.02,
    buyer: '',
    seller: '',
    tradeId: '3735683259',
    side: 'sell',
  });
  assert.equal((events[2] as { side: string }).side, 'buy');
  // Spot bookTicker has no event time: receive time + latest exchange offset (none seen yet except depth E).
  const depthOffset = 1723161255308 - 1723161254036;
  assert.deepEqual(events[0], {
    type: 'quote',
    tsMs: 1723161254087 + depthOffset,
    symbol: 'BTCUSDT',
    bidPrice: 61837.63,
    bidQty: 3.78826,
    askPrice: 61837.64,
    askQty: 1.54698,
  });
  assert.equal(events[3]!.tsMs, 1723161256313); // futures bookTicker: its own T
  const byLine = rejects.items.map((r) => [r.line, r.field]);
  assert.deepEqual(byLine, [
    [5, 'p'],
    [6, 'json'],
    [9, 'e'],
    [1, 'e'],
    [8, 'e'],
  ]);
  assert.match(rejects.items[3]!.reason, /skipped 1 depthUpdate/);
  assert.match(rejects.items[4]!.reason, /skipped 1 trade X=INSURANCE_FUND/);
});

test('symbol filter keeps only the named symbols', async () => {
  const eth = LINES[2]!.replaceAll('BTCUSDT', 'ETHUSDT');
  const p = tmpFile('mix.txt', [LINES[2], eth].join('\n'));
  const events = await collect(binanceWsFormat.open({ path: p, rejects: new MemoryRejects(), symbols: new Set(['ETHUSDT']) }));
  assert.deepEqual(
    events.map((e) => e.symbol),
    ['ETHUSDT'],
  );
});

const SPOT = 'binance-raw-feed/spot_btcusdt_20240808.gz';
test('shared: Binance spot BTCUSDT recording', { skip: sharedFile(SPOT) ? false : missingShared(SPOT) }, async () => {
  const p = sharedFile(SPOT)!;
  assert.equal(binanceWsFormat.detect(await sniffFile(p)), true);
  const rejects = new MemoryRejects();
  const events = await collect(binanceWsFormat.open({ path: p, rejects }));
  const trades = events.filter((e) => e.type === 'trade');
  assert.equal(trades.length, 9757);
  assert.equal(events.length - trades.length, 28040);
  assert.deepEqual(trades[0], {
    type: 'trade',
    tsMs: 1723161255342,
    symbol: 'BTCUSDT',
    price: 61837.63,
    qty: 0.02,
    buyer: '',
    seller: '',
    tradeId: '3735683259',
    side: 'sell',
  });
  assert.equal(new Date(trades[0].tsMs).toISOString(), '2024-08-08T23:54:15.342Z');
  assert.deepEqual(
    rejects.items.map((r) => r.reason.split(',')[0]),
    ['skipped 3451 depthUpdate record(s)', 'skipped 1 REST depth snapshot record(s)'],
  );
});
