import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../config/config.js';
import type { Alert } from '../domain/alert.js';
import type { DetectorFactory } from '../detect/detector.js';
import type { AlertStore } from '../store/alert-store.js';
import type { Consumer, JsMsg } from '@nats-io/jetstream';
import { readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { EngineThread, Withdrawn } from './engine-thread.js';
import { liveWorkers, openBus, partitionsOf, replayConsumer, takeOverPartitionConsumer, type Bus } from './nats.js';

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
  /**
   * How often (wall time) each owned partition's detector state is checkpointed; default 5 s. Spaced
   * further when checkpoints are expensive: all of a worker's together take at most ~10% of its time.
   */
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
  /** Checkpoints written; the last one's size as stored (compressed) and of the state it holds. */
  checkpoints: number;
  checkpointBytes: number;
  checkpointStateBytes: number;
  /** Slowest checkpoint, snapshot to stored (processing carries on while it is compressed and written). */
  checkpointMaxMs: number;
  /** Slowest lease refresh round trip, and leases lost (not refreshed within the TTL). */
  leaseRefreshMaxMs: number;
  leasesLost: number;
}

/**
 * One worker: claims partitions through leases in NATS KV (fair share of the live workers), and for
 * each owned partition consumes its durable consumer in order: detect → commit alerts → ack. A
 * partition whose owner died is claimed by another worker within the lease TTL; the new owner
 * restores the detector state of the partition's last checkpoint, re-reads (alerts muted) only
 * what was acknowledged after it, then carries on from the durable consumer's ack floor. Alert ids
 * are deterministic, so anything redelivered updates the same alerts.
 *
 * Detection runs in a thread of its own (EngineThread): this thread only moves bytes — leases,
 * pulls, commits, acks, checkpoint writes — so a lease is refreshed on time however large the state.
 */
