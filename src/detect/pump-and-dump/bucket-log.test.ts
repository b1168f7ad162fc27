import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeState, encodeState } from '../../engine/snapshot.js';
import { medianOf } from '../window/select.js';
import { BucketLogs, BUY_TRADES, BUY_VOLUME, VOLUME } from './bucket-log.js';
import { Slab } from './slab.js';

type Field = typeof VOLUME | typeof BUY_VOLUME | typeof BUY_TRADES;

/** One slot of a BucketLogs, with the API of a single log (what the checks below read). */
function slotOf(logs: BucketLogs, slot: number) {
  logs.add(slot);
  return view(logs, slot);
}
function view(logs: BucketLogs, slot: number) {
  return {
    logs,
    get filled(): number {
      return logs.filled(slot);
    },
    get closed(): number {
      return logs.closed(slot);
    },
    close: (v: number, b: number, n: number, k: number): void => logs.close(slot, v, b, n, k),
    addNewest: (start: number, f: Field, k: number): number => logs.addNewest(slot, start, f, k),
    pin: (at: number): void => logs.pin(slot, at),
    windowBaseline: (f: typeof VOLUME | typeof BUY_TRADES, w: number, at?: number): number => logs.windowBaseline(slot, f, w, at),
    baselinePositive: (f: typeof VOLUME | typeof BUY_TRADES, w: number, at: number): boolean => logs.baselinePositive(slot, f, w, at),
  };
}
/** A checkpoint round trip of the log's table. */
function restored(log: ReturnType<typeof view>, slot = 0): ReturnType<typeof view> {
  const logs = decodeState(encodeState(log.logs)) as BucketLogs;
  assert.ok(logs instanceof BucketLogs);
  return view(logs, slot);
}

/** The dense ring pump_and_dump kept before BucketLog (every bucket written), with its baseline: the reference. */
class DenseRing {
  readonly data: number[][] = [[], [], [], []];
  next = 0;
  filled = 0;
  constructor(readonly capacity: number) {
    for (const f of [VOLUME, BUY_VOLUME, BUY_TRADES]) this.data[f] = new Array<number>(capacity).fill(0);
  }
  close(v: number, b: number, n: number, buckets: number): void {
    for (let i = 0; i < buckets; i++) {
      this.data[VOLUME]![this.next] = i === 0 ? v : 0;
      this.data[BUY_VOLUME]![this.next] = i === 0 ? b : 0;
      this.data[BUY_TRADES]![this.next] = i === 0 ? n : 0;
      this.next = (this.next + 1) % this.capacity;
      if (this.filled < this.capacity) this.filled++;
    }
  }
  addNewest(start: number, f: number, k: number): number {
    let v = start;
    for (let i = 1; i <= k; i++) v += this.data[f]![(this.next - i + this.capacity) % this.capacity]!;
    return v;
  }
  windowBaseline(f: number, w: number): number {
    const ring = this.data[f]!;
    const filled = this.filled;
    const perBucket = medianOf(ring, filled);
    if (perBucket > 0) return perBucket * w;
    const start = (this.next - filled + this.capacity) % this.capacity;
    const at = (i: number): number => ring[(start + i) % this.capacity]!;
    const n = filled - w + 1;
    if (n <= 0) return NaN;
    const sums = new Float64Array(n);
    let sum = 0;
    for (let i = 0; i < w; i++) sum += at(i);
    let total = 0;
    for (let k = 0; k < n; k++) {
      if (k > 0) sum += at(k + w - 1) - at(k - 1);
      sums[k] = Math.max(0, sum);
      total += sums[k]!;
    }
    const m = medianOf(sums, n);
    return m > 0 ? m : total / n;
  }
}

function random(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
}

