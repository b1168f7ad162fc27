import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { contractFromFileName, databentoMboFormat } from './databento-mbo.js';
import { collect, MemoryRejects } from '../../testing/collect.js';
import { missingShared, sharedFile } from '../../testing/shared-data.js';
import { sniffFile } from '../formats.js';

function tmpFile(name: string, content: string | Buffer): string {
  const p = join(mkdtempSync(join(tmpdir(), 'mbo-')), name);
  writeFileSync(p, content);
  return p;
}

const HEADER = 'ts_recv_ns,ts_event_ns,publisher_id,instrument_id,action,side,price,size,order_id,flags,channel_id,sequence';
const row = (ts: string, action: string, side: string, price: string, size: string, id: string): string =>
  `${ts},${ts},1,17077,${action},${side},${price},${size},${id},0,0,1`;

test('A/C/M/F/T/R map onto the order lifecycle and trades', async () => {
  const p = tmpFile(
    'esh4-glbx-mdp3-20231225.mbo.csv',
    [
      HEADER,
      row('1703542107364401335', 'A', 'B', '4797.25', '3', '11'),
      row('1703542107364401336', 'A', 'A', '4798', '2', '12'),
      row('1703542107364401337', 'M', 'B', '4797.5', '4', '11'),
      row('1703542107364401338', 'T', 'A', '4797.5', '1', '0'),
      row('1703542107364401338', 'F', 'B', '4797.5', '1', '11'),
      row('1703542107364401339', 'C', 'A', '4798', '2', '12'),
      row('1703542107364401340', 'X', 'A', '4798', '2', '12'),
      row('1703542107364401341', 'A', 'B', 'abc', '2', '13'),
      row('1703542107364401342', 'R', 'N', '', '0', '0'),
    ].join('\n'),
  );
  assert.equal(databentoMboFormat.detect(await sniffFile(p)), true);
  const rejects = new MemoryRejects();
  const events = await collect(databentoMboFormat.open({ path: p, rejects }));
  const brief = events.map((e) =>
    e.type === 'order'
      ? `${e.action}:${e.orderId}:${e.side}:${e.price}x${e.qty}`
      : e.type === 'trade'
        ? `trade:${e.side}:${e.price}x${e.qty}`
        : 'quote',
  );
  assert.deepEqual(brief, [
    'new:11:buy:4797.25x3',
    'new:12:sell:4798x2',
    'modify:11:buy:4797.5x4',
    'trade:sell:4797.5x1',
    'fill:11:buy:4797.5x1',
    'cancel:12:sell:4798x2',
    'cancel:11:buy:4797.5x3',
  ]);
  assert.equal(events[0]!.symbol, 'ESH4');
  assert.equal(events[0]!.tsMs, 1703542107364);
  assert.equal(events[6]!.tsMs, 1703542107364); // R's time
  assert.deepEqual(
    rejects.items.map((r) => [r.line, r.field]),
    [
      [8, 'action'],
      [9, 'price'],
    ],
  );
});

test('file names without a contract code name instruments by id', async () => {
  assert.equal(contractFromFileName('esh4-glbx-mdp3-20231224.mbo.csv.gz'), 'ESH4');
  assert.equal(contractFromFileName('orderbooks_mbo_2024-05-08.csv.gz'), undefined);
  const p = tmpFile('book.csv.gz', gzipSync(`${HEADER}\n${row('1703542107364401335', 'A', 'B', '1', '1', '5')}\n`));
  const events = await collect(databentoMboFormat.open({ path: p, rejects: new MemoryRejects() }));
  assert.equal(events[0]!.symbol, 'INSTR.17077');
});

const ES = 'cme-es-mbo/esh4-glbx-mdp3-20231225.mbo.csv.gz';
test('shared: CME ESH4 market-by-order, 2023-12-25 file', { skip: sharedFile(ES) ? false : missingShared(ES) }, async () => {
  const p = sharedFile(ES)!;
  assert.equal(databentoMboFormat.detect(await sniffFile(p)), true);
  const rejects = new MemoryRejects();
  const events = await collect(databentoMboFormat.open({ path: p, rejects }));
  // Seven opening-auction fills (side N) of orders the file never added: their side is unknowable.
  assert.equal(rejects.items.length, 7);
  assert.ok(rejects.items.every((r) => r.field === 'side' && / F of an order never added/.test(r.reason)));
  const count = (t: string): number => events.filter((e) => (e.type === 'order' ? e.action : e.type) === t).length;
  assert.deepEqual([count('new'), count('cancel'), count('modify'), count('fill'), count('trade')], [29216, 17999, 12233, 6364, 2973]);
  assert.deepEqual(events[0], {
    type: 'order',
    tsMs: 1703422805243,
    symbol: 'ESH4',
    orderId: '6412777162812',
    account: '',
    side: 'buy',
    action: 'new',
    price: 4799,
    qty: 2,
  });
  assert.equal(new Date(events[0].tsMs).toISOString(), '2023-12-24T13:00:05.243Z');
});
