import type { MarketEvent } from '../domain/events.js';
import type { EventSource, Rejection, RejectSink } from '../ingest/source.js';

/** A reject sink that keeps everything in memory (tests). */
export class MemoryRejects implements RejectSink {
  readonly items: Rejection[] = [];
  reject(r: Rejection): void {
    this.items.push(r);
  }
}

/** Reads a whole source into one array (tests and small inputs only). */
export async function collect(source: EventSource): Promise<MarketEvent[]> {
  const out: MarketEvent[] = [];
  for await (const b of source) out.push(...b.events);
  return out;
}