describe('BucketLog', () => {
  it('gives exactly the dense ring’s window sums and baselines (thin and busy symbols, quiet spells, decimals)', () => {
    const rnd = random(4242);
    let checks = 0;
    for (const capacity of [10, 37, 200]) {
      // The combinations below as slots of one table (blocks of earlier ones kept, or freed: reused).
      const logs = new BucketLogs(new Slab(), capacity);
      let slot = 0;
      for (const w of [1, 3, 10]) {
        if (w > capacity) continue;
        for (const busy of [0.05, 0.3, 0.6, 0.95]) {
          const log = slotOf(logs, slot++);
          const dense = new DenseRing(capacity);
          // A baseline taken at a refresh (pinned) and computed steps later, as the detector does.
          let pinnedAt = -1;
          const pinnedWant: number[] = [];
          for (let step = 0; step < 600; step++) {
            const active = rnd() < busy;
            const decimal = rnd() < 0.3;
            const v = active ? (decimal ? Math.round(rnd() * 1e6) / 1e3 + 0.1 : 1 + Math.floor(rnd() * 500)) : 0;
            // Now and then a count too large to pack with the sequence (the log turns wide then).
            const n = active ? (rnd() < 0.001 ? 2 ** 21 - 1 + Math.floor(rnd() * 3) : Math.floor(rnd() * 4)) : 0;
            const b = active ? (n > 0 ? (rnd() < 0.5 ? v : v * rnd()) : 0) : 0;
            // Mostly one bucket; now and then a quiet spell, sometimes longer than the ring.
            const r = rnd();
            const buckets = r < 0.8 ? 1 : r < 0.95 ? 1 + Math.floor(rnd() * 2 * w) : 1 + Math.floor(rnd() * 2 * capacity);
            log.close(v, b, n, Math.min(buckets, capacity)); // the detector caps a spell at the ring, as before
            dense.close(v, b, n, Math.min(buckets, capacity));
            assert.equal(log.filled, dense.filled);
            for (const f of [VOLUME, BUY_TRADES] as const) {
              const want = dense.windowBaseline(f, w);
              const got = log.windowBaseline(f, w);
              assert.ok(Object.is(got, want), `cap ${capacity} w ${w} busy ${busy} step ${step} field ${f}: ${got} vs ${want}`);
              assert.equal(log.baselinePositive(f, w, log.closed), want > 0);
              checks++;
            }
            if (pinnedAt >= 0) {
              for (const f of [VOLUME, BUY_TRADES] as const) {
                assert.ok(Object.is(log.windowBaseline(f, w, pinnedAt), pinnedWant[f]), `pinned at ${pinnedAt}, step ${step}`);
                assert.equal(log.baselinePositive(f, w, pinnedAt), pinnedWant[f]! > 0);
              }
            }
            if (rnd() < 0.2) {
              pinnedAt = log.closed;
              log.pin(pinnedAt);
              for (const f of [VOLUME, BUY_TRADES] as const) pinnedWant[f] = dense.windowBaseline(f, w);
            }
            for (const f of [VOLUME, BUY_VOLUME, BUY_TRADES] as const) {
              const k = Math.floor(rnd() * w);
              assert.ok(Object.is(log.addNewest(0.5, f, k), dense.addNewest(0.5, f, k)));
            }
          }
          if (slot % 2 === 0) logs.drop(slot - 1);
        }
      }
    }
    assert.ok(checks > 10_000);
  });

  it('holds only non-empty buckets, and nothing once they are all older than the ring', () => {
    const log = slotOf(new BucketLogs(new Slab(), 1440), 0);
    for (let i = 0; i < 20; i++) log.close(5, 5, 1, 20);
    assert.equal(log.filled, 400);
    assert.equal(log.addNewest(0, VOLUME, 20), 5);
    log.close(0, 0, 0, 1440);
    assert.equal(log.addNewest(0, VOLUME, 1440), 0);
    assert.ok(Object.is(log.windowBaseline(VOLUME, 10), 0));
  });

  it('keeps buy trade counts exactly, packed and past what packs (the log turns wide, with the same values)', () => {
    const log = slotOf(new BucketLogs(new Slab(), 100), 0);
    const counts = [0, 1, 2 ** 21 - 1, 7, 0, 3];
    for (const n of counts) log.close(1, 1, n, 2);
    assert.equal(log.addNewest(0, BUY_TRADES, 12), 2 ** 21 + 10);
    assert.equal(log.addNewest(0, BUY_TRADES, 4), 3);
    log.close(1, 1, 2 ** 21, 1); // too large to pack: widens
    log.close(1, 1, 2.5, 1); // not a count: stays wide
    log.close(2, 1, 4, 1);
    assert.equal(log.addNewest(0, BUY_TRADES, 15), 2 ** 22 + 10 + 2.5 + 4);
    assert.equal(log.addNewest(0, BUY_TRADES, 3), 2 ** 21 + 6.5);
    assert.equal(log.addNewest(0, VOLUME, 15), 10);
    assert.equal(log.addNewest(0, BUY_VOLUME, 2), 2);
    // 15 buckets, 8 with no buy trades: the median is 0, the sums of one bucket too: their mean.
    assert.ok(Object.is(log.windowBaseline(BUY_TRADES, 1), (2 ** 22 + 16.5) / 15));
    const back = restored(log);
    assert.equal(back.addNewest(0, BUY_TRADES, 15), log.addNewest(0, BUY_TRADES, 15));
    back.close(1, 1, 1, 1);
    assert.equal(back.addNewest(0, BUY_TRADES, 2), 5);
  });

  it('survives a checkpoint', () => {
    const log = slotOf(new BucketLogs(new Slab(), 60), 0);
    for (let i = 0; i < 30; i++) log.close(i % 3 === 0 ? i : 0, 0, i % 2, 1 + (i % 4));
    const back = restored(log);
    assert.ok(Object.is(back.windowBaseline(VOLUME, 10), log.windowBaseline(VOLUME, 10)));
    back.close(7, 7, 1, 1);
    log.close(7, 7, 1, 1);
    assert.ok(Object.is(back.windowBaseline(BUY_TRADES, 10), log.windowBaseline(BUY_TRADES, 10)));
  });
});