export async function runWorker(options: WorkerOptions): Promise<WorkerStats> {
  const leaseTtlMs = options.leaseTtlMs ?? 5000;
  const thread = await EngineThread.start(options.detectors, options.config);
  const bus = await openBus(options.url, options.stream, { leaseTtlMs }).catch(async (err: unknown) => {
    await thread.terminate();
    throw err;
  });
  const stats: WorkerStats = {
    events: 0,
    messages: 0,
    alerts: 0,
    owned: [],
    restored: 0,
    reread: 0,
    checkpoints: 0,
    checkpointBytes: 0,
    checkpointStateBytes: 0,
    checkpointMaxMs: 0,
    leaseRefreshMaxMs: 0,
    leasesLost: 0,
  };
  const owned = new Map<number, Handle>();
  const context: PartitionContext = {
    bus,
    thread,
    options,
    stats,
    checkpointIntervalMs: options.checkpointIntervalMs ?? 5000,
    busy: 0,
    lastMs: Date.now(),
    checkpointCostMs: new Map(),
  };
  const log = (s: string): boolean => process.stderr.write(`worker ${options.workerId}: ${s}\n`);
  let partitions = 0;
  // Leases are refreshed on a timer of their own, not as a step of the rebalancing round below,
  // which waits on several requests in a row: nothing but a refresh stands between a live worker
  // and the TTL.
  const refreshEveryMs = Math.max(200, leaseTtlMs / 5);
  let refreshing = Promise.resolve();
  let refreshBusy = false; // a slow refresh is not overlapped by the next
  const refresher = setInterval(() => {
    if (refreshBusy) return;
    refreshBusy = true;
    refreshing = refreshLeases().finally(() => (refreshBusy = false));
  }, refreshEveryMs);
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
      if (thread.failed) throw thread.failed;
      try {
        await rebalance();
      } catch (err) {
        // A slow or briefly unreachable NATS must not kill the worker: try again next round.
        log(`lease round failed (will retry): ${(err as Error).message}`);
      }
      stats.owned = [...owned.keys()].sort((a, b) => a - b);
      options.onStats?.(stats);
      if (options.idleExitMs && context.busy === 0 && Date.now() - context.lastMs > options.idleExitMs) break;
      try {
        await sleep(refreshEveryMs, undefined, { signal: options.signal });
      } catch {
        break;
      }
    }
  } finally {
    for (const h of owned.values()) h.stop.abort('shutdown');
    await Promise.all([...owned.values()].map((h) => h.done));
    clearInterval(refresher);
    await refreshing;
    for (const [p, h] of owned) if (!h.lost) await bus.leases.delete(`lease.${p}`).catch(() => undefined);
    await bus.leases.delete(`worker.${options.workerId}`).catch(() => undefined);
    await bus.close();
    await thread.terminate();
  }
  return stats;

  /**
   * Heartbeat and lease refreshes, all at once (one round trip however many partitions). A refresh
   * is a compare-and-set: failing means the lease expired and may be another worker's now, so the
   * partition stops (its state is the new owner's to rebuild) and its lease is left alone.
   */
  async function refreshLeases(): Promise<void> {
    const t0 = Date.now();
    try {
      await Promise.all([
        bus.leases.put(`worker.${options.workerId}`, String(Date.now())),
        ...[...owned].map(async ([p, h]) => {
          if (h.lost || h.settled) return;
          try {
            h.revision = await bus.leases.update(`lease.${p}`, options.workerId, h.revision);
          } catch (err) {
            if (h.settled) return; // freed meanwhile by the rebalancing round
            log(`partition ${p}: lease lost (${(err as Error).message}), stopping`);
            stats.leasesLost++;
            h.lost = true;
            h.stop.abort('handover');
          }
        }),
      ]);
    } catch (err) {
      log(`heartbeat failed (will retry): ${(err as Error).message}`);
    }
    const ms = Date.now() - t0;
    stats.leaseRefreshMaxMs = Math.max(stats.leaseRefreshMaxMs, ms);
    // Leases outlive a refresh by the TTL only: a slow one is the first sign of trouble.
    if (ms > leaseTtlMs / 2) log(`lease refresh took ${ms} ms (lease TTL ${leaseTtlMs} ms): NATS overloaded?`);
  }

  /** One round: drop finished partitions, give back extras, claim free partitions up to the fair share. */
  async function rebalance(): Promise<void> {
    // At least this worker: its first heartbeat may not have landed yet.
    const live = Math.max(1, await liveWorkers(bus));
    const fair = Math.ceil(partitions / live);

    // A partition that stopped (failed, handed over, lease lost) leaves; its lease is freed unless lost.
    for (const [p, h] of owned) {
      if (!h.settled) continue;
      owned.delete(p);
      if (!h.lost) await bus.leases.delete(`lease.${p}`).catch(() => undefined);
    }
    // Give back extras so a newly joined worker gets its share. A partition being handed over keeps
    // its lease until its last batch and checkpoint are done (`settled`).
    const active = (): number[] => [...owned].filter(([, h]) => !h.stop.signal.aborted).map(([p]) => p);
    for (let mine = active(); mine.length > fair; mine = active()) {
      const p = Math.max(...mine);
      log(`partition ${p}: given back (${live} live workers, fair share ${fair})`);
      owned.get(p)!.stop.abort('handover');
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
      const handle: Handle = { revision, stop: new AbortController(), done: Promise.resolve(), lost: false, settled: false };
      context.busy++;
      handle.done = consumePartition(context, p, handle.stop.signal)
        .catch((err: unknown) => {
          log(`partition ${p} failed (will retry): ${(err as Error).message}`);
        })
        .finally(() => {
          context.busy--;
          context.lastMs = Date.now();
          context.checkpointCostMs.delete(p);
          handle.settled = true;
        });
      owned.set(p, handle);
    }
  }
}

/** A partition this worker holds (or held) the lease of. */
interface Handle {
  revision: number;
  /** Aborted to stop the partition: 'handover' (given back, lease lost) or 'shutdown' (end of input). */
  readonly stop: AbortController;
  done: Promise<void>;
  /** The lease expired: it may be another worker's now, so it is neither refreshed nor deleted. */
  lost: boolean;
  /** Its processing is over (stopped or failed): the lease can go. */
  settled: boolean;
}

