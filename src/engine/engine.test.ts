import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../config/config.js';
import type { MarketEvent } from '../domain/events.js';
import { DETECTORS } from '../detect/registry.js';
import { trade } from '../testing/builders.js';
import { Engine, alertIdFor } from './engine.js';
import { MemorySink } from './pipeline.js';

/** A deterministic tape: steady trading, then a burst and a jump. */
function tape(): MarketEvent[] {
  const events: MarketEvent[] = [];
  let seed = 7;
  const rnd = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
  let price = 50;
  for (let i = 0; i < 6000; i++) {
    const ts = 1_700_000_000_000 + i * 1000;
    const burst = i >= 4000 && i < 4060;
    if (i >= 5000 && i < 5100) price *= 1.003;
    price *= 1 + (rnd() - 0.5) * 0.001;
    events.push(
      trade(ts, {
        price: Math.round(price * 100) / 100,
        qty: burst ? 400 : 5 + Math.floor(rnd() * 20),
        tradeId: `t${i}`,
        buyer: `b${i % 7}`,
        seller: `s${i % 5}`,
      }),
    );
  }
  return events;
}

async function run(events: MarketEvent[], batchSize: number): Promise<MemorySink> {
  const sink = new MemorySink();
  const engine = new Engine(DETECTORS, parseConfig({}), sink);
  for (let i = 0; i < events.length; i += batchSize) await engine.process(events.slice(i, i + batchSize));
  await engine.end();
  return sink;
}

test('same input gives the same alerts with the same ids, whatever the batching (replay = live)', async () => {
  const events = tape();
  const whole = await run(events, events.length);
  const oneByOne = await run(events, 1);
  const odd = await run(events, 37);
  assert.ok(whole.alerts.size >= 2, `expected alerts, got ${whole.alerts.size}`);
  assert.deepEqual([...oneByOne.alerts.keys()].sort(), [...whole.alerts.keys()].sort());
  assert.deepEqual(
    [...odd.alerts.values()].sort((a, b) => a.alert_id.localeCompare(b.alert_id)),
    [...whole.alerts.values()].sort((a, b) => a.alert_id.localeCompare(b.alert_id)),
  );
  const types = new Set([...whole.alerts.values()].map((a) => a.type));
  assert.ok(types.has('volume_spike') && types.has('price_anomaly'));
});

test('alert ids depend only on pattern and episode', () => {
  assert.equal(alertIdFor('spoofing', 'X|A|1'), alertIdFor('spoofing', 'X|A|1'));
  assert.notEqual(alertIdFor('spoofing', 'X|A|1'), alertIdFor('layering', 'X|A|1'));
});

test('a detector emitting another pattern is a programming error', async () => {
  const rogue = {
    pattern: 'spoofing' as const,
    version: 1,
    create: () => ({
      onTrade: (_t: unknown, ctx: { emit: (f: never) => void }) => ctx.emit({ pattern: 'wash_trading' } as never),
      snapshot: () => null,
      restore: () => undefined,
    }),
  };
  const engine = new Engine([rogue], parseConfig({}), new MemorySink());
  await assert.rejects(engine.process([trade(1)]), /emitted a wash_trading finding/);
});

test('flushOnAlert hands an alert to the sink right after the event that raised it, with the same final alerts', async () => {
  const events = tape();
  const written: number[] = [];
  const sink = new MemorySink();
  const engine = new Engine(DETECTORS, parseConfig({}), {
    write: (alerts) => {
      written.push(engine.stats.events);
      sink.write(alerts);
    },
  });
  engine.flushOnAlert = true;
  await engine.process(events);
  await engine.end();
  // One batch of 6,000 events: written mid-batch, at the raising event, not once at its end.
  assert.ok(written.length >= 2 && written[0]! < events.length, `writes at ${written.join(',')}`);
  const whole = await run(events, events.length);
  assert.deepEqual(
    [...sink.alerts.values()].sort((a, b) => a.alert_id.localeCompare(b.alert_id)),
    [...whole.alerts.values()].sort((a, b) => a.alert_id.localeCompare(b.alert_id)),
  );
});
