import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IdClasses } from './id-classes.js';
import { decodeState, encodeState } from '../../engine/snapshot.js';

describe('IdClasses', () => {
  it('gives one id one class, and different ids different classes, while they are held', () => {
    const classes = new IdClasses();
    const a = classes.classOf('t1', 0, 1000);
    const b = classes.classOf('t2', 1, 1001);
    assert.notEqual(a, b);
    assert.equal(classes.classOf('t1', 2, 1002), a);
    assert.equal(classes.size, 2);
  });

  it('frees a class only once all its executions left the window and are older than the cutoff', () => {
    const classes = new IdClasses();
    const n = 600; // past the first sweep threshold
    for (let i = 0; i < n; i++) classes.classOf(`t${i}`, i, 1000 + i);
    const reused = classes.classOf('t5', n, 900); // a late execution of an old id: newest number n
    // Executions 0..299 left the window, all before the cutoff but t5 (its newest is still in).
    classes.sweep(300, 1000 + 300);
    assert.equal(classes.size, n - 299);
    assert.equal(classes.classOf('t5', n + 1, 2000), reused, 't5 kept its class');
    // A swept id comes back as new, under a freed number; a kept one keeps its own.
    const kept = classes.classOf('t400', n + 2, 2001);
    assert.equal(classes.classOf('t400', n + 3, 2002), kept);
    const again = classes.classOf('t7', n + 4, 2003);
    assert.ok(again < 300, 'a freed number is reused');
    // Not timed before the cutoff: not freed even though out of the window.
    const late = new IdClasses();
    for (let i = 0; i < n; i++) late.classOf(`u${i}`, i, 5000);
    late.sweep(n, 4000);
    assert.equal(late.size, n);
  });

  it('survives a checkpoint', () => {
    const classes = new IdClasses();
    for (let i = 0; i < 100; i++) classes.classOf(`t${i}`, i, i);
    const copy = decodeState(encodeState(classes)) as IdClasses;
    assert.ok(copy instanceof IdClasses);
    for (let i = 0; i < 100; i++) assert.equal(copy.classOf(`t${i}`, 200 + i, 200), classes.classOf(`t${i}`, 200 + i, 200));
    assert.equal(copy.classOf('new', 300, 300), classes.classOf('new', 300, 300));
  });
});