/** What every partition of a worker shares. */
interface PartitionContext {
  readonly bus: Bus;
  readonly thread: EngineThread;
  readonly options: WorkerOptions;
  readonly stats: WorkerStats;
  readonly checkpointIntervalMs: number;
  /** Partitions in the middle of work, and when work last happened: idle exit needs both quiet. */
  busy: number;
  lastMs: number;
  /** CPU-bound milliseconds (snapshot + compression) of each partition's last checkpoint. */
  readonly checkpointCostMs: Map<number, number>;
}

/**
 * One owned partition: restore, re-read to the ack floor, then detect → commit → ack until stopped.
 * The caller counts it as busy in `context`.
 */
async function consumePartition(context: PartitionContext, partition: number, stop: AbortSignal): Promise<void> {
  const { bus, thread, options, stats } = context;
  const log = (s: string): boolean => process.stderr.write(`worker ${options.workerId}: partition ${partition}: ${s}\n`);
  const commit = async (alerts: readonly Alert[]): Promise<void> => {
    if (alerts.length === 0) return;
    await options.store.upsertAlerts(alerts);
    stats.alerts += alerts.length;
  };
  /** Detection on one message; null when the partition stopped before the thread took it. */
  const detect = (m: JsMsg): Promise<{ events: number; alerts: Alert[] } | null> =>
    thread.process(partition, m.data, stop).catch((err: unknown) => {
      if (err instanceof Withdrawn) return null;
      throw err;
    });
  const { name: durable, ackFloor } = await takeOverPartitionConsumer(bus, partition);

  // Restore the last checkpoint; without a usable one, state is rebuilt from the stream's start.
  let processedSeq = 0;
  const t0 = Date.now();
  const cp = await readCheckpoint(bus, partition).catch((err: unknown) => {
    log(`checkpoint unreadable, rebuilding from the stream start: ${(err as Error).message}`);
    return null;
  });
  if (cp && cp.meta.fingerprint !== thread.fingerprint) {
    log(
      `checkpoint was made with other detectors or configuration (${cp.meta.fingerprint}, now ${thread.fingerprint}): rebuilding from the stream start`,
    );
  } else if (cp) {
    try {
      const stateBytes = cp.state.byteLength; // the bytes move to the detection thread
      await thread.open(partition, cp.state);
      processedSeq = cp.meta.seq;
      stats.restored++;
      log(
        `restored from checkpoint at stream sequence ${cp.meta.seq} (${stateBytes} bytes of state, event time ${new Date(cp.meta.eventTimeMs).toISOString()}) in ${Date.now() - t0} ms`,
      );
    } catch (err) {
      log(`checkpoint cannot be restored, rebuilding from the stream start: ${(err as Error).message}`);
    }
  }
  if (processedSeq === 0) await thread.open(partition);
  try {
    /** False when stopped before the state was rebuilt: such a state must not end the input. */
    let rebuilt = true;
    // Re-read (checkpoint, ack floor] with alerts muted: they were committed before those messages
    // were acknowledged. A previous owner may have acked more after its last checkpoint.
    if (ackFloor > processedSeq) {
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
          if (!(await detect(m))) break;
          stats.reread++;
          processedSeq = m.seq;
        }
        if (batch.length === 0) drained = (await c.info()).num_pending === 0;
      }
      rebuilt = processedSeq >= ackFloor || passed || drained;
      await bus.jsm.consumers.delete(bus.stream, name).catch(() => undefined);
    }

    const checkpoints = new PartitionCheckpoints(context, partition, cp && processedSeq === cp.meta.seq ? processedSeq : 0, log);
    let lastAck = processedSeq;
    const consumer = await bus.js.consumers.get(bus.stream, durable);
    while (!stop.aborted && !options.signal.aborted) {
      context.busy--; // waiting for messages is the only idle state
      const batch = await pull(consumer, 16).finally(() => context.busy++);
      if (batch.length > 0) context.lastMs = Date.now();
      for (const m of batch) {
        if (m.seq <= processedSeq) {
          // Already folded into state (checkpoint or re-read): acknowledged again, not processed.
          m.ack();
          continue;
        }
        const r = await detect(m);
        if (!r) break; // stopped: the message stays unacknowledged for the next owner
        await commit(r.alerts);
        await m.ackAck();
        lastAck = m.seq;
        stats.events += r.events;
        stats.messages++;
        context.lastMs = Date.now();
        if (stop.aborted) break;
        // At a message boundary: the state covers exactly `lastAck`, committed and acknowledged.
        if (checkpoints.due()) await checkpoints.take(lastAck);
      }
      if (batch.length === 0 && checkpoints.due()) await checkpoints.take(lastAck);
    }
    // The checkpoint is taken before any end-of-input handling: it is the state of a stream that goes on.
    await checkpoints.take(lastAck, { wait: true });
    // A worker shutting down (not handing the partition over) ends the input: open episodes are closed.
    if (rebuilt && (stop.reason === 'shutdown' || options.signal.aborted)) await commit(await thread.end(partition));
  } finally {
    await thread.close(partition).catch(() => undefined);
  }
}

