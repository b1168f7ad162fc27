import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { parseConfig } from '../config/config.js';
import type { MarketEvent } from '../domain/events.js';
import { DETECTORS } from '../detect/registry.js';
import { Engine } from '../engine/engine.js';
import { MemorySink } from '../engine/pipeline.js';
import type { EventSource } from '../ingest/source.js';
import { simulate, simulatorSessions } from '../ingest/simulator/simulator.js';
import { natsTestUrl, portOpen, postgresAvailable, postgresTestUrl } from '../testing/services.js';
import { decodeEvents, encodeEvents, partitionOf } from './codec.js';
import { publish } from './publisher.js';
import { destroyStream, openBus } from './nats.js';
import { checkpointSeq } from './checkpoint.js';
import { subjectFor } from './codec.js';

const BIN = fileURLToPath(new URL('../../../bin/surveillance.js', import.meta.url));
const natsUrl = natsTestUrl();
const pgUrl = postgresTestUrl();
const natsUp = await portOpen('127.0.0.1', Number(new URL(natsUrl.replace('nats:', 'http:')).port || 4222));
const pgUp = await postgresAvailable(pgUrl);
const skip = natsUp && pgUp ? false : `needs NATS (${natsUrl}) and PostgreSQL (${pgUrl}); .ci/run starts both`;

test('codec round-trips every event kind and partitions are stable', () => {
  const events: MarketEvent[] = [
    { type: 'trade', tsMs: 1, symbol: 'A', price: 1.5, qty: 2, buyer: 'x', seller: '', tradeId: 't', side: 'buy' },
    { type: 'trade', tsMs: 2, symbol: 'A', price: 1.5, qty: 2, buyer: '', seller: '', tradeId: 't2' },
    { type: 'order', tsMs: 3, symbol: 'B', orderId: 'o', account: 'a', side: 'sell', action: 'cancel', price: 9, qty: 1 },
    { type: 'quote', tsMs: 4, symbol: 'C', bidPrice: 1, bidQty: 2, askPrice: 3, askQty: 4 },
  ];
  const back = decodeEvents(encodeEvents(events));
  assert.deepEqual(back, [{ ...events[0] }, { ...events[1], side: undefined }, events[2], events[3]]);
  assert.equal(partitionOf('AAPL', 16), partitionOf('AAPL', 16));
  assert.throws(() => decodeEvents(Buffer.from('[["z",1]]')), /unknown event tuple/);
});

