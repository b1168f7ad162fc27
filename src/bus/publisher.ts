import type { MarketEvent } from '../domain/events.js';
import type { EventSource } from '../ingest/source.js';
import { encodeEvents, partitionOf, subjectFor } from './codec.js';
import { openBus, partitionsOf } from './nats.js';
import { mergeByTime } from '../engine/merge.js';

export interface PublishOptions {
  readonly url: string;
  readonly stream: string;
  /** Partition count for a new stream (an existing stream keeps its own). */
  readonly partitions: number;
  /** Events per message: one message per event caps at tens of thousands a second. */
  readonly batchEvents?: number;
  /** Publishes awaiting their JetStream ack at once. */
  readonly inFlight?: number;
  readonly sources: readonly EventSource[];
  readonly onProgress?: (events: number) => void;
}

export interface PublishResult {
  events: number;
  messages: number;
  partitions: number;
  seconds: number;
}

/**
 * Loads validated inputs into the stream: events are routed by symbol to a partition subject (so a
 * symbol's events stay in order) and sent many per message, with acks pipelined.
 */
export async function publish(options: PublishOptions): Promise<PublishResult> {
  const started = process.hrtime.bigint();
  const bus = await openBus(options.url, options.stream);
  const batchEvents = options.batchEvents ?? 2000;
  const maxInFlight = options.inFlight ?? 64;
  let events = 0;
  let messages = 0;
  try {
    const partitions = await partitionsOf(bus, options.partitions);
    const buffers: MarketEvent[][] = Array.from({ length: partitions }, () => []);
    const inFlight = new Set<Promise<unknown>>();
    const send = async (p: number): Promise<void> => {
      const batch = buffers[p]!;
      if (batch.length === 0) return;
      buffers[p] = [];
      const ack = bus.js.publish(subjectFor(bus.stream, p), encodeEvents(batch));
      messages++;
      inFlight.add(ack);
      void ack.finally(() => inFlight.delete(ack)).catch(() => undefined);
      if (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    };
    const cache = new Map<string, number>();
    for await (const batch of mergeByTime(options.sources)) {
      for (const e of batch.events) {
        let p = cache.get(e.symbol);
        if (p === undefined) {
          p = partitionOf(e.symbol, partitions);
          cache.set(e.symbol, p);
        }
        const buf = buffers[p]!;
        buf.push(e);
        if (buf.length >= batchEvents) await send(p);
      }
      events += batch.events.length;
      options.onProgress?.(events);
    }
    for (let p = 0; p < partitions; p++) await send(p);
    await Promise.all(inFlight);
    return { events, messages, partitions, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
  } finally {
    await bus.close();
  }
}
