import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { nepseFileDate, nepseFormat } from './nepse.js';
import { collect, MemoryRejects } from '../../testing/collect.js';
import { missingShared, sharedFile } from '../../testing/shared-data.js';
import { sniffFile } from '../formats.js';

function tmpFile(name: string, content: string | Buffer): string {
  const p = join(mkdtempSync(join(tmpdir(), 'nepse-')), name);
  writeFileSync(p, content);
  return p;
}

const HEADER = 'Transact. No.,Symbol,Buyer,Seller,Quantity,Rate,Amount';

test('rows sorted by transaction number and spread over 11:00–15:00 Kathmandu', async () => {
  const p = tmpFile(
    '01_07_2021.csv.gz',
    gzipSync(
      [
        HEADER,
        '2021010703018355,ALBSL,34,41,11,1224.0,13464.0',
        '2021010703018124,ALBSL,59,46,26,1215.0,31590.0',
        '2021010703018315,GBBL,4,58,"2,000",316.0,632000.0',
        '2021010803018316,GBBL,4,58,10,316.0,3160.0',
        '2021010703018317,GBBL,#4,58,10,316.0,3160.0',
        '2021010703018318,GBBL,4,58,0,316.0,0',
        '2021010703018319,GBBL,D01,58,10,316.0,3160.0',
      ].join('\n'),
    ),
  );
  assert.equal(nepseFormat.detect(await sniffFile(p)), true);
  const rejects = new MemoryRejects();
  const events = await collect(nepseFormat.open({ path: p, rejects }));
  assert.deepEqual(
    events.map((e) => (e.type === 'trade' ? e.tradeId : '')),
    ['2021010703018124', '2021010703018315', '2021010703018319', '2021010703018355'],
  );
  assert.equal(events[2]!.type === 'trade' && events[2]!.buyer, 'D01', 'letter codes are broker ids too');
  assert.deepEqual(events[1], {
    type: 'trade',
    tsMs: Date.parse('2021-01-07T05:15:00Z') + 60 * 60_000, // second of four rows over 240 min
    symbol: 'GBBL',
    price: 316,
    qty: 2000,
    buyer: '4',
    seller: '58',
    tradeId: '2021010703018315',
  });
  assert.equal(new Date(events[0]!.tsMs).toISOString(), '2021-01-07T05:15:00.000Z'); // 11:00 +05:45
  assert.deepEqual(
    rejects.items.map((r) => [r.line, r.field]),
    [
      [5, 'Transact. No.'],
      [6, 'Buyer'],
      [7, 'Quantity'],
    ],
  );
});

test('the day must come from the file name', async () => {
  assert.deepEqual(nepseFileDate('12_16_2020.csv.gz'), { year: 2020, month: 12, day: 16 });
  assert.equal(nepseFileDate('2020-12-16.csv'), undefined);
  const rejects = new MemoryRejects();
  const events = await collect(nepseFormat.open({ path: tmpFile('floorsheet.csv', `${HEADER}\n`), rejects }));
  assert.equal(events.length, 0);
  assert.equal(rejects.items[0]!.field, 'file name');
});

const DAY = 'nepse-floorsheet/01_07_2021.csv.gz';
test('shared: NEPSE floorsheet 2021-01-07', { skip: sharedFile(DAY) ? false : missingShared(DAY) }, async () => {
  const p = sharedFile(DAY)!;
  const rejects = new MemoryRejects();
  const events = await collect(nepseFormat.open({ path: p, rejects }));
  assert.equal(rejects.items.length, 0);
  assert.equal(events.length, 50935);
  assert.ok(events.every((e, i) => i === 0 || e.tsMs >= events[i - 1]!.tsMs));
  assert.equal(events[0]!.tsMs, Date.parse('2021-01-07T05:15:00Z'));
  assert.ok(events[events.length - 1]!.tsMs < Date.parse('2021-01-07T09:15:00Z'));
});
