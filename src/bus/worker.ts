import { setTimeout as sleep } from 'node:timers/promises';
import { deserialize, serialize } from 'node:v8';
import type { Config } from '../config/config.js';
import type { Alert } from '../domain/alert.js';
import type { DetectorFactory } from '../detect/detector.js';
import { Engine, type AlertSink } from '../engine/engine.js';
import type { AlertStore } from '../store/alert-store.js';
import type { Consumer, JsMsg } from '@nats-io/jetstream';
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
  /** How often (wall time) each owned partition's detector state is checkpointed; default 5 s. */
  readonly checkpointIntervalMs?: number;
  /** Stop when every partition is drained and stays empty this long (tests, batch jobs); 0 = never. */
  readonly idleExitMs?: number;
  readonly onStats?: (s: WorkerStats) => void;
}

export interface WorkerStats {
  events: number;
  messages: number;
  alerts: number;
  owned: number[];
  /** Partitions whose detector state came from a checkpoint when this worker claimed them. */
  restored: number;
  /** Messages read again to rebuild state between a checkpoint (or the stream start) and the ack floor. */
  reread: number;
  /** Checkpoints written, and the size of the last one. */
  checkpoints: number;
  checkpointBytes: number;
}

/**
 * A partition's checkpoint: the engine's whole state after every message up to `seq` (its alerts
 * committed, the message acknowledged). Valid only for an engine with the same fingerprint
 * (detectors, their versions, configuration).
 */
interface Checkpoint {
  readonly format: 1;
  readonly seq: number;
  readonly fingerprint: string;
  /** Event time the state had reached (for operators reading the object's age). */
  readonly eventTimeMs: number;
  readonly engine: Uint8Array;
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
 * One worker: claims partitions through leases in NATS KV (fair share of the live workers), and for
 * each owned partition consumes its durable consumer in order: detect → commit alerts → ack. A
 * partition whose owner died is claimed by another worker within the lease TTL; the new owner
 * restores the detector state of the partition's last checkpoint, re-reads (alerts muted) only
 * what was acknowledged after it, then carries on from the durable consumer's ack floor. Alert ids
 * are deterministic, so anything redelivered updates the same alerts.
 */
export async function runWorker(options: WorkerOptions): Promise<WorkerStats> {
  const leaseTtlMs = options.leaseTtlMs ?? 5000;
  const bus = await openBus(options.url, options.stream, { leaseTtlMs });
  const stats: WorkerStats = { events: 0, messages: 0, alerts: 0, owned: [], restored: 0, reread: 0, checkpoints: 0, checkpointBytes: 0 };
  const owned = new Map<number, Handle>();
  const checkpointIntervalMs = options.checkpointIntervalMs ?? 5000;
  /** Partitions in the middle of work, and when work last happened: idle exit needs both quiet. */
  const activity: Activity = { busy: 0, lastMs: Date.now(), turns: new Turns() };
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
        const roundStart = Date.now();
        await manageLeases();
        const roundMs = Date.now() - roundStart;
        // Leases outlive a round by the TTL only: a slow round is the first sign of an overloaded worker.
        if (roundMs > leaseTtlMs / 2) {
          process.stderr.write(`worker ${options.workerId}: lease round took ${roundMs} ms (lease TTL ${leaseTtlMs} ms): overloaded?\n`);
        }
      } catch (err) {
        // A slow or briefly unreachable NATS must not kill the worker: try again next round.
        process.stderr.write(`worker ${options.workerId}: lease round failed (will retry): ${(err as Error).message}\n`);
      }
      stats.owned = [...owned.keys()].sort((a, b) => a - b);
      options.onStats?.(stats);
      if (options.idleExitMs && activity.busy === 0 && Date.now() - activity.lastMs > options.idleExitMs) break;
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
    // Refresh what we hold first, all at once (compare-and-set; a failed refresh means we lost it):
    // one round trip however many partitions, so a busy event loop (a long batch, a checkpoint
    // restore) does not stretch the round past the lease TTL and give partitions away. Partitions
    // being handed over keep their lease until their last batch and checkpoint are done.
    await Promise.all(
      [...owned].map(async ([p, h]) => {
        if (h.failed) return;
        try {
          h.revision = await bus.leases.update(`lease.${p}`, options.workerId, h.revision);
        } catch (err) {
          process.stderr.write(`worker ${options.workerId}: partition ${p}: lease lost (${(err as Error).message}), handing over\n`);
          h.stop.abort('handover');
          owned.delete(p);
        }
      }),
    );
    await bus.leases.put(`worker.${options.workerId}`, String(Date.now()));
    const live = new Set<string>();
    for await (const k of await bus.leases.keys('worker.*')) live.add(k);
    const fair = Math.ceil(partitions / Math.max(1, live.size));

