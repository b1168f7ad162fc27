import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../config/config.js';
import type { Trade } from '../../domain/events.js';
import { Engine } from '../../engine/engine.js';
import { decodeState } from '../../engine/snapshot.js';
import { concentratedTrading } from '../concentrated-trading/concentrated-trading.js';
import { washTrading } from '../wash-trading/wash-trading.js';
import { AccountIds } from './account-ids.js';

test('an id no one holds is forgotten at the next reclaim, and stays valid until then', () => {
  const ids = new AccountIds();
  const a = ids.idOf('A');
  ids.retain(a);
  const b = ids.idOf('B'); // never retained
  assert.equal(ids.idOf('A'), a);
  ids.release(a);
  assert.equal(ids.find('A'), a, 'kept until reclaim');
  ids.retain(ids.idOf('A')); // back before the reclaim: same entry
  ids.reclaim();
  assert.equal(ids.find('A'), a);
  assert.equal(ids.find('B'), undefined, 'an id looked up but never retained goes too');
  assert.equal(ids.idOf('C'), b, 'its number is reused');
  assert.equal(ids.name(b), 'C');
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
