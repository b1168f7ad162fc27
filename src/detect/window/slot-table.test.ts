import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeState, encodeState } from '../../engine/snapshot.js';
import { DeadlineQueue, forgetIdle } from './deadline-queue.js';
import { SlotTable } from './slot-table.js';

test('SlotTable: the same symbols forgotten as forgetIdle over a Map of states, slots dense and reused, rows kept per symbol, through checkpoints', () => {
  let x = 77;
  const r = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const idleMs = 50_000;
  let table = new SlotTable(3, idleMs);
  const refStates = new Map<string, { due: number; lastTsMs: number }>();
  const refQueue = new DeadlineQueue<string>();
  /** What each symbol wrote in its row, to see rows are not mixed up. */
  const rows = new Map<string, number>();
  let now = 1_700_000_000_000;
  for (let step = 0; step < 20_000; step++) {
    if (r() < 0.9) {
      const key = `S${Math.floor(r() * 60)}`;
      // Mostly forward, now and then a late trade.
      const ts = now - (r() < 0.1 ? Math.floor(r() * 20_000) : 0);
      let slot = table.slotOf(key);
      assert.equal(slot >= 0, refStates.has(key));
      if (slot < 0) {
        slot = table.add(key);
        const mark = step + 0.5;
        for (let j = 0; j < 3; j++) table.f[slot * 3 + j] = mark + j;
        rows.set(key, mark);
        refStates.set(key, { due: Infinity, lastTsMs: ts });
      }
      table.touch(key, slot, ts);
      assert.equal(table.lastTsMs(slot), ts);
      const s = refStates.get(key)!;
      s.lastTsMs = ts;
      if (ts + idleMs < s.due) {
        s.due = ts + idleMs;
        refQueue.push(s.due, key);
      }
    } else {
      const dropped: number[] = [];
      table.forgetIdle(now, (slot) => dropped.push(slot));
      const before = refStates.size;
      forgetIdle(refQueue, refStates, now, idleMs);
      assert.equal(dropped.length, before - refStates.size);
      for (const key of [...rows.keys()]) if (!refStates.has(key)) rows.delete(key);
    }
    if (r() < 0.002) table = decodeState(encodeState(table)) as SlotTable;
    now += Math.floor(r() * 2000);
    // Every known symbol has its own slot (dense: below the most ever known at once) and row.
    const seen = new Set<number>();
    for (const [key, mark] of rows) {
      const slot = table.slotOf(key);
      assert.ok(slot >= 0 && slot < 60 && !seen.has(slot), `step ${step}, ${key}`);
      seen.add(slot);
      assert.equal(table.f[slot * 3 + 2], mark + 2);
    }
    assert.equal(seen.size, refStates.size);
  }
});
