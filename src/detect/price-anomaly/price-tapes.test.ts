import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PriceTapes, TAPE } from './price-tapes.js';

/**
 * The tape gives the values price_anomaly pushed to its rings (same expressions, same order), for
 * random trades of several interleaved slots (flat prints, zero and negative prices, windows closed
 * without a return, prices with more decimals than those before), with slot and ring number reuse; it refuses a
 * price it cannot keep exactly, and a trade past TAPE.
 */
test('tape: window returns and tick moves are those the detector pushed', () => {
  let seed = 7;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const lengths = 2;
  const tapes = new PriceTapes(lengths);
  const out = new Float64Array(TAPE);
  for (let round = 0; round < 30; round++) {
    const slots = [0, 1, 2].map((slot) => {
      tapes.open(slot);
      return { slot, returns: [[], []] as number[][], ticks: [] as number[], opens: [NaN, NaN], last: NaN, recorded: 0 };
    });
    for (let i = 0; i < 1.2 * TAPE * slots.length; i++) {
      const s = slots[Math.floor(rnd() * slots.length)]!;
      const r = rnd();
      const decimals = [0, 1, 2, 2, 2, 3][Math.floor(rnd() * 6)]!;
      const price =
        r < 0.03
          ? 0
          : r < 0.05
            ? -1
            : r < 0.4 && !Number.isNaN(s.last)
              ? s.last
              : Math.round((100 + rnd() * 50) * 10 ** decimals) / 10 ** decimals;
      const scale = tapes.scaleFor(s.slot, price);
      if (scale < 0) {
        assert.equal(s.recorded, TAPE); // these prices fit at 3 decimals: only a full tape refuses them
        continue;
      }
      const first = Number.isNaN(s.last);
      for (let k = 0; k < lengths; k++) {
        if (first) {
          s.opens[k] = price;
          continue;
        }
        if (rnd() < (k === 0 ? 0.6 : 0.3)) {
          const close = s.last;
          const pushed = close > 0 && s.opens[k]! > 0;
          if (pushed) s.returns[k]!.push(Math.log(close / s.opens[k]!));
          tapes.closeWindow(s.slot, k, pushed);
          s.opens[k] = close;
        }
      }
      const tick = !first && price !== s.last && s.last > 0;
      if (tick) s.ticks.push(Math.abs(Math.log(price / s.last)));
      tapes.record(s.slot, price, scale, tick);
      s.recorded++;
      s.last = price;
    }
    for (const s of slots) {
      assert.equal(tapes.ring(s.slot), -1);
      assert.equal(tapes.scaleFor(s.slot, NaN), -1);
      assert.equal(tapes.scaleFor(s.slot, 0.1 + 0.2), -1);
      assert.equal(tapes.scaleFor(s.slot, 123456789.5), -1);
      for (let k = 0; k < lengths; k++) {
        const n = tapes.returnsInto(s.slot, k, out);
        assert.deepEqual([...out.subarray(0, n)], s.returns[k]);
        assert.equal(tapes.returns(s.slot, k), n);
      }
      const n = tapes.ticksInto(s.slot, out);
      assert.deepEqual([...out.subarray(0, n)], s.ticks);
      assert.equal(tapes.ticks(s.slot), n);
      // Off the tape: ring numbers are dense and reused once their symbols are forgotten.
      assert.ok(tapes.leave(s.slot) < slots.length);
      tapes.close(s.slot);
    }
  }
});
