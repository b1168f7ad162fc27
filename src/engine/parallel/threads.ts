import { Worker } from 'node:worker_threads';
import type { Alert } from '../../domain/alert.js';
import type { MarketEvent } from '../../domain/events.js';
import { DETECTORS } from '../../detect/registry.js';
import type { EventBatch } from '../../ingest/source.js';
import type { EngineStats } from '../engine.js';
import type { FileRunOptions } from '../pipeline.js';
import { warmUp } from '../warm-up.js';
import { ColumnEncoder } from './event-columns.js';
import type { ShardInit, ShardReply, ShardRequest } from './shard-worker.js';

/**
 * Detection on several threads: events are split by symbol (in turn, as symbols first appear) over
 * one engine per thread. Detection state is per symbol and the engine ticks on second boundaries,
 * so the alerts are those of one engine over everything; each event also carries the stream's
 * clock (`Engine.process`), so a detector reading `now` sees what it would in one engine.
 *
 * This thread keeps reading, parsing and sequencing (one sequencer per input, as without threads:
 * the same rejects, once), counts the events (the run's stats are those of the whole stream) and
 * writes every alert to the sink, which stays single-writer.
 */

/** Batches per thread sent and not yet answered: enough to keep a thread busy, bounded memory. */
const IN_FLIGHT = 2;

interface Shard {
  readonly worker: Worker;
  readonly encoder: ColumnEncoder;
  events: MarketEvent[];
  clock: number[];
  inFlight: number;
  raised: number;
  updates: number;
  ended: boolean;
  /** Called when a reply arrives (a waiting sender goes on). */
  wake: (() => void) | undefined;
}

export type ThreadRunOptions = Pick<
  FileRunOptions,
  'config' | 'detectors' | 'sink' | 'onBatch' | 'onEvents' | 'signal' | 'warmUpEvents' | 'onReady'
>;

/** Runs detection over merged batches on `threads` detection threads; returns the whole stream's stats. */
export async function detectInThreads(
  batches: AsyncIterable<EventBatch>,
  threads: number,
  options: ThreadRunOptions,
): Promise<EngineStats> {
  for (const f of options.detectors) {
    // A thread builds its detectors from the registry: only registered ones can run there.
    if (!DETECTORS.includes(f)) throw new Error(`detector ${f.pattern} is not the registered one; run it with threads = 1`);
  }
  const warmUpEvents = options.warmUpEvents ?? 0;
  const init: ShardInit = { patterns: options.detectors.map((f) => f.pattern), config: options.config, warmUpEvents };
  const stats: EngineStats = { events: 0, trades: 0, orders: 0, quotes: 0, alerts: 0, alertUpdates: 0, firstTsMs: null, lastTsMs: null };

  let failure: Error | undefined;
  let writes = Promise.resolve();
  const shards: Shard[] = [];
  const fail = (e: Error): void => {
    failure ??= e;
    for (const s of shards) s.wake?.();
  };
  const onReply = (s: Shard, reply: ShardReply): void => {
    s.inFlight--;
    if (reply.kind === 'ready') return s.wake?.();
    s.raised = reply.raised;
    s.updates = reply.updates;
    if (reply.kind === 'ended') s.ended = true;
    if (reply.alerts.length > 0) writes = writes.then(() => options.sink.write(reply.alerts as Alert[])).catch(fail);
    s.wake?.();
  };
  for (let index = 0; index < threads; index++) {
    const worker = new Worker(new URL('./shard-worker.js', import.meta.url), { workerData: init });
    const s: Shard = {
      worker,
      encoder: new ColumnEncoder(),
      events: [],
      clock: [],
      inFlight: 1, // until it is ready
      raised: 0,
      updates: 0,
      ended: false,
      wake: undefined,
    };
    worker.on('message', (reply: ShardReply) => onReply(s, reply));
    worker.on('error', (e) => fail(new Error(`detection thread ${index + 1} of ${threads} failed: ${e.message}`, { cause: e })));
    worker.on('messageerror', (e) => fail(new Error(`detection thread ${index + 1}: message not readable: ${e.message}`, { cause: e })));
    worker.on('exit', (code) => {
      if (!s.ended) fail(new Error(`detection thread ${index + 1} of ${threads} stopped (exit code ${code}) before the end of the input`));
    });
    shards.push(s);
  }

  /** Waits until `s` has fewer than `limit` batches in flight; throws once anything failed. */
  const settle = async (s: Shard, limit: number): Promise<void> => {
    while (failure === undefined && s.inFlight >= limit) await new Promise<void>((resolve) => (s.wake = resolve));
    s.wake = undefined;
    if (failure) throw failure;
  };
  const send = async (s: Shard, request: ShardRequest): Promise<void> => {
    await settle(s, IN_FLIGHT);
    s.inFlight++;
    s.worker.postMessage(request, request.kind === 'events' ? [request.batch.buffer] : []);
  };

  try {
    // Every thread started and warmed up (this thread warms its reading and parsing meanwhile)
    // before the first batch is read: with a live input, events wait for none of it.
    const started = performance.now();
    const [warm] = await Promise.all([warmUp(options.config, [], warmUpEvents), ...shards.map((s) => settle(s, 1))]);
    // Ready once the slowest thread is: the time is that of the whole start, not this thread's part.
    options.onReady?.(warm && { ...warm, ms: performance.now() - started });
    const shardOf = new Map<string, Shard>();
    let now = -Infinity;
    for await (const batch of batches) {
      options.onEvents?.(batch.events);
      for (const e of batch.events) {
        let s = shardOf.get(e.symbol);
        if (s === undefined) {
          // Symbols go to the threads in turn as they first appear: a live feed of a few symbols is
          // spread evenly (hashing put 3 of 4 simulated symbols on one of 2 threads), a wide one
          // as well as by hashing. Where a symbol runs does not change its alerts.
          s = shards[shardOf.size % threads]!;
          shardOf.set(e.symbol, s);
        }
        if (e.tsMs > now) now = e.tsMs;
        s.events.push(e);
        s.clock.push(now);
        stats.events++;
        stats.firstTsMs ??= e.tsMs;
        if (e.type === 'trade') stats.trades++;
        else if (e.type === 'order') stats.orders++;
        else stats.quotes++;
      }
      if (batch.events.length > 0) stats.lastTsMs = now;
      for (const s of shards) {
        if (s.events.length === 0) continue;
        await send(s, { kind: 'events', batch: s.encoder.encode(s.events, s.clock) });
        s.events = [];
        s.clock = [];
      }
      countAlerts(stats, shards);
      if (options.onBatch) await options.onBatch(stats);
      if (options.signal?.aborted) break;
    }
    for (const s of shards) await send(s, { kind: 'end', nowMs: now });
    for (const s of shards) await settle(s, 1);
    await writes;
    if (failure) throw failure;
    countAlerts(stats, shards);
    return stats;
  } finally {
    await Promise.all(shards.map((s) => s.worker.terminate()));
  }
}

function countAlerts(stats: EngineStats, shards: readonly Shard[]): void {
  stats.alerts = 0;
  stats.alertUpdates = 0;
  for (const s of shards) {
    stats.alerts += s.raised;
    stats.alertUpdates += s.updates;
  }
}
