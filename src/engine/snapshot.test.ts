import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DETECTORS } from '../detect/registry.js';
import { simulate } from '../ingest/simulator/simulator.js';
import type { MarketEvent } from '../domain/events.js';
import { compareSnapshotRuns } from '../testing/snapshot-check.js';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { decodeState, encodeState, stateClass, stateCodeId } from './snapshot.js';

class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
  norm(): number {
    return Math.hypot(this.x, this.y);
  }
}
stateClass(Point, 'test.Point');
class Unregistered {
  v = 1;
}

describe('state snapshot codec', () => {
  it('ties snapshots to the build: the code id hashes the compiled detector modules', () => {
    const id = stateCodeId();
    assert.match(id, /^[0-9a-f]{16}$/);
    assert.equal(stateCodeId(), id);
    // The modules it covers exist where it looks (a wrong directory would hash nothing and never change).
    const detectFiles = readdirSync(join(import.meta.dirname, '..', 'detect'), { recursive: true, encoding: 'utf8' });
    assert.ok(detectFiles.some((f) => f.endsWith('wash-trading.js')));
  });

  it('keeps registered classes, shared references, Map/Set order, typed arrays and odd numbers', () => {
    const shared = new Point(3, 4);
    const state = {
      a: shared,
      list: [shared, new Point(1, 0), null, undefined],
      byKey: new Map<string, Point | Set<number>>([
        ['z', shared],
        ['a', new Set([3, 1, 2])],
      ]),
      series: new Float64Array([1.5, -0, NaN]),
      big: [Infinity, -Infinity],
      bare: Object.assign(Object.create(null) as object, { k: 1 }),
    };
    const back = decodeState(encodeState(state)) as typeof state;
    assert.ok(back.a instanceof Point);
    assert.equal(back.a.norm(), 5);
    assert.equal(back.list[0], back.a, 'shared reference kept');
    assert.equal(back.byKey.get('z'), back.a);
    assert.deepEqual([...back.byKey.keys()], ['z', 'a']);
    assert.deepEqual([...(back.byKey.get('a') as Set<number>)], [3, 1, 2]);
    assert.ok((back.list[1] as Point).norm() === 1);
    assert.ok(Object.is(back.series[1], -0) && Number.isNaN(back.series[2]));
    assert.deepEqual(back.big, [Infinity, -Infinity]);
    assert.equal(Object.getPrototypeOf(back.bare), null);
  });

  it('refuses functions and unregistered classes instead of dropping them', () => {
    assert.throws(() => encodeState({ f: () => 1 }), /function/);
    assert.throws(() => encodeState({ u: new Unregistered() }), /Unregistered is not registered/);
  });
});

/** Two hours of two simulated symbols with every kind of injected manipulation. */
function simulatedBatches(): MarketEvent[][] {
  const sim = simulate({
    symbols: ['AAPL', 'MSFT'],
    seed: 7,
    startMs: Date.UTC(2024, 2, 4, 14, 30),
    durationMs: 3 * 3600_000,
    inject: true,
  });
  return [...sim.batches];
}

describe('engine checkpoints: a restored engine gives the same alerts as one never stopped', () => {
  const batches = simulatedBatches();
  const n = batches.length;
  const cuts = [Math.floor(n * 0.2), Math.floor(n * 0.5), Math.floor(n * 0.77)];
  for (const factory of DETECTORS) {
    it(`${factory.pattern}: snapshot/restore at three points`, async () => {
      const r = await compareSnapshotRuns([factory], batches, cuts);
      assert.deepEqual(
        r.resumed.map((a) => JSON.stringify(a)),
        r.straight.map((a) => JSON.stringify(a)),
      );
    });
  }
  it('all detectors together, with the market context', async () => {
    const r = await compareSnapshotRuns(DETECTORS, batches, cuts);
    assert.ok(r.straight.length > 5, `the simulation raises alerts (${r.straight.length})`);
    assert.deepEqual(
      r.resumed.map((a) => JSON.stringify(a)),
      r.straight.map((a) => JSON.stringify(a)),
    );
  });
});
