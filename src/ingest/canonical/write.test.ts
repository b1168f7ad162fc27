import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MarketEvent } from '../../domain/events.js';
import { collect, MemoryRejects } from '../../testing/collect.js';
import { canonicalFormat } from './canonical.js';
import { CANONICAL_HEADER, canonicalLine } from './write.js';

test('canonical rows read back as the events they were written from', async () => {
  const events: MarketEvent[] = [
    {
      type: 'trade',
      tsMs: 1_772_461_800_000,
      symbol: 'AAPL',
      price: 170.5,
      qty: 100,
      buyer: 'A1',
      seller: 'B2',
      tradeId: 't1',
      side: 'buy',
    },
    {
      type: 'order',
      tsMs: 1_772_461_800_001,
      symbol: 'AAPL',
      price: 170.4,
      qty: 30,
      orderId: 'o1',
      account: 'A1',
      side: 'sell',
      action: 'new',
    },
  ];
  const path = join(mkdtempSync(join(tmpdir(), 'canon-write-')), 'e.csv');
  writeFileSync(path, [CANONICAL_HEADER, ...events.map((e) => canonicalLine(e)!), ''].join('\n'));
  const rejects = new MemoryRejects();
  const read = await collect(canonicalFormat.open({ path, rejects }));
  assert.equal(rejects.items.length, 0);
  assert.deepEqual(read, events);
});
