/**
 * Bench: events/s through publish → 2 workers → PostgreSQL (issue 6).
 *   node dist/bench/bus-throughput.js [--events N] [--symbols K] [--workers W] [--checkpoint-interval S]
 * Needs NATS (127.0.0.1:4222, JetStream) and PostgreSQL (127.0.0.1:5432, database test): .ci/services.sh starts both.
 * Data: deterministic synthetic trades (K symbols, 10 accounts each), so every detector does its ordinary work.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { MarketEvent } from '../src/domain/events.js';
import { publish } from '../src/bus/publisher.js';
import { destroyStream, openBus } from '../src/bus/nats.js';
import { subjectFor } from '../src/bus/codec.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventSource } from '../src/ingest/source.js';
import { loadConfig } from '../src/config/config.js';
import { DETECTORS } from '../src/detect/registry.js';
import { Engine } from '../src/engine/engine.js';
import { MemorySink } from '../src/engine/pipeline.js';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const EVENTS = arg('events', 100_000);
const SYMBOLS = arg('symbols', 100);
const WORKERS = arg('workers', 2);
/** Seconds between checkpoints of each partition's detector state (the worker's default is 5). */
const CHECKPOINT_S = arg('checkpoint-interval', 5);
/** Give up (and clean up) when the workers have not drained the stream after this many seconds. */
const TIMEOUT_S = arg('timeout', 900);
const NATS = process.env['SURVEILLANCE_TEST_NATS'] ?? 'nats://127.0.0.1:4222';
const PG = process.env['SURVEILLANCE_TEST_PG'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const BIN = fileURLToPath(new URL('../../bin/surveillance.js', import.meta.url));

async function* synthetic(): EventSource {
  let seed = 42;
  const rnd = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const t0 = Date.parse('2026-03-02T14:30:00Z');
  const prices = Array.from({ length: SYMBOLS }, (_, i) => 20 + i);
  for (let i = 0; i < EVENTS; i += 10_000) {
    const events: MarketEvent[] = [];
    for (let k = i; k < Math.min(EVENTS, i + 10_000); k++) {
      const s = k % SYMBOLS;
      prices[s] = prices[s]! * (1 + (rnd() - 0.5) * 0.002);
      events.push({
        type: 'trade',
        tsMs: t0 + Math.floor(k / 10),
        symbol: `S${s}`,
        price: Math.round(prices[s] * 100) / 100,
        qty: 1 + Math.floor(rnd() * 100),
        buyer: `A${s}_${Math.floor(rnd() * 10)}`,
        seller: `A${s}_${Math.floor(rnd() * 10)}`,
        tradeId: `T${k}`,
      });
    }
    yield { file: 'synthetic', events, lines: [] };
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const schema = `bench_${process.pid}`;
const stream = `BENCH${process.pid}`;
const admin = new pg.Client({ connectionString: PG });
await admin.connect();
await admin.query(`CREATE SCHEMA ${schema}`);
const bus = await openBus(NATS, stream);
const workers: ChildProcess[] = [];
// Streams of earlier runs that were killed (their process is gone) hold their events and
// checkpoints on the server's disk: gigabytes after a few large runs. Deleted first.
const leftovers = new Set<number>();
for await (const name of bus.jsm.streams.names()) {
  const pid = Number(/^(?:KV_|OBJ_)?BENCH(\d+)(?:_meta|_leases|_state)?$/.exec(name)?.[1] ?? 0);
  if (pid > 0 && pid !== process.pid && !alive(pid)) leftovers.add(pid);
}
for (const pid of leftovers) {
  const old = await openBus(NATS, `BENCH${pid}`);
  await destroyStream(old);
  await old.close();
  console.error(`deleted stream BENCH${pid} (and its buckets) left by a killed run`);
}
let cleaning: Promise<void> | null = null;
const cleanup = (): Promise<void> =>
  (cleaning ??= (async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await destroyStream(bus);
    await bus.close();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  })());
// Stopped by a signal (a timeout in bench/run.ts, Ctrl-C): clean up too.
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => void cleanup().finally(() => process.exit(1)));
try {
  const pub = await publish({ url: NATS, stream, partitions: 16, batchEvents: 2000, sources: [synthetic()] });
  const db = `${PG}?options=-c%20search_path%3D${schema}`;
  // Drained = every partition's durable consumer has acknowledged the partition's last message
  // (alerts committed first). Workers are then stopped; the time is the drain time.
  const lastSeq = new Map<number, number>();
  for (let p = 0; p < 16; p++) {
    const m = await bus.jsm.streams.getMessage(stream, { last_by_subj: subjectFor(stream, p) });
    if (m) lastSeq.set(p, m.seq);
  }
  const started = Date.now();
  const outputs: string[] = [];
  for (let i = 0; i < WORKERS; i++) {
    const args = ['--db', db, 'start', '--source', NATS, '--stream', stream, '--worker-id', `b${i}`];
    const p = spawn(process.execPath, [BIN, ...args, '--checkpoint-interval', String(CHECKPOINT_S)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    outputs[i] = '';
    p.stdout.on('data', (d: Buffer) => (outputs[i] += d.toString()));
    workers.push(p);
  }
  for (;;) {
    let drained = true;
    for (const [p, seq] of lastSeq) {
      const info = await bus.jsm.consumers.info(stream, `${stream}_p${p}`).catch(() => null);
      if (!info || info.ack_floor.stream_seq < seq) drained = false;
    }
    if (drained) break;
    if (workers.some((w) => w.exitCode !== null)) throw new Error(`a worker exited early:\n${outputs.join('\n')}`);
    if (Date.now() - started > TIMEOUT_S * 1000) throw new Error(`not drained after ${TIMEOUT_S} s`);
    await sleep(200);
  }
  const consumeS = (Date.now() - started) / 1000;
  await Promise.all(workers.map((w) => new Promise((r) => (w.once('exit', r), w.kill('SIGTERM')))));
  const processed = outputs.reduce((n, o) => n + Number((/stopped: ([\d,]+) events/.exec(o)?.[1] ?? '0').replace(/,/g, '')), 0);
  const stored = new Set((await admin.query<{ alert_id: string }>(`SELECT alert_id FROM ${schema}.alerts`)).rows.map((r) => r.alert_id));
  // Checkpoints the workers left: one object per partition (detector state after its last message).
  let cpBytes = 0;
  let cpStateBytes = 0;
  let cpCount = 0;
  for (let p = 0; p < 16; p++) {
    const info = await bus.state.info(`partition-${p}`);
    if (info && !info.deleted) {
      cpBytes += info.size;
      cpStateBytes += Number(info.metadata?.['stateBytes'] ?? 0);
      cpCount++;
    }
  }
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, node ${process.version}`);
  console.log(`data: ${EVENTS} synthetic trades, ${SYMBOLS} symbols; stream of 16 partitions, 2000 events/message`);
  console.log(
    `publish: ${pub.events} events in ${pub.seconds.toFixed(2)} s = ${Math.round(pub.events / pub.seconds)} events/s (${pub.messages} messages)`,
  );
  console.log(
    `consume: ${WORKERS} workers → PostgreSQL: ${consumeS.toFixed(2)} s = ${Math.round(EVENTS / consumeS)} events/s end to end (drained), ${stored.size} alerts stored; workers processed ${processed} events (more than published = redelivered after a handover)`,
  );
  console.log(
    `checkpoints: ${cpCount} partitions, ${(cpBytes / 1e6).toFixed(1)} MB stored in all for ${(cpStateBytes / 1e6).toFixed(1)} MB of detector state (brotli)`,
  );
  for (const o of outputs) console.log(o.trim().split('\n').at(-1));

  // NATS and PostgreSQL are done with: cleaned up now, not after minutes of a busy event loop.
  await cleanup();

  // The reference: one engine over the same events, as `replay` does (after the workers: no CPU contention).
  const expected = new MemorySink();
  const engine = new Engine(DETECTORS, loadConfig().config, expected);
  for await (const chunk of synthetic()) await engine.process(chunk.events);
  await engine.end();
  const missing = [...expected.alerts.keys()].filter((id) => !stored.has(id)).length;
  const extra = [...stored].filter((id) => !expected.alerts.has(id)).length;
  console.log(`check: single engine raised ${expected.alerts.size} alerts; missing from the workers' ${missing}, extra ${extra}`);
  if (missing > 0 || extra > 0) process.exitCode = 1;
} finally {
  // Failed runs must not leave streams behind (each holds the run's events and checkpoints).
  await cleanup();
}