/**
 * A partition's checkpoints. The snapshot is taken at a message boundary (in the detection thread,
 * so it pauses only detection), then compressed and written while processing carries on; it counts
 * — and the next one may start — only once the write succeeded. One write at a time per partition.
 */
class PartitionCheckpoints {
  private writing: Promise<void> | null = null;
  /** When the last write ended (spacing is measured from there: a slow store slows checkpoints, not processing). */
  private lastEndMs = Date.now();
  private failures = 0;

  constructor(
    private readonly context: PartitionContext,
    private readonly partition: number,
    /** The stream sequence the stored checkpoint covers. */
    private covered: number,
    private readonly log: (s: string) => void,
  ) {}

  /**
   * Whether the next checkpoint is due: the interval has passed, and so has 10× the CPU time the
   * worker's partitions spent on their last checkpoints together — so checkpoints take at most
   * ~10% of the detection thread however many partitions share it and however large their state.
   */
  due(): boolean {
    if (this.writing) return false;
    let cost = 0;
    for (const ms of this.context.checkpointCostMs.values()) cost += ms;
    return Date.now() - this.lastEndMs >= Math.max(this.context.checkpointIntervalMs, 10 * cost);
  }

  /** Checkpoints the state after message `seq` (if newer than the stored one); `wait`: until stored. */
  async take(seq: number, { wait = false } = {}): Promise<void> {
    if (wait) await this.writing;
    if (!this.writing && seq > this.covered) {
      const { bus, thread, stats } = this.context;
      const t0 = performance.now();
      const snap = await thread.snapshot(this.partition);
      const snapshotMs = performance.now() - t0;
      const meta = { seq, fingerprint: thread.fingerprint, eventTimeMs: snap.eventTimeMs };
      this.writing = writeCheckpoint(bus, this.partition, meta, snap.bytes)
        .then(
          (w) => {
            this.covered = seq;
            this.failures = 0;
            this.context.checkpointCostMs.set(this.partition, snapshotMs + w.compressMs);
            stats.checkpoints++;
            stats.checkpointBytes = w.storedBytes;
            stats.checkpointStateBytes = snap.bytes.byteLength;
            stats.checkpointMaxMs = Math.max(stats.checkpointMaxMs, Math.round(performance.now() - t0));
          },
          (err: unknown) => {
            // Not fatal: the stored checkpoint stays valid, a later owner just re-reads more. Said
            // on the 1st, 2nd, 4th, 8th… failure in a row, not every interval.
            if ((++this.failures & (this.failures - 1)) === 0) {
              this.log(
                `checkpoint at stream sequence ${seq} not stored (${this.failures} in a row, will retry): ${(err as Error).message}`,
              );
            }
          },
        )
        .finally(() => {
          this.writing = null;
          this.lastEndMs = Date.now();
        });
    }
    if (wait) await this.writing;
  }
}

/**
 * One pull of up to `max` messages, taken off the wire before any work (a long detect/commit inside
 * the fetch iterator would miss its idle heartbeats). A missed heartbeat means the event loop was
 * held up (a busy host): nothing is lost, the next pull carries on. Anything else is fatal.
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