    // A partition whose processing failed, or that finished handing over, frees its lease.
    for (const [p, h] of owned) {
      if (!h.failed && !(h.stopping && h.settled)) continue;
      owned.delete(p);
      await bus.leases.delete(`lease.${p}`).catch(() => undefined);
    }
    // Give back extras so a newly joined worker gets its share (not awaited: see above).
    const active = (): number[] => [...owned].filter(([, h]) => !h.stopping && !h.failed).map(([p]) => p);
    for (let mine = active(); mine.length > fair; mine = active()) {
      const p = Math.max(...mine);
      process.stderr.write(`worker ${options.workerId}: partition ${p}: given back (${live.size} live workers, fair share ${fair})\n`);
      const h = owned.get(p)!;
      h.stopping = true;
      h.stop.abort('handover');
    }
    // Claim free partitions up to the fair share.
    for (let p = 0; p < partitions && active().length < fair; p++) {
      if (owned.has(p)) continue;
      let revision: number;
      try {
        revision = await bus.leases.create(`lease.${p}`, options.workerId);
      } catch {
        continue; // held by a live worker
      }
      const stop = new AbortController();
      const handle: Handle = { revision, stop, done: Promise.resolve(), failed: false, stopping: false, settled: false };
      activity.busy++;
      handle.done = consumePartition(bus, p, options, stop.signal, stats, checkpointIntervalMs, activity)
        .catch((err: unknown) => {
          process.stderr.write(`worker ${options.workerId}: partition ${p} failed (will retry): ${(err as Error).message}\n`);
          handle.failed = true;
        })
        .finally(() => {
          activity.busy--;
          activity.lastMs = Date.now();
          handle.settled = true;
        });
      owned.set(p, handle);
    }
  }
}

/** A partition this worker holds the lease of. */
interface Handle {
  revision: number;
  readonly stop: AbortController;
  done: Promise<void>;
  failed: boolean;
  /** Being handed over: still leased until its last batch and checkpoint are done (`settled`). */
  stopping: boolean;
  settled: boolean;
}

/** What the idle exit watches: a long message or checkpoint is work, not idleness. */
interface Activity {
  busy: number;
  lastMs: number;
  readonly turns: Turns;
}

/**
 * Takes turns at the CPU between a worker's partitions: detection, restores and snapshots run one
 * at a time, each starting from a fresh event-loop turn. Without it, many partitions' batches run
 * back to back while lease refreshes wait behind all of them; past the lease TTL the worker loses
 * its partitions and the workers hand them back and forth.
 */
