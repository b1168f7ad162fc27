import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeState, encodeState } from '../../engine/snapshot.js';
import { IdLists } from './id-lists.js';

test('IdLists: each list holds what was pushed to it, through growth, reuse of closed lists and chunks, compaction and checkpoints', () => {
  let x = 11;
  const r = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  let lists = new IdLists();
  const model = new Map<number, string[]>();
  let pushed = 0;
  let reopened = 0;
  const seenNumbers = new Set<number>();
  for (let step = 0; step < 40_000; step++) {
    const u = r();
    if (model.size > 0 && u < 0.02) {
      const open = [...model.keys()];
      const list = open[Math.floor(r() * open.length)]!;
      lists.close(list);
      model.delete(list);
    } else if (u < 0.05 || model.size === 0) {
      // Room from none to a few hundred, as episodes ask for.
      const list = lists.open(r() < 0.3 ? 0 : Math.floor(r() * 300));
      assert.ok(!model.has(list), 'an open list number is not handed out again');
      if (seenNumbers.has(list)) reopened++;
      seenNumbers.add(list);
      model.set(list, []);
    } else {
      const open = [...model.keys()];
      const list = open[Math.floor(r() * open.length)]!;
      const id = `t${pushed++}`;
      lists.push(list, id);
      model.get(list)!.push(id);
    }
    if (r() < 0.001) lists = decodeState(encodeState(lists)) as IdLists;
    if (step % 997 === 0) {
      for (const [list, ids] of model) assert.deepEqual(lists.toArray(list), ids);
      // No slot outside the lists holds an id (free chunks, room left, compacted away).
      const held = (lists as unknown as { blocks: string[][] }).blocks.flat().filter((id) => id !== '').length;
      assert.equal(
        held,
        [...model.values()].reduce((sum, ids) => sum + ids.length, 0),
      );
    }
  }
  for (const [list, ids] of model) {
    assert.equal(lists.count(list), ids.length);
    assert.deepEqual(lists.toArray(list), ids);
  }
  assert.ok(reopened > 100, `closed list numbers are reused (${reopened})`);
});

test('IdLists: a closed list holds no id (its chunk is emptied), and compaction keeps the open lists', () => {
  const lists = new IdLists();
  const a = lists.open(4);
  const b = lists.open(0);
  for (let k = 0; k < 10; k++) lists.push(a, `a${k}`);
  lists.push(b, 'b0');
  lists.close(a);
  const held = (): string[] => (lists as unknown as { blocks: string[][] }).blocks.flat();
  assert.ok(!held().some((id) => id.startsWith('a')));
  assert.deepEqual(lists.toArray(b), ['b0']);
  // Many lists opened and closed: an eighth of the records free makes a compaction; `b` is intact.
  for (let k = 0; k < 200; k++) {
    const c = lists.open(100);
    for (let j = 0; j < 50; j++) lists.push(c, 'x');
    lists.close(c);
  }
  const big: number[] = [];
  for (let k = 0; k < 100; k++) big.push(lists.open(60 + k));
  for (const c of big) lists.close(c);
  assert.deepEqual(lists.toArray(b), ['b0']);
  assert.ok(held().length <= 4096, 'free chunks are compacted away (one block left)');
});
