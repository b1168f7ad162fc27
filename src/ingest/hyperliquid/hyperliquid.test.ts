import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hyperliquidFormat } from './hyperliquid.js';
import { binanceWsFormat } from '../binance-ws/binance-ws.js';
import { collect, MemoryRejects } from '../../testing/collect.js';
import { missingShared, sharedFile } from '../../testing/shared-data.js';
import { sniffFile } from '../formats.js';

function tmpFile(name: string, content: string): string {
  const p = join(mkdtempSync(join(tmpdir(), 'hl-')), name);
  writeFileSync(p, content);
  return p;
}

const T1 =
  '{"coin":"BTC","px":"105056.0","side":"B","sz":"0.00219","tid":121451470284048,"time":1737918794873,"users":["0xbuyer","0xseller"]}';
const T2 = '{"coin":"BTC","px":"105055.5","side":"A","sz":"0.1","tid":2,"time":1737918794900,"users":["0xb2","0xs2"]}';

test('trades carry both accounts and the aggressor; l2Book gives best bid/ask', async () => {
  const p = tmpFile(
    'hl.txt',
    [
      `1737918843893903000 {"channel":"l2Book","data":{"coin":"BTC","time":1737918843542,"levels":[[{"n":5,"px":"105055.0","sz":"3.03622"},{"n":1,"px":"105054.0","sz":"1"}],[{"n":13,"px":"105056.0","sz":"6.34472"}]]}}`,
      `1737918844167767000 {"channel":"trades","data":[${T1},${T2}]}`,
      `1737918844167767001 {"channel":"trades","data":[${T1.replace('"users":["0xbuyer","0xseller"]', '"users":["0xonly"]')}]}`,
      `1737918844167767002 {"channel":"subscriptionResponse","data":{}}`,
      `1737918844167767003 {"channel":"candle","data":{}}`,
    ].join('\n'),
  );
  assert.equal(hyperliquidFormat.detect(await sniffFile(p)), true);
  assert.equal(binanceWsFormat.detect(await sniffFile(p)), false);
  const rejects = new MemoryRejects();
  const events = await collect(hyperliquidFormat.open({ path: p, rejects }));
  assert.equal(events.length, 3);
  // The first trades message is the subscription snapshot, older than the book before it: in time order.
  assert.deepEqual(
    events.map((e) => e.tsMs),
    [...events.map((e) => e.tsMs)].sort((a, b) => a - b),
  );
  assert.deepEqual(events[2], {
    type: 'quote',
    tsMs: 1737918843542,
    symbol: 'BTC',
    bidPrice: 105055,
    bidQty: 3.03622,
    askPrice: 105056,
    askQty: 6.34472,
  });
  assert.deepEqual(events[0], {
    type: 'trade',
    tsMs: 1737918794873,
    symbol: 'BTC',
    price: 105056,
    qty: 0.00219,
    buyer: '0xbuyer',
    seller: '0xseller',
    tradeId: '121451470284048',
    side: 'buy',
  });
  assert.equal((events[1] as { side: string }).side, 'sell');
  assert.deepEqual(
    rejects.items.map((r) => [r.line, r.field]),
    [
      [3, 'users'],
      [5, 'channel'],
      [4, 'channel'],
    ],
  );
});

const HL = 'binance-raw-feed/hyperliquid_btcusd_20250126.gz';
test('shared: Hyperliquid BTC sample', { skip: sharedFile(HL) ? false : missingShared(HL) }, async () => {
  const p = sharedFile(HL)!;
  assert.equal(hyperliquidFormat.detect(await sniffFile(p)), true);
  const rejects = new MemoryRejects();
  const events = await collect(hyperliquidFormat.open({ path: p, rejects }));
  assert.equal(rejects.items.length, 0);
  const trades = events.filter((e) => e.type === 'trade');
  assert.equal(events.length - trades.length, 46);
  assert.equal(trades.length, 64);
  assert.deepEqual(trades[0], {
    type: 'trade',
    tsMs: 1737918794873,
    symbol: 'BTC',
    price: 105056,
    qty: 0.00219,
    buyer: '0xe9ed7e16612d676df804f5aecd16e1f9bf9ec9dd',
    seller: '0x6802b4267f7f2bf7003dcf993c51542245b38329',
    tradeId: '121451470284048',
    side: 'buy',
  });
});
