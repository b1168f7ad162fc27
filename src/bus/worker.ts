import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../config/config.js';
import type { Alert } from '../domain/alert.js';
import type { DetectorFactory } from '../detect/detector.js';
import { Engine, type AlertSink } from '../engine/engine.js';
import type { AlertStore } from '../store/alert-store.js';
import type { JsMsg } from '@nats-io/jetstream';
import { decodeEvents } from './codec.js';
import { takeOverPartitionConsumer, openBus, partitionsOf, replayConsumer, type Bus } from './nats.js';

export interface WorkerOptions {
  readonly url: string;
  readonly stream: string;
  readonly workerId: string;
  readonly store: AlertStore;
  readonly config: Config;
  readonly detectors: readonly DetectorFactory[];
  readonly signal: AbortSignal;
  /** A lease not refreshed for this long is free for another worker. */
  readonly leaseTtlMs?: number;
  /** How much event time before a checkpoint a new owner re-reads to rebuild detector state. */
  readonly warmupMs?: number;
  /** Stop when every partition is drained and stays empty this long (tests, batch jobs); 0 = never. */
  readonly idleExitMs?: number;
  readonly onStats?: (s: WorkerStats) => void;
}

export interface WorkerStats {
  events: number;
  messages: number;
  alerts: number;
  owned: number[];
}

/** What a checkpoint records: the last committed stream sequence and where a warm-up must start. */
interface Checkpoint {
  ackSeq: number;
  warmSeq: number;
  eventTimeMs: number;
}

/** Collects a message's alerts so they are committed before the message is acknowledged. */
class CommitSink implements AlertSink {
  pending: Alert[] = [];
  muted = false;
  write(alerts: readonly Alert[]): void {
    if (!this.muted) this.pending.push(...alerts);
  }
}

/**
 * Default warm-up horizon: the longest state any detector keeps, by its configured windows
 * (price volatility history: 100 price windows; concentration and dump windows; volume baseline).
 */
export function warmupHorizonMs(config: Config): number {
  const t = config.thresholds;
  return Math.max(
    t.price_window_ms * 100,
    t.volume_bucket_ms * (t.volume_baseline_buckets + 2),
    t.concentration_window_ms,
    t.dump_window_ms + t.pump_window_ms,
    t.wash_window_ms,
    t.spoofing_window_ms,
  );
}

/**
 * One worker: claims partitions through leases in NATS KV (fair share of the live workers), and for
 * each owned partition consumes its durable consumer in order: detect → commit alerts → ack. A
 * partition whose owner died is claimed by another worker within the lease TTL; the new owner
 * rebuilds detector state by re-reading from the checkpoint's warm-up sequence with alerts muted,
 * then carries on from the durable consumer's ack floor. Alert ids are deterministic, so anything
 * redelivered updates the same alerts.
 */
export async function runWorker(options: WorkerOptions): Promise<WorkerStats> {
  const leaseTtlMs = options.leaseTtlMs ?? 5000;
  const bus = await openBus(options.url, options.stream, { leaseTtlMs });
  const stats: WorkerStats = { events: 0, messages: 0, alerts: 0, owned: [] };
  const owned = new Map<number, { revision: number; stop: AbortController; done: Promise<void>; failed: boolean }>();
  const warmupMs = options.warmupMs ?? warmupHorizonMs(options.config);
  let lastProgress = Date.now();
  let partitions = 0;
  try {
    // Workers may start before the first publish: wait for the stream's partition count.
    while (!options.signal.aborted && partitions === 0) {
      try {
        partitions = await partitionsOf(bus);
      } catch {
        await sleep(500, undefined, { signal: options.signal }).catch(() => undefined);
      }
    }
    while (!options.signal.aborted) {
      try {
        await manageLeases();
      } catch (err) {
        // A slow or briefly unreachable NATS must not kill the worker: try again next round.
        process.stderr.write(`worker ${options.workerId}: lease round failed (will retry): ${(err as Error).message}\n`);
      }
      stats.owned = [...owned.keys()].sort((a, b) => a - b);
      options.onStats?.(stats);
      if (options.idleExitMs && Date.now() - lastProgress > options.idleExitMs) break;
      try {
        await sleep(Math.max(200, leaseTtlMs / 5), undefined, { signal: options.signal });
      } catch {
        break;
      }
    }
  } finally {
    for (const h of owned.values()) h.stop.abort('shutdown');
    await Promise.all([...owned.values()].map((h) => h.done));
    for (const p of owned.keys()) await bus.leases.delete(`lease.${p}`).catch(() => undefined);
    await bus.leases.delete(`worker.${options.workerId}`).catch(() => undefined);
    await bus.close();
  }
  return stats;

  /** One round: heartbeat, drop failed partitions, refresh leases, rebalance, claim free partitions. */
  async function manageLeases(): Promise<void> {
    await bus.leases.put(`worker.${options.workerId}`, String(Date.now()));
    const live: string[] = [];
    for await (const k of await bus.leases.keys('worker.*')) live.push(k);
    const fair = Math.ceil(partitions / Math.max(1, live.length));

    // A partition whose processing failed is given back (its lease freed) and claimed afresh.
    for (const [p, h] of owned) {
      if (!h.failed) continue;
      owned.delete(p);
      await bus.leases.delete(`lease.${p}`).catch(() => undefined);
    }
    // Keep what we hold (refresh by compare-and-set); a failed refresh means we lost it.
    for (const [p, h] of owned) {
      try {
        h.revision = await bus.leases.update(`lease.${p}`, options.workerId, h.revision);
      } catch {
        h.stop.abort('handover');
        owned.delete(p);
      }
    }
    // Give back extras so a newly joined worker gets its share.
    while (owned.size > fair) {
      const p = Math.max(...owned.keys());
      const h = owned.get(p)!;
      h.stop.abort('handover');
      await h.done;
      owned.delete(p);
      await bus.leases.delete(`lease.${p}`).catch(() => undefined);
    }
    // Claim free partitions up to the fair share.
    for (let p = 0; p < partitions && owned.size < fair; p++) {
      if (owned.has(p)) continue;
      let revision: number;
      try {
        revision = await bus.leases.create(`lease.${p}`, options.workerId);
      } catch {
        continue; // held by a live worker
      }
      const stop = new AbortController();
      const handle = { revision, stop, done: Promise.resolve(), failed: false };
      handle.done = runPartition(bus, p, options, stop.signal, stats, warmupMs, () => (lastProgress = Date.now())).catch((err: unknown) => {
        process.stderr.write(`worker ${options.workerId}: partition ${p} failed (will retry): ${(err as Error).message}\n`);
        handle.failed = true;
      });
      owned.set(p, handle);
    }
  }
}

