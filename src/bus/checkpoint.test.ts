import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { parseConfig } from '../config/config.js';
import type { MarketEvent } from '../domain/events.js';
import { DETECTORS } from '../detect/registry.js';
import { simulate, simulatorSessions } from '../ingest/simulator/simulator.js';
import { natsTestUrl, portOpen } from '../testing/services.js';
import { checkpointSeq, readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { encodeEvents } from './codec.js';
import { EngineThread } from './engine-thread.js';
import { destroyStream, openBus } from './nats.js';

const natsUrl = natsTestUrl();
const skip = (await portOpen('127.0.0.1', Number(new URL(natsUrl.replace('nats:', 'http:')).port || 4222)))
  ? false
  : `needs NATS (${natsUrl}); .ci/run starts it`;

test('a checkpoint round-trips compressed, in several chunks, with its metadata; an older format is refused', { skip }, async () => {
  const bus = await openBus(natsUrl, `CK${process.pid}`);
  try {
    assert.equal(await readCheckpoint(bus, 0), null);
    assert.equal(await checkpointSeq(bus, 0), 0);
    // Random bytes do not compress: 3 MB stay 3 MB, more than one object store chunk.
    const state = randomBytes(3 << 20);
    const meta = { seq: 42, fingerprint: 'f00d', eventTimeMs: Date.parse('2026-03-02T15:00:00Z') };
    const w = await writeCheckpoint(bus, 0, meta, state);
    assert.ok(w.storedBytes > 2 << 20, `${w.storedBytes} bytes stored`);
    const back = await readCheckpoint(bus, 0);
    assert.deepEqual(back?.meta, meta);
    assert.ok(back && Buffer.from(back.state).equals(state));
    assert.equal(await checkpointSeq(bus, 0), 42);
    // Detector state does compress.
    const zeros = new Uint8Array(1 << 20);
    assert.ok((await writeCheckpoint(bus, 1, meta, zeros)).storedBytes < 10_000);
    assert.deepEqual((await readCheckpoint(bus, 1))?.state, Buffer.from(zeros));
    // A checkpoint of the first format (a V8-serialised object, no metadata) is not restored.
    await bus.state.putBlob({ name: 'partition-2' }, new Uint8Array([1, 2, 3]));
    await assert.rejects(readCheckpoint(bus, 2), /checkpoint format 1 \(uncompressed\) is not this version's/);
  } finally {
    await destroyStream(bus);
    await bus.close();
  }
});

test('a checkpoint written while detection carries on covers exactly the message it was taken after', { skip }, async () => {
  const symbols = ['AAA', 'BBB'];
  const config = parseConfig({ sessions: simulatorSessions(symbols) });
  const events: MarketEvent[] = [];
  for (const b of simulate({ symbols, seed: 8, startMs: Date.parse('2026-03-02T14:00:00Z'), durationMs: 3600_000, inject: true }).batches) {
    events.push(...b);
  }
  const messages: Uint8Array[] = [];
  for (let i = 0; i < events.length; i += 1000) messages.push(encodeEvents(events.slice(i, i + 1000)));
  const bus = await openBus(natsUrl, `CW${process.pid}`);
  const thread = await EngineThread.start(DETECTORS, config);
  try {
    const live = new AbortController().signal;
    const k = Math.floor(messages.length / 3);
    // Partition 0: messages 1..k, snapshot, then the write runs while messages k+1.. are processed.
    const after: string[] = [];
    await thread.open(0);
    for (const m of messages.slice(0, k)) await thread.process(0, m, live);
    const snap = await thread.snapshot(0);
    const write = writeCheckpoint(bus, 0, { seq: k, fingerprint: thread.fingerprint, eventTimeMs: snap.eventTimeMs }, snap.bytes);
    for (const m of messages.slice(k)) after.push(...(await thread.process(0, m, live)).alerts.map((a) => JSON.stringify(a)));
    after.push(...(await thread.end(0)).map((a) => JSON.stringify(a)));
    await write;

    // Partition 1 starts from the stored checkpoint and gets messages k+1..: the same alerts, in the same order.
    const cp = await readCheckpoint(bus, 0);
    assert.equal(cp?.meta.seq, k);
    assert.equal(cp.meta.fingerprint, thread.fingerprint);
    await thread.open(1, cp.state);
    const resumed: string[] = [];
    for (const m of messages.slice(k)) resumed.push(...(await thread.process(1, m, live)).alerts.map((a) => JSON.stringify(a)));
    resumed.push(...(await thread.end(1)).map((a) => JSON.stringify(a)));
    assert.ok(after.length > 0, 'no alert after the checkpoint: the test shows nothing');
    assert.deepEqual(resumed, after);
  } finally {
    await destroyStream(bus);
    await bus.close();
    await thread.terminate();
  }
});
