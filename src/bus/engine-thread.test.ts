import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../config/config.js';
import type { MarketEvent } from '../domain/events.js';
import { DETECTORS } from '../detect/registry.js';
import { Engine } from '../engine/engine.js';
import { MemorySink } from '../engine/pipeline.js';
import { decodeState } from '../engine/snapshot.js';
import { simulate, simulatorSessions } from '../ingest/simulator/simulator.js';
import { encodeEvents } from './codec.js';
import { EngineThread, Withdrawn } from './engine-thread.js';

const symbols = ['AAA', 'BBB'];
const config = parseConfig({ sessions: simulatorSessions(symbols) });
const events: MarketEvent[] = [];
for (const b of simulate({ symbols, seed: 3, startMs: Date.parse('2026-03-02T14:00:00Z'), durationMs: 3600_000, inject: true }).batches) {
  events.push(...b);
}
const messages: Uint8Array[] = [];
for (let i = 0; i < events.length; i += 1000) messages.push(encodeEvents(events.slice(i, i + 1000)));

test('the detection thread raises the alerts of an engine in this thread, and restores from its own snapshot', async () => {
  const expected = new MemorySink();
  const engine = new Engine(DETECTORS, config, expected);
  await engine.process(events);
  await engine.end();
  assert.ok(expected.alerts.size >= 2, `reference raised ${expected.alerts.size} alerts`);

  const thread = await EngineThread.start(DETECTORS, config);
  try {
    assert.equal(thread.fingerprint, engine.fingerprint);
    const got = new Map<string, unknown>();
    const keep = (alerts: readonly { alert_id: string }[]): void => alerts.forEach((a) => got.set(a.alert_id, a));
    const live = new AbortController().signal;
    // Partition 0 runs to the middle, is snapshotted, and partition 1 carries on from that snapshot.
    const half = Math.floor(messages.length / 2);
    await thread.open(0);
    for (const m of messages.slice(0, half)) keep((await thread.process(0, m, live)).alerts);
    const snap = await thread.snapshot(0);
    await thread.open(1, snap.bytes);
    for (const m of messages.slice(half)) keep((await thread.process(1, m, live)).alerts);
    keep(await thread.end(1));
    assert.deepEqual(new Set(got.keys()), new Set(expected.alerts.keys()));
    for (const [id, a] of expected.alerts) assert.deepEqual(got.get(id), a, id);
  } finally {
    await thread.terminate();
  }
});

test('snapshots go before waiting messages, and a stopped partition withdraws its waiting message', async () => {
  const thread = await EngineThread.start(DETECTORS, config);
  try {
    const live = new AbortController().signal;
    for (const p of [0, 1, 2]) await thread.open(p);
    const order: string[] = [];
    const stop1 = new AbortController();
    const busy = thread.process(0, messages[0]!, live).then(() => order.push('process 0'));
    const withdrawn = thread.process(1, messages[0]!, stop1.signal);
    const later = thread.process(2, messages[0]!, live).then(() => order.push('process 2'));
    const snap = thread.snapshot(0).then(() => order.push('snapshot 0'));
    stop1.abort('handover');
    await assert.rejects(withdrawn, Withdrawn);
    await Promise.all([busy, later, snap]);
    assert.deepEqual(order, ['process 0', 'snapshot 0', 'process 2']);
    // Partition 1 never saw the message: its engine is still empty.
    const fresh = await EngineThread.start(DETECTORS, config);
    try {
      await fresh.open(0);
      // Compared decoded, not as bytes: V8's serialiser writes a number as an int or a double
      // depending on how its field is represented, which other engines in the thread can change.
      assert.deepEqual(decodeState((await thread.snapshot(1)).bytes), decodeState((await fresh.snapshot(0)).bytes));
    } finally {
      await fresh.terminate();
    }
  } finally {
    await thread.terminate();
  }
});

test('a dead detection thread fails every request, waiting or new', async () => {
  const thread = await EngineThread.start(DETECTORS, config);
  await thread.open(0);
  const live = new AbortController().signal;
  const first = thread.process(0, messages[0]!, live).catch(() => undefined); // may finish before the thread stops
  const waiting = thread.process(0, messages[1]!, live);
  await thread.terminate();
  await first;
  await assert.rejects(waiting, /detection thread exited/);
  await assert.rejects(thread.snapshot(0), /detection thread exited/);
  assert.ok(thread.failed);
});
