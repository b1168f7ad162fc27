import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../config/config.js';
import type { Trade } from '../../domain/events.js';
import { Engine } from '../../engine/engine.js';
import { decodeState } from '../../engine/snapshot.js';
import { concentratedTrading } from '../concentrated-trading/concentrated-trading.js';
import { washTrading } from '../wash-trading/wash-trading.js';
import { AccountIds } from './account-ids.js';

test('ids no one holds are kept until they outnumber those held, then forgotten together', () => {
  const ids = new AccountIds();
  const a = ids.idOf('A');
  ids.retain(a);
  ids.release(a);
  ids.reclaim();
  assert.equal(ids.find('A'), a, 'a few idle ids are kept');
  ids.retain(ids.idOf('A')); // back: same entry, nothing made
  const b = ids.idOf('B'); // never retained
  for (let i = 0; i < 20_000; i++) ids.idOf(`X${i}`);
  assert.equal(ids.idOf('B'), b, 'valid until reclaim');
  ids.reclaim();
  assert.equal(ids.find('A'), a, 'held: kept');
  assert.equal(ids.name(a), 'A');
  assert.equal(ids.find('B'), undefined, 'looked up but never retained: forgotten');
  assert.equal(ids.find('X0'), undefined);
  const c = ids.idOf('C');
  assert.notEqual(c, a, 'a forgotten number is reused, never a held one');
  assert.equal(ids.name(c), 'C');
});

test('a large table is reclaimed over several ticks, a bounded number of ids per tick', () => {
  const ids = new AccountIds();
  const held: number[] = [];
  for (let i = 0; i < 100_000; i++) {
    const id = ids.idOf(`X${i}`);
    if (i % 10 === 0) {
      ids.retain(id);
      held.push(id);
    }
  }
  ids.reclaim();
  assert.equal(ids.find('X1'), undefined, 'the first ids are forgotten at once');
  assert.notEqual(ids.find('X99999'), undefined, 'the last wait for a later tick');
  let ticks = 1;
  while (ids.find('X99999') !== undefined && ticks < 20) {
    ids.reclaim();
    ticks++;
  }
  assert.equal(ticks, 13, '100k ids, 8k per tick');
  for (let i = 0; i < 100_000; i++) assert.equal(ids.find(`X${i}`) !== undefined, i % 10 === 0, `X${i}`);
  for (const id of held) assert.equal(ids.name(id).startsWith('X'), true);
  ids.reclaim();
  assert.equal(ids.find('X0'), held[0], 'no pass under way: held ids stay');
  const fresh = ids.idOf('new');
  assert.equal(held.includes(fresh), false, 'a forgotten number is reused, never a held one');
});

test('wash_trading and concentrated_trading of one engine share one table, also after a checkpoint', async () => {
  const config = parseConfig({});
  const sink = { write() {} };
  const trade: Trade = { type: 'trade', tsMs: 1_000, symbol: 'XYZ', price: 10, qty: 5, buyer: 'A', seller: 'B', tradeId: 't1' };
  const engine = new Engine([washTrading, concentratedTrading], config, sink);
  await engine.process([trade]);
  const tables = (bytes: Buffer) => (decodeState(bytes) as { detectors: { accounts: AccountIds }[] }).detectors.map((d) => d.accounts);
  const [a, b] = tables(engine.snapshot());
  assert.ok(a instanceof AccountIds);
  assert.equal(a, b);
  assert.notEqual(a.find('A'), undefined);
  const resumed = new Engine([washTrading, concentratedTrading], config, sink);
  resumed.restore(engine.snapshot());
  const [c, d] = tables(resumed.snapshot());
  assert.equal(c, d);
  assert.equal(c!.name(c!.find('B')!), 'B');
});
