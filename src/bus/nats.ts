import { connect, type NatsConnection } from '@nats-io/transport-node';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  jetstream,
  jetstreamManager,
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { Objm, setSha256Backend, type ObjectStore } from '@nats-io/obj';
import { UsageError } from '../domain/errors.js';
import { subjectFor } from './codec.js';

// Object store puts and gets hash their content: node:crypto is ~10× faster than the default pure-JS
// hash, which held the event loop ~0.6 s per 20 MB checkpoint.
setSha256Backend('native');

/** Everything the bus code needs of one NATS connection; only src/bus/ imports @nats-io/*. */
export interface Bus {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly stream: string;
  /** Durable facts: the partition count. */
  readonly meta: KV;
  /** Checkpoints: one object per partition, its detector state and the stream sequence it covers. */
  readonly state: ObjectStore;
  /** Leases and worker heartbeats; every key expires `leaseTtlMs` after its last write. */
  readonly leases: KV;
  close(): Promise<void>;
}

/** Parses nats://host:port into a server string for the client. */
export function natsServer(url: string): string {
  const m = /^nats:\/\/([^/]+)\/?$/.exec(url);
  if (!m) throw new UsageError(`expected a NATS URL like nats://127.0.0.1:4222, got '${url}'`);
  return m[1]!;
}

/** Connects and makes sure the stream, the two KV buckets and the checkpoint object store exist. */
export async function openBus(url: string, stream: string, options: { leaseTtlMs?: number; partitions?: number } = {}): Promise<Bus> {
  if (!/^[A-Za-z0-9_-]+$/.test(stream)) throw new UsageError(`stream name '${stream}' may only hold letters, digits, _ and -`);
  let nc: NatsConnection;
  try {
    nc = await connect({ servers: natsServer(url), name: `surveillance-${process.pid}` });
  } catch (err) {
    throw new UsageError(`cannot connect to NATS at ${url}: ${(err as Error).message}`, { cause: err });
  }
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.info(stream);
  } catch {
    await jsm.streams.add({ name: stream, subjects: [`${stream}.events.*`] });
  }
  const kvm = new Kvm(nc);
  const meta = await kvm.create(`${stream}_meta`, { history: 1 });
  const leases = await kvm.create(`${stream}_leases`, { history: 1, ttl: options.leaseTtlMs ?? 5000 });
  const state = await new Objm(nc).create(`${stream}_state`);
  return {
    nc,
    js: jetstream(nc),
    jsm,
    stream,
    meta,
    leases,
    state,
    close: async () => {
      await nc.drain();
    },
  };
}

/** The partition count recorded by the first publisher (workers read it). */
export async function partitionsOf(bus: Bus, proposed?: number): Promise<number> {
  const e = await bus.meta.get('partitions');
  if (e && e.value.length > 0) return Number(e.string());
  if (proposed === undefined) throw new UsageError(`stream ${bus.stream} has no partition count yet: publish to it first`);
  try {
    await bus.meta.create('partitions', String(proposed));
  } catch {
    // Another publisher won the race: use its count.
  }
  return Number((await bus.meta.get('partitions'))!.string());
}

/**
 * Takes over a partition's durable consumer: reads its ack floor (everything up to it is committed)
 * and re-creates it to deliver strictly from the next sequence. Re-creating, rather than resuming,
 * matters: a dead owner's unacknowledged messages would otherwise come back only after the ack wait,
 * after newer ones, and detectors must see a symbol's events in order.
 */
export async function takeOverPartitionConsumer(bus: Bus, partition: number): Promise<{ name: string; ackFloor: number }> {
  const name = `${bus.stream}_p${partition}`;
  let ackFloor = 0;
  try {
    ackFloor = (await bus.jsm.consumers.info(bus.stream, name)).ack_floor.stream_seq;
    await bus.jsm.consumers.delete(bus.stream, name);
  } catch {
    // No consumer yet: the partition starts from its first message.
  }
  await bus.jsm.consumers.add(bus.stream, {
    durable_name: name,
    filter_subject: subjectFor(bus.stream, partition),
    ack_policy: AckPolicy.Explicit,
    ...(ackFloor > 0
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: ackFloor + 1 }
      : { deliver_policy: DeliverPolicy.All }),
    ack_wait: 30_000_000_000, // 30 s in ns
    max_ack_pending: 10_000,
  });
  return { name, ackFloor };
}

/** An ephemeral consumer replaying a partition from a stream sequence (rebuilding state after a checkpoint). */
export async function replayConsumer(bus: Bus, partition: number, fromSeq: number): Promise<string> {
  const info = await bus.jsm.consumers.add(bus.stream, {
    filter_subject: subjectFor(bus.stream, partition),
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: fromSeq,
    inactive_threshold: 30_000_000_000,
  });
  return info.name;
}

/**
 * How many workers have a live heartbeat key (`worker.<id>` in the leases bucket). Read from the
 * bucket stream's per-subject counts in one request: listing keys through a consumer (`KV.keys`)
 * can wait forever when a key expires between the consumer's pending count and its delivery —
 * which is exactly when a worker dies. A worker that stopped cleanly counts until its key's delete
 * marker expires (one lease TTL).
 */
export async function liveWorkers(bus: Bus): Promise<number> {
  const bucket = `${bus.stream}_leases`;
  const info = await bus.jsm.streams.info(`KV_${bucket}`, { subjects_filter: `$KV.${bucket}.worker.>` });
  return Object.keys(info.state.subjects ?? {}).length;
}

/**
 * Deletes the stream with its KV buckets and checkpoint store (benchmarks, tests, decommissioning).
 * Retried, and failing loudly: a delete that timed out on a busy server once left gigabytes behind.
 */
export async function destroyStream(bus: Bus): Promise<void> {
  for (const name of [bus.stream, `KV_${bus.stream}_meta`, `KV_${bus.stream}_leases`, `OBJ_${bus.stream}_state`]) {
    for (let attempt = 1; ; attempt++) {
      try {
        await bus.jsm.streams.delete(name);
        break;
      } catch (err) {
        if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) break;
        if (attempt >= 3) throw err;
        await sleep(1000);
      }
    }
  }
}
