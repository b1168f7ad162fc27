import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteFile } from 'hyparquet-writer';
import { parquetFormat } from './parquet.js';
import { collect, MemoryRejects } from '../../testing/collect.js';
import { sniffFile } from '../formats.js';

function tmpPath(name: string): string {
  return join(mkdtempSync(join(tmpdir(), 'pq-')), name);
}

test('canonical trade columns, several row groups, rejects with row numbers', async () => {
  const p = tmpPath('trades.parquet');
  const t0 = Date.parse('2024-03-01T14:30:00.123Z');
  parquetWriteFile({
    filename: p,
    rowGroupSize: 2,
    columnData: [
      { name: 'ts', data: [new Date(t0), new Date(t0 + 1), new Date(t0 + 2), new Date(t0 + 3), new Date(t0 + 4)], type: 'TIMESTAMP' },
      { name: 'symbol', data: ['aapl', 'AAPL', 'MSFT', 'AAPL', 'AAPL'], type: 'STRING' },
      { name: 'price', data: [170.5, 170.25, 400.1, -1, 170.75], type: 'DOUBLE' },
      { name: 'qty', data: [100, 5, 7, 1, 9], type: 'DOUBLE' },
      { name: 'buyer', data: ['A1', '', 'B', 'C', 'D'], type: 'STRING' },
      { name: 'seller', data: ['S1', '', 'S', 'T', 'U'], type: 'STRING' },
      { name: 'trade_id', data: ['t1', null, 't3', 't4', 't5'], type: 'STRING', nullable: true },
    ],
  });
  assert.equal(parquetFormat.detect(await sniffFile(p)), true);
  const rejects = new MemoryRejects();
  const batches = [];
  for await (const b of parquetFormat.open({ path: p, rejects, symbols: new Set(['AAPL']) })) batches.push(b);
  assert.equal(batches.length, 2); // one batch per row group with events (rows 3–4 yield none)
  const events = batches.flatMap((b) => b.events);
  assert.deepEqual(
    batches.flatMap((b) => b.lines),
    [1, 2, 5],
  );
  assert.deepEqual(events[0], {
    type: 'trade',
    tsMs: t0,
    symbol: 'AAPL',
    price: 170.5,
    qty: 100,
    buyer: 'A1',
    seller: 'S1',
    tradeId: 't1',
    side: undefined,
  });
  assert.equal((events[1] as { tradeId: string }).tradeId, 'trades.parquet:2');
  assert.deepEqual(
    rejects.items.map((r) => [r.line, r.field]),
    [[4, 'price']],
  );
});

test('orders with epoch-ms timestamps and --map renames', async () => {
  const p = tmpPath('orders.parquet');
  parquetWriteFile({
    filename: p,
    columnData: [
      { name: 'time', data: [1_700_000_000_000n, 1_700_000_000_500n], type: 'INT64' },
      { name: 'symbol', data: ['ES', 'ES'], type: 'STRING' },
      { name: 'order_id', data: ['o1', 'o1'], type: 'STRING' },
      { name: 'account', data: ['acc', 'acc'], type: 'STRING' },
      { name: 'side', data: ['buy', 'buy'], type: 'STRING' },
      { name: 'action', data: ['new', 'cancel'], type: 'STRING' },
      { name: 'price', data: [4797.25, 4797.25], type: 'DOUBLE' },
      { name: 'qty', data: [3, 3], type: 'DOUBLE' },
    ],
  });
  const rejects = new MemoryRejects();
  const events = await collect(parquetFormat.open({ path: p, rejects, columnMap: { ts: 'time' } }));
  assert.equal(rejects.items.length, 0);
  assert.deepEqual(
    events.map((e) => (e.type === 'order' ? `${e.tsMs}:${e.action}:${e.price}` : '')),
    ['1700000000000:new:4797.25', '1700000000500:cancel:4797.25'],
  );
});

test('a file without the canonical columns is refused with the missing column named', async () => {
  const p = tmpPath('other.parquet');
  parquetWriteFile({ filename: p, columnData: [{ name: 'x', data: [1], type: 'DOUBLE' }] });
  const rejects = new MemoryRejects();
  await assert.rejects(collect(parquetFormat.open({ path: p, rejects })), /lacks column/);
  assert.equal(rejects.items[0]!.field, 'header');
});
