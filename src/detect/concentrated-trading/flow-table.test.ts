import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AccountIds } from '../window/account-ids.js';
import { FlowTable, LEGS } from './flow-table.js';

/** An `AccountIds` stand-in that counts each id's references. */
function countingIds(): { ids: AccountIds; refs: Map<number, number> } {
  const refs = new Map<number, number>();
  const ids = {
    retain: (id: number) => refs.set(id, (refs.get(id) ?? 0) + 1),
    release: (id: number) => {
      const n = (refs.get(id) ?? 0) - 1;
      assert.ok(n >= 0, `id ${id} released more often than retained`);
      refs.set(id, n);
    },
    name: (id: number) => `A${id}`,
  };
  return { ids: ids as unknown as AccountIds, refs };
}

const held = (refs: Map<number, number>): number => [...refs.values()].reduce((a, b) => a + b, 0);

test('a one-leg entry dies with its leg; its account takes it over without a second reference', () => {
  const { ids, refs } = countingIds();
  const t = new FlowTable(ids);
  let e = t.locate(7, 0);
  assert.equal(t.isLive(e, 7, 0), false);
  e = t.add(e, 7, 0, 0); // leg 0 is account 7's only one
  assert.equal(t.isLive(t.locate(7, 0), 7, 0), true);
  assert.equal(t.account(t.locate(7, 0)), 'A7');
  assert.equal(t.isLive(t.locate(7, 1), 7, 1), false, 'leg 0 left the window');
  e = t.locate(7, 1);
  assert.equal(t.index[e], 8, 'its own dead entry is where it goes again');
  t.add(e, 7, 5, 1);
  assert.equal(t.index[t.locate(7, 1) + 1], 5);
  assert.equal(refs.get(7), 1);
});

test('rows: made, found, deleted (probes go on past the place), reused', () => {
  const { ids, refs } = countingIds();
  const t = new FlowTable(ids);
  // Enough accounts that some share a run of buckets.
  const slots = new Map<number, number>();
  for (let id = 0; id < 3; id++) {
    const slot = t.newRow();
    t.add(t.locate(id, 0), id, -1 - slot, 0);
    slots.set(id, slot);
  }
  for (const [id, slot] of slots) assert.equal(t.index[t.locate(id, 0) + 1], -1 - slot);
  t.deleteRow(t.locate(0, 0), slots.get(0)!);
  assert.equal(t.isLive(t.locate(0, 0), 0, 0), false);
  for (const id of [1, 2]) assert.equal(t.isLive(t.locate(id, 0), id, 0), true);
  assert.equal(t.newRow(), slots.get(0), 'a freed row is reused');
  assert.equal(refs.get(0), 0);
  t.dropAll();
  assert.equal(held(refs), 0);
});

test('random legs against a model: live entries found, dead ones cleared, references balanced', () => {
  let seed = 42;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const { ids, refs } = countingIds();
  const t = new FlowTable(ids);
  /** Account → its one leg (≥ 0) or -1 - its row, for accounts with a live entry. */
  const model = new Map<number, number>();
  const legs: number[] = []; // account of each leg number
  let first = 0;
  for (let n = 0; n < 20_000; n++) {
    const id = rnd(n < 10_000 ? 300 : 1000); // a few hundred accounts, then many (dead entries pile up and are cleared)
    legs.push(id);
    const e = t.locate(id, first);
    const had = model.get(id);
    assert.equal(t.isLive(e, id, first), had !== undefined, `leg ${n}: account ${id}`);
    if (had === undefined) {
      t.add(e, id, n, first);
      model.set(id, n);
    } else if (had >= 0) {
      const slot = t.newRow();
      t.rows[FlowTable.at(slot) + LEGS] = 1;
      t.index[e + 1] = -1 - slot;
      model.set(id, -1 - slot);
    }
    // The window: the last 50..250 legs.
    const keep = 50 + rnd(200);
    while (n + 1 - first > keep) {
      const gone = legs[first]!;
      first++;
      const v = model.get(gone);
      if (v !== undefined && v >= 0 && v < first) model.delete(gone);
      else if (v !== undefined && v < 0 && rnd(3) === 0) {
        t.rows[FlowTable.at(-1 - v) + LEGS] = 0;
        t.deleteRow(t.locate(gone, first), -1 - v);
        model.delete(gone);
      }
    }
  }
  for (let id = 0; id < 1000; id++) {
    const e = t.locate(id, first);
    assert.equal(t.isLive(e, id, first), model.has(id));
    if (model.has(id)) assert.equal(t.index[e + 1], model.get(id));
  }
  // Every entry in the index, live or dead, holds one reference; dead ones were cleared on the way.
  const entries = t.index.filter((k, i) => i % 2 === 0 && k > 0).length;
  assert.equal(held(refs), entries);
  assert.ok(entries <= (3 / 8) * t.index.length, `${entries} entries in ${t.index.length / 2} buckets`);
  t.dropAll();
  assert.equal(held(refs), 0);
});

test('tables start without rows and make their own: one table’s rows never show in another', () => {
  const a = new FlowTable(countingIds().ids);
  const b = new FlowTable(countingIds().ids);
  assert.equal(a.rows.length, 0);
  const slots: number[] = [];
  for (let k = 0; k < 40; k++) slots.push(a.newRow()); // past the short arrays' exact growth
  assert.deepEqual(slots, [...slots.keys()]);
  assert.equal(a.rows.length, 40 * FlowTable.at(1));
  a.rows[FlowTable.at(3) + LEGS] = 5;
  assert.equal(b.rows.length, 0);
  assert.equal(b.newRow(), 0);
  assert.equal(b.rows[LEGS], 0);
  // A freed row is the next one made.
  a.rows[FlowTable.at(3) + LEGS] = 0;
  const e = a.add(a.locate(9, 0), 9, -1 - 3, 0);
  a.deleteRow(e, 3);
  assert.equal(a.newRow(), 3);
});
