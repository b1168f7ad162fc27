import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { binanceTradesFormat, normaliseBinanceSymbol } from './binance-trades.js';
import { resolveFormat, sniffFile } from '../formats.js';
import { collect, MemoryRejects } from '../../testing/collect.js';
import { missingShared, sharedFile } from '../../testing/shared-data.js';

const HEADER = 'symbol,timestamp,datetime,side,price,amount,btc_volume\n';

function tmpFile(name: string, content: string | Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'binance-'));
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

test('reads gzipped Binance trades: symbol without slash, taker side, anonymous, id from file:line', async () => {
  const p = tmpFile(
    'VIB_2021-09-03_17.00.csv.gz',
    gzipSync(
      HEADER +
        'VIB/BTC,1630688633855,2021-09-03T17:03:53.855Z,sell,1.32e-06,53879.0,0.07112028000000001\n' +
        'VIB/BTC,1630688633900,2021-09-03T17:03:53.900Z,buy,1.33e-06,10.5,0.0000139\n',
    ),
  );
  assert.equal((await resolveFormat(p)).name, 'binance-trades');
  const rejects = new MemoryRejects();
  const events = await collect(binanceTradesFormat.open({ path: p, rejects }));
  assert.equal(rejects.items.length, 0);
  assert.deepEqual(events[0], {
    type: 'trade',
    tsMs: 1630688633855,
    symbol: 'VIBBTC',
    price: 1.32e-6,
    qty: 53879,
    buyer: '',
    seller: '',
    tradeId: 'VIB_2021-09-03_17.00.csv.gz:2',
    side: 'sell',
  });
  assert.equal(events[1]!.type === 'trade' && events[1]!.side, 'buy');
});

test('bad rows are rejected naming line and field; good rows pass; symbol filter applies', async () => {
  const p = tmpFile(
    'x.csv',
    HEADER +
      'ABC/BTC,1630688633855,,buy,1e-6,5,5e-6\n' + // ok
      'ABC/BTC,,,buy,1e-6,5,5e-6\n' + // no time at all
      'ABC/BTC,1630688633856,,hold,1e-6,5,5e-6\n' + // bad side
      'ABC/BTC,1630688633857,,buy,-1,5,5e-6\n' + // bad price
      'ABC/BTC,1630688633858,,buy,1e-6,zero,5e-6\n' + // bad amount
      'ABC/BTC,,2021-09-03T17:03:53.900Z,sell,1e-6,5,5e-6\n' + // datetime fallback: ok
      'XYZ/BTC,1630688633859,,buy,1e-6,5,5e-6\n', // filtered out
  );
  const rejects = new MemoryRejects();
  const events = await collect(binanceTradesFormat.open({ path: p, rejects, symbols: new Set(['ABCBTC']) }));
  assert.equal(events.length, 2);
  assert.equal(events[1]!.tsMs, Date.parse('2021-09-03T17:03:53.900Z'));
  assert.deepEqual(
    rejects.items.map((r) => [r.line, r.field]),
    [
      [3, 'timestamp'],
      [4, 'side'],
      [5, 'price'],
      [6, 'amount'],
    ],
  );
});

test('detection: claims its header, not the canonical one', async () => {
  assert.equal(binanceTradesFormat.detect(await sniffFile(tmpFile('a.csv', HEADER + 'A/BTC,1,,buy,1,1,1\n'))), true);
  assert.equal(binanceTradesFormat.detect(await sniffFile(tmpFile('b.csv', 'ts,symbol,price,qty\n1,A,1,1\n'))), false);
  assert.equal(normaliseBinanceSymbol(' vib/btc '), 'VIBBTC');
});

const SHARED = 'binance-pumps/trades/APPC_2020-11-18_18.00.csv.gz';
test('reads a real binance-pumps file without rejects', { skip: sharedFile(SHARED) ? false : missingShared(SHARED) }, async () => {
  const path = sharedFile(SHARED)!;
  assert.equal((await resolveFormat(path)).name, 'binance-trades');
  const rejects = new MemoryRejects();
  const events = await collect(binanceTradesFormat.open({ path, rejects }));
  assert.equal(rejects.items.length, 0);
  assert.equal(events.length, 7233);
  assert.ok(events.every((e) => e.type === 'trade' && e.symbol === 'APPCBTC' && e.buyer === '' && e.side !== undefined));
});