async function runPartition(
  bus: Bus,
  partition: number,
  options: WorkerOptions,
  stop: AbortSignal,
  stats: WorkerStats,
  warmupMs: number,
  progressed: () => void,
): Promise<void> {
  const sink = new CommitSink();
  const engine = new Engine(options.detectors, options.config, sink);
  const { name: durable, ackFloor } = await takeOverPartitionConsumer(bus, partition);
  const cpKey = `checkpoint.${partition}`;
  const cpEntry = await bus.meta.get(cpKey);
  const cp = cpEntry && cpEntry.value.length > 0 ? cpEntry.json<Checkpoint>() : null;

  // Rebuild state: re-read [warm-up start, ack floor] with alerts muted (they were committed before
  // those messages were acked). The ack floor, not the checkpoint, bounds it: a previous owner may
  // have acked more after its last checkpoint.
  let processedSeq = 0;
  if (ackFloor > 0) {
    sink.muted = true;
    const name = await replayConsumer(bus, partition, cp ? Math.min(cp.warmSeq, ackFloor) : 1);
    const c = await bus.js.consumers.get(bus.stream, name);
    let done = false;
    while (!done && !stop.aborted) {
      const batch: JsMsg[] = [];
      for await (const m of await c.fetch({ max_messages: 64, expires: 1000 })) batch.push(m);
      let got = 0;
      for (const m of batch) {
        got++;
        if (m.seq > ackFloor) {
          done = true;
          break;
        }
        await engine.process(decodeEvents(m.data));
        processedSeq = m.seq;
        if (m.seq === ackFloor) done = true;
      }
      if (got === 0) done = true;
    }
    await bus.jsm.consumers.delete(bus.stream, name).catch(() => undefined);
    sink.muted = false;
    sink.pending = [];
  }

  // Sequence → event time of recent messages, to place the next checkpoint's warm-up start.
  const marks: { seq: number; tsMs: number }[] = cp ? [{ seq: cp.warmSeq, tsMs: cp.eventTimeMs - warmupMs }] : [];
  let lastCheckpoint = Date.now();
  let lastAck = processedSeq;
  const consumer = await bus.js.consumers.get(bus.stream, durable);
  while (!stop.aborted && !options.signal.aborted) {
    // Take the batch off the wire first, then work: a long detect/commit inside the fetch iterator
    // would miss its idle heartbeats.
    const batch: JsMsg[] = [];
    for await (const m of await consumer.fetch({ max_messages: 16, expires: 1000 })) batch.push(m);
    for (const m of batch) {
      if (m.seq <= processedSeq) {
        // Already folded into state during warm-up (acked by the previous owner just before dying).
        m.ack();
        continue;
      }
      const events = decodeEvents(m.data);
      await engine.process(events);
      if (sink.pending.length > 0) {
        await options.store.upsertAlerts(sink.pending);
        stats.alerts += sink.pending.length;
        sink.pending = [];
      }
      await m.ackAck();
      lastAck = m.seq;
      stats.events += events.length;
      stats.messages++;
      const last = events[events.length - 1];
      if (last) marks.push({ seq: m.seq, tsMs: last.tsMs });
      progressed();
      if (stop.aborted) break;
    }
    if (lastAck > 0 && Date.now() - lastCheckpoint > 1000) {
      await writeCheckpoint(bus, cpKey, marks, lastAck, engine.now, warmupMs);
      lastCheckpoint = Date.now();
    }
  }
  // A worker shutting down (not handing the partition over) ends the input: open episodes are closed.
  if (stop.reason === 'shutdown' || options.signal.aborted) {
    await engine.end();
    if (sink.pending.length > 0) {
      await options.store.upsertAlerts(sink.pending);
      stats.alerts += sink.pending.length;
      sink.pending = [];
    }
  }
  if (lastAck > 0) await writeCheckpoint(bus, cpKey, marks, lastAck, engine.now, warmupMs);
}

async function writeCheckpoint(
  bus: Bus,
  key: string,
  marks: { seq: number; tsMs: number }[],
  ackSeq: number,
  nowMs: number,
  warmupMs: number,
): Promise<void> {
  // The warm-up starts at the newest message older than the horizon; older marks are dropped.
  const horizon = nowMs - warmupMs;
  let start = 0;
  while (start + 1 < marks.length && marks[start + 1]!.tsMs < horizon) start++;
  if (start > 0) marks.splice(0, start);
  const warmSeq = marks.length > 0 ? marks[0]!.seq : ackSeq;
  const cp: Checkpoint = { ackSeq, warmSeq: Math.min(warmSeq, ackSeq), eventTimeMs: nowMs };
  await bus.meta.put(key, JSON.stringify(cp));
}
