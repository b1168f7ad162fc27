import type { MarketEvent } from '../domain/events.js';
import type { EventBatch, EventSource } from '../ingest/source.js';

/**
 * Merges several sources into one stream in event-time order (k-way merge; ties keep the order of
 * the sources as given), so `replay spy.zip bac.zip` sees one market, not one file after the other.
 * A single source is returned as it is: delegating to it from a generator (`yield*`) cost another
 * promise and microtask hop per batch, on the live path's small batches too.
 */
export function mergeByTime(sources: readonly EventSource[], batchSize = 4096): AsyncIterable<EventBatch> {
  return sources.length === 1 ? sources[0]! : mergeSources(sources, batchSize);
}

async function* mergeSources(sources: readonly EventSource[], batchSize: number): AsyncGenerator<EventBatch> {
  interface Cursor {
    it: AsyncIterator<EventBatch>;
    batch: EventBatch | undefined;
    pos: number;
    order: number;
  }
  const cursors: Cursor[] = [];
  for (let i = 0; i < sources.length; i++) {
    const it = sources[i]![Symbol.asyncIterator]();
    const c: Cursor = { it, batch: undefined, pos: 0, order: i };
    if (await advance(c)) cursors.push(c);
  }
  async function advance(c: Cursor): Promise<boolean> {
    for (;;) {
      const r = await c.it.next();
      if (r.done) return false;
      if (r.value.events.length > 0) {
        c.batch = r.value;
        c.pos = 0;
        return true;
      }
    }
  }
  const head = (c: Cursor): MarketEvent => c.batch!.events[c.pos]!;
  let events: MarketEvent[] = [];
  let lines: number[] = [];
  let file = '';
  while (cursors.length > 0) {
    let best = cursors[0]!;
    for (let i = 1; i < cursors.length; i++) {
      const c = cursors[i]!;
      const d = head(c).tsMs - head(best).tsMs;
      if (d < 0 || (d === 0 && c.order < best.order)) best = c;
    }
    // Emit every event of the best cursor up to the next cursor's head time in one go.
    let limit = Infinity;
    for (const c of cursors) if (c !== best) limit = Math.min(limit, head(c).tsMs);
    const b = best.batch!;
    if (b.file !== file && events.length > 0) {
      yield { file, events, lines };
      events = [];
      lines = [];
    }
    file = b.file;
    while (best.pos < b.events.length && b.events[best.pos]!.tsMs <= limit) {
      // Strictly-less for ties with later sources keeps source order; equal times stay here.
      if (b.events[best.pos]!.tsMs === limit && cursors.some((c) => c !== best && c.order < best.order && head(c).tsMs === limit)) break;
      events.push(b.events[best.pos]!);
      lines.push(b.lines[best.pos] ?? 0);
      best.pos++;
    }
    if (events.length >= batchSize) {
      yield { file, events, lines };
      events = [];
      lines = [];
    }
    if (best.pos >= b.events.length && !(await advance(best))) cursors.splice(cursors.indexOf(best), 1);
  }
  if (events.length > 0) yield { file, events, lines };
}