class Turns {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(work: () => T | Promise<T>): Promise<T> {
    const result = this.tail.then(() => new Promise<void>((r) => setImmediate(r))).then(work);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/**
 * One owned partition: restore, re-read to the ack floor, then detect → commit → ack until stopped.
 * The caller counts it as busy in `activity`.
 */
async function consumePartition(
  bus: Bus,
  partition: number,
  options: WorkerOptions,
  stop: AbortSignal,
  stats: WorkerStats,
  checkpointIntervalMs: number,
  activity: Activity,
): Promise<void> {
  const log = (s: string): boolean => process.stderr.write(`worker ${options.workerId}: partition ${partition}: ${s}\n`);
  const sink = new CommitSink();
  const commit = async (): Promise<void> => {
    if (sink.pending.length === 0) return;
    await options.store.upsertAlerts(sink.pending);
    stats.alerts += sink.pending.length;
    sink.pending = [];
  };
  let engine = new Engine(options.detectors, options.config, sink);
  const { name: durable, ackFloor } = await takeOverPartitionConsumer(bus, partition);

  // Restore the last checkpoint; without a usable one, state is rebuilt from the stream's start.
  let processedSeq = 0;
  const cp = await loadCheckpoint(bus, partition).catch((err: unknown) => {
    log(`checkpoint unreadable, rebuilding from the stream start: ${(err as Error).message}`);
    return null;
  });
  if (cp && cp.fingerprint !== engine.fingerprint) {
    log(
      `checkpoint was made with other detectors or configuration (${cp.fingerprint}, now ${engine.fingerprint}): rebuilding from the stream start`,
    );
  } else if (cp) {
    try {
      await activity.turns.run(() => engine.restore(cp.engine));
      processedSeq = cp.seq;
      stats.restored++;
      log(
        `restored from checkpoint at stream sequence ${cp.seq} (${cp.engine.length} bytes, event time ${new Date(cp.eventTimeMs).toISOString()})`,
      );
    } catch (err) {
      log(`checkpoint cannot be restored, rebuilding from the stream start: ${(err as Error).message}`);
      engine = new Engine(options.detectors, options.config, sink);
    }
  }

  /** False when stopped before the state was rebuilt: such a state must not end the input. */
  let rebuilt = true;
  // Re-read (checkpoint, ack floor] with alerts muted: they were committed before those messages
  // were acknowledged. A previous owner may have acked more after its last checkpoint.
  if (ackFloor > processedSeq) {
    sink.muted = true;
    const name = await replayConsumer(bus, partition, processedSeq + 1);
    const c = await bus.js.consumers.get(bus.stream, name);
    // Until the ack floor is reached: an empty pull ends it only when the consumer has nothing left
    // to deliver (the rest was purged), never on a slow server — a gap here would corrupt the state.
    let passed = false;
    let drained = false;
    while (processedSeq < ackFloor && !passed && !drained && !stop.aborted) {
      const batch = await pull(c, 64);
      for (const m of batch) {
        if (m.seq > ackFloor) {
          passed = true;
          break;
        }
        await activity.turns.run(() => engine.process(decodeEvents(m.data)));
        stats.reread++;
        processedSeq = m.seq;
      }
      if (batch.length === 0) drained = (await c.info()).num_pending === 0;
    }
    rebuilt = processedSeq >= ackFloor || passed || drained;
    await bus.jsm.consumers.delete(bus.stream, name).catch(() => undefined);
    sink.muted = false;
    sink.pending = [];
  }

  let lastCheckpoint = Date.now();
  /** Wall time the last checkpoint took: checkpoints are spaced so they cost at most ~10% of the time. */
  let checkpointCostMs = 0;
  let checkpointedSeq = cp && processedSeq === cp.seq ? cp.seq : 0;
  let lastAck = processedSeq;
  let checkpointFailed = false;
  const checkpoint = async (): Promise<void> => {
    if (lastAck <= checkpointedSeq || checkpointFailed) return;
    try {
      const t0 = Date.now();
      const bytes = await saveCheckpoint(bus, partition, await activity.turns.run(() => engine.snapshot()), engine, lastAck);
      checkpointCostMs = Date.now() - t0;
      checkpointedSeq = lastAck;
      stats.checkpoints++;
      stats.checkpointBytes = bytes;
    } catch (err) {
      // Not fatal: a later owner re-reads more of the stream. Said once, not every interval.
      checkpointFailed = true;
      log(`checkpoints disabled: ${(err as Error).message}`);
    }
  };
  const consumer = await bus.js.consumers.get(bus.stream, durable);
  while (!stop.aborted && !options.signal.aborted) {
    activity.busy--; // waiting for messages is the only idle state
    const batch = await pull(consumer, 16).finally(() => activity.busy++);
    if (batch.length > 0) activity.lastMs = Date.now();
    for (const m of batch) {
      if (m.seq <= processedSeq) {
        // Already folded into state (checkpoint or re-read): acknowledged again, not processed.
        m.ack();
        continue;
      }
      const events = decodeEvents(m.data);
      await activity.turns.run(() => engine.process(events));
      await commit();
      await m.ackAck();
      lastAck = m.seq;
      stats.events += events.length;
      stats.messages++;
      activity.lastMs = Date.now();
      if (stop.aborted) break;
    }
    if (Date.now() - lastCheckpoint >= Math.max(checkpointIntervalMs, 10 * checkpointCostMs)) {
      await checkpoint();
      lastCheckpoint = Date.now();
    }
  }
  // The checkpoint is taken before any end-of-input handling: it is the state of a stream that goes on.
  await checkpoint();
  // A worker shutting down (not handing the partition over) ends the input: open episodes are closed.
  if (rebuilt && (stop.reason === 'shutdown' || options.signal.aborted)) {
    await engine.end();
    await commit();
  }
}

/**
 * One pull of up to `max` messages, taken off the wire before any work (a long detect/commit inside
 * the fetch iterator would miss its idle heartbeats). A missed heartbeat means another partition of
 * this worker kept the event loop busy (a long batch, a checkpoint): nothing is lost, the next pull
 * carries on. Anything else is fatal.
 */
async function pull(consumer: Consumer, max: number): Promise<JsMsg[]> {
  const batch: JsMsg[] = [];
  try {
    for await (const m of await consumer.fetch({ max_messages: max, expires: 1000 })) batch.push(m);
  } catch (err) {
    if (!/heartbeat/i.test((err as Error).message)) throw err;
  }
  return batch;
}

const checkpointName = (partition: number): string => `partition-${partition}`;

/** The stream sequence the partition's checkpoint covers (0 when none), read without fetching it. */
export async function checkpointSeq(bus: Bus, partition: number): Promise<number> {
  const info = await bus.state.info(checkpointName(partition));
  return info && !info.deleted ? Number(info.metadata?.['seq'] ?? 0) : 0;
}

/** The partition's checkpoint (null when none was written yet). */
async function loadCheckpoint(bus: Bus, partition: number): Promise<Checkpoint | null> {
  const blob = await bus.state.getBlob(checkpointName(partition));
  if (!blob || blob.length === 0) return null;
  const cp = deserialize(blob) as Checkpoint;
  if (cp.format !== 1) throw new Error(`unknown checkpoint format ${String(cp.format)}`);
  return cp;
}

/** Writes the engine's state (`state`, its snapshot after message `seq`) as the partition's checkpoint; returns its size. */
async function saveCheckpoint(bus: Bus, partition: number, state: Uint8Array, engine: Engine, seq: number): Promise<number> {
  const cp: Checkpoint = { format: 1, seq, fingerprint: engine.fingerprint, eventTimeMs: engine.now, engine: state };
  const bytes = serialize(cp);
  await bus.state.putBlob(
    { name: checkpointName(partition), description: `detector state after stream sequence ${seq}`, metadata: { seq: String(seq) } },
    bytes,
  );
  return bytes.length;
}