function spawnWorker(args: string[]): ChildProcess & { output: () => string } {
  const p = spawn(process.execPath, [BIN, 'start', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let output = '';
  p.stdout.on('data', (d: Buffer) => (output += d.toString()));
  p.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return Object.assign(p, { output: () => output });
}

const exited = (p: ChildProcess): Promise<number | null> =>
  new Promise((r) => (p.exitCode !== null ? r(p.exitCode) : p.once('exit', (c) => r(c))));

async function* fromEvents(events: readonly MarketEvent[]): EventSource {
  for (let i = 0; i < events.length; i += 5000) yield { file: 'sim', events: events.slice(i, i + 5000), lines: [] };
}

test(
  'publish → 3 workers (one killed -9 midway) → PostgreSQL gives the same alerts as a single replay',
  { skip, timeout: 240_000 },
  async () => {
    const symbols = ['AAA', 'BBB', 'CCC', 'DDD'];
    const sim = simulate({ symbols, seed: 11, startMs: Date.parse('2026-03-02T14:00:00Z'), durationMs: 3 * 3600_000, inject: true });
    const events: MarketEvent[] = [];
    for (const b of sim.batches) events.push(...b);
    const configJson = { sessions: simulatorSessions(symbols) };
    const config = parseConfig(configJson);

    // The reference: one engine over everything, as `replay` does.
    const expected = new MemorySink();
    const engine = new Engine(DETECTORS, config, expected);
    await engine.process(events);
    await engine.end();
    assert.ok(expected.alerts.size >= 5, `reference raised ${expected.alerts.size} alerts`);

    const dir = mkdtempSync(join(tmpdir(), 'bus-'));
    const configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify(configJson));
    const schema = `bus_${process.pid}_${Date.now() % 100000}`;
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const db = `${pgUrl}${pgUrl.includes('?') ? '&' : '?'}options=-c%20search_path%3D${schema}`;
    const stream = `T${process.pid}_${Date.now() % 100000}`;
    const workerArgs = (id: string): string[] => [
      '--source',
      natsUrl,
      '--stream',
      stream,
      '--worker-id',
      id,
      '--lease-ttl',
      '2',
      '--idle-exit',
      '10',
      '--db',
      db,
      '--config',
      configFile,
    ];
    try {
      const half = Math.floor(events.length / 2);
      await publish({ url: natsUrl, stream, partitions: 6, batchEvents: 500, sources: [fromEvents(events.slice(0, half))] });
      const workers = ['w1', 'w2', 'w3'].map((id) => spawnWorker(workerArgs(id)));
      // Let them share the partitions and work through the first half, then kill one without warning.
      await sleep(6000);
      workers[1]!.kill('SIGKILL');
      await exited(workers[1]!);
      await publish({ url: natsUrl, stream, partitions: 6, batchEvents: 500, sources: [fromEvents(events.slice(half))] });
      const codes = await Promise.all([exited(workers[0]!), exited(workers[2]!)]);
      assert.deepEqual(codes, [0, 0], workers.map((w) => w.output()).join('\n---\n'));

      const rows = (await admin.query<{ alert_id: string }>(`SELECT alert_id FROM ${schema}.alerts`)).rows;
      const got = new Set(rows.map((r) => r.alert_id));
      const want = new Set(expected.alerts.keys());
      const missing = [...want].filter((id) => !got.has(id)).map((id) => expected.alerts.get(id)!.type);
      const extra = [...got].filter((id) => !want.has(id));
      assert.deepEqual({ missing, extra: extra.length }, { missing: [], extra: 0 });
    } finally {
      const bus = await openBus(natsUrl, stream).catch(() => null);
      if (bus) await destroyStream(bus).finally(() => bus.close());
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    }
  },
);

test(
  'a restarted worker resumes from its checkpoint: with the processed half of the stream purged, alerts still equal a single replay',
  { skip, timeout: 360_000 },
  async () => {
    const symbols = ['AAA', 'BBB', 'CCC', 'DDD'];
    const sim = simulate({ symbols, seed: 5, startMs: Date.parse('2026-03-02T14:00:00Z'), durationMs: 2 * 3600_000, inject: true });
    const events: MarketEvent[] = [];
    for (const b of sim.batches) events.push(...b);
    const configJson = { sessions: simulatorSessions(symbols) };
    const expected = new MemorySink();
    const engine = new Engine(DETECTORS, parseConfig(configJson), expected);
    await engine.process(events);
    await engine.end();
    assert.ok(expected.alerts.size >= 3, `reference raised ${expected.alerts.size} alerts`);

    const dir = mkdtempSync(join(tmpdir(), 'bus-cp-'));
    const configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify(configJson));
    const schema = `buscp_${process.pid}_${Date.now() % 100000}`;
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const db = `${pgUrl}${pgUrl.includes('?') ? '&' : '?'}options=-c%20search_path%3D${schema}`;
    const stream = `C${process.pid}_${Date.now() % 100000}`;
    const partitions = 4;
    const args = (id: string, more: string[]): string[] => [
      ...['--source', natsUrl, '--stream', stream, '--worker-id', id, '--lease-ttl', '2', '--db', db, '--config', configFile],
      ...more,
    ];
    const bus = await openBus(natsUrl, stream);
    try {
      const half = Math.floor(events.length / 2);
      await publish({ url: natsUrl, stream, partitions, batchEvents: 500, sources: [fromEvents(events.slice(0, half))] });
      const firstHalfEnd = (await bus.jsm.streams.info(stream)).state.last_seq;
      const lastSeqOf = new Map<number, number>();
      for (let p = 0; p < partitions; p++) {
        const m = await bus.jsm.streams.getMessage(stream, { last_by_subj: subjectFor(stream, p) });
        if (m) lastSeqOf.set(p, m.seq);
      }

      // w1 works through the first half, checkpointing every second; once every partition's
      // checkpoint covers its last message, w1 dies without warning.
      const w1 = spawnWorker(args('w1', ['--checkpoint-interval', '1']));
      const deadline = Date.now() + 200_000;
      for (;;) {
        const covered = await Promise.all([...lastSeqOf].map(async ([p, seq]) => (await checkpointSeq(bus, p)) >= seq));
        if (covered.every(Boolean)) break;
        assert.ok(Date.now() < deadline && w1.exitCode === null, `w1 did not checkpoint the first half:\n${w1.output()}`);
        await sleep(300);
      }
      w1.kill('SIGKILL');
      await exited(w1);

      // The processed half is gone from the stream: only the checkpoints remember it.
      await bus.jsm.streams.purge(stream, { seq: firstHalfEnd + 1 });
      assert.equal((await bus.jsm.streams.info(stream)).state.first_seq, firstHalfEnd + 1);
      await publish({ url: natsUrl, stream, partitions, batchEvents: 500, sources: [fromEvents(events.slice(half))] });

      const w2 = spawnWorker(args('w2', ['--idle-exit', '8']));
      assert.equal(await exited(w2), 0, w2.output());
      assert.match(w2.output(), new RegExp(`${lastSeqOf.size} partitions restored from checkpoints, 0 messages re-read`), w2.output());

      const rows = (await admin.query<{ alert_id: string }>(`SELECT alert_id FROM ${schema}.alerts`)).rows;
      const got = new Set(rows.map((r) => r.alert_id));
      const missing = [...expected.alerts.keys()].filter((id) => !got.has(id)).map((id) => expected.alerts.get(id)!.type);
      const extra = [...got].filter((id) => !expected.alerts.has(id));
      assert.deepEqual({ missing, extra: extra.length }, { missing: [], extra: 0 });
    } finally {
      await destroyStream(bus);
      await bus.close();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    }
  },
);
