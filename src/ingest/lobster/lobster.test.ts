import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lobsterFileName, lobsterFormat, secondsToMs } from './lobster.js';
import { collect, MemoryRejects } from '../../testing/collect.js';
import { missingShared, sharedFile } from '../../testing/shared-data.js';
import { sniffFile } from '../formats.js';

function tmpFile(name: string, content: string): string {
  const p = join(mkdtempSync(join(tmpdir(), 'lob-')), name);
  writeFileSync(p, content);
  return p;
}

test('file name gives symbol and date; seconds convert exactly', () => {
  assert.deepEqual(lobsterFileName('AAPL_2012-06-21_34200000_57600000_message_10.csv'), {
    symbol: 'AAPL',
    date: { year: 2012, month: 6, day: 21 },
  });
  assert.equal(lobsterFileName('AAPL_2012-06-21_34200000_57600000_orderbook_10.csv'), undefined);
  assert.equal(secondsToMs('34200.004241176'), 34_200_004);
  assert.equal(secondsToMs('34200.9999999'), 34_200_999);
  assert.equal(secondsToMs('34200'), 34_200_000);
  assert.equal(secondsToMs('3.4e4'), undefined);
});

test('message types map to orders and trades; halts counted; bad rows rejected', async () => {
  // A winter date: 09:30 New York is 14:30Z (EST), unlike the June sample (EDT).
  const p = tmpFile(
    'MSFT_2012-12-03_0_0_message_1.csv',
    [
      '34200.004241176,1,16113575,18,5853300,1',
      '34200.1,2,16113575,8,5853300,1',
      '34201,4,16113575,5,5853300,1',
      '34202,5,0,100,5853400,-1',
      '34203,3,16113575,5,5853300,1',
      '34204,7,-1,0,-1,-1',
      '34205,1,9,10,-5,1',
      '34206,1,9,10,5853300,0',
      '34207,8,9,10,5853300,1',
      '34208,6,0,500,5853350,-1',
    ].join('\n'),
  );
  assert.equal(lobsterFormat.detect(await sniffFile(p)), true);
  const rejects = new MemoryRejects();
  const events = await collect(lobsterFormat.open({ path: p, rejects }));
  const brief = events.map((e) =>
    e.type === 'order' ? `${e.action}:${e.side}:${e.price}x${e.qty}` : e.type === 'trade' ? `trade:${e.side}:${e.price}x${e.qty}` : 'quote',
  );
  assert.deepEqual(brief, [
    'new:buy:585.33x18',
    'cancel:buy:585.33x8',
    'fill:buy:585.33x5',
    'trade:sell:585.33x5',
    'trade:buy:585.34x100',
    'cancel:buy:585.33x5',
    'trade:undefined:585.335x500',
  ]);
  assert.equal(new Date(events[0]!.tsMs).toISOString(), '2012-12-03T14:30:00.004Z');
  assert.equal(events[0]!.symbol, 'MSFT');
  assert.deepEqual(
    rejects.items.map((r) => [r.line, r.field]),
    [
      [7, 'price'],
      [8, 'direction'],
      [9, 'type'],
      [6, 'type'],
    ],
  );
  assert.match(rejects.items[3]!.reason, /skipped 1 trading halt/);
});

const AAPL = 'lobster-aapl-snippet/AAPL_2012-06-21_34200000_57600000_message_10.csv';
test('shared: LOBSTER AAPL 2012-06-21 sample', { skip: sharedFile(AAPL) ? false : missingShared(AAPL) }, async () => {
  const p = sharedFile(AAPL)!;
  assert.equal(lobsterFormat.detect(await sniffFile(p)), true);
  const rejects = new MemoryRejects();
  const events = await collect(lobsterFormat.open({ path: p, rejects }));
  assert.equal(rejects.items.length, 0);
  // 471 new + 369 deletes + 98 fills (+98 trades) + 61 hidden trades
  assert.equal(events.length, 471 + 369 + 98 * 2 + 61);
  assert.deepEqual(events[0], {
    type: 'order',
    tsMs: Date.parse('2012-06-21T13:30:00.004Z'),
    symbol: 'AAPL',
    orderId: '16113575',
    account: '',
    side: 'buy',
    action: 'new',
    price: 585.33,
    qty: 18,
  });
});
