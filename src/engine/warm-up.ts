import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config/config.js';
import type { DetectorFactory } from '../detect/detector.js';
import { CANONICAL_HEADER, canonicalLine } from '../ingest/canonical/write.js';
import { simulate } from '../ingest/simulator/simulator.js';
import type { MarketEvent } from '../domain/events.js';
import { Engine, type EngineStats } from './engine.js';
import { ColumnDecoder, ColumnEncoder } from './parallel/event-columns.js';
import { MemorySink, RejectsFile, runFiles } from './pipeline.js';

/** Events a live monitor replays before it starts reading (`start --warm-up`). */
export const DEFAULT_WARM_UP_EVENTS = 100_000;

/** What a warm-up ran (the scratch engine's stats) and how long it took, in ms. */
export type WarmUpStats = EngineStats & { readonly ms: number };

/** Symbols of the warm-up market: names no real feed uses, so nothing of it can be mistaken for data. */
const WARM_UP_SYMBOLS = ['WARMUP.A', 'WARMUP.B', 'WARMUP.C', 'WARMUP.D'];

/**
 * JIT warm-up for live monitoring. A fresh process runs its first few hundred thousand events
 * interpreted or in baseline code while V8 gathers type feedback and optimises the hot functions:
 * measured at 100k events/s through stdin, events in the first second waited up to 150 ms
 * (docs/PERFORMANCE.md, "Live latency", session 5), against ≤ 10 ms once warm. A live monitor
 * therefore first replays a simulated market (canonical CSV through the same reader, sequencer,
 * engine and detectors as the live input) into a scratch engine whose alerts are thrown away; the
 * optimised code it leaves behind is shared with the real engine (V8 keeps feedback and optimised
 * code per function, not per engine). Nothing of the scratch run is kept: its engine, state and
 * alerts are garbage once this returns, and it never touches the store.
 */
export async function warmUp(
  config: Config,
  detectors: readonly DetectorFactory[],
  events = DEFAULT_WARM_UP_EVENTS,
): Promise<WarmUpStats | null> {
  if (events <= 0) return null;
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'surveillance-warm-up-'));
  try {
    const file = join(dir, 'warm-up.csv');
    writeFileSync(file, simulatedCsv(events));
    const stats = await runFiles({
      inputs: [file],
      format: 'canonical',
      config,
      detectors,
      sink: new MemorySink(),
      rejects: new RejectsFile(null),
    });
    return { ...stats, ms: performance.now() - started };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The warm-up of a detection thread (parallel/shard-worker.ts): there events do not come from a
 * reader but from the column decoder, as objects of other shapes than the reader's, so the
 * simulated market goes through an encoder and a decoder into a scratch engine, the path a batch
 * takes in the thread. Warmed on the reader's events instead, the detectors' optimised code was
 * thrown away at the first decoded batch and live events waited for it to be rebuilt.
 */
export async function warmUpThread(config: Config, detectors: readonly DetectorFactory[], events: number): Promise<void> {
  if (events <= 0) return;
  const engine = new Engine(detectors, config, new MemorySink());
  const encoder = new ColumnEncoder();
  const decoder = new ColumnDecoder();
  let now = -Infinity;
  for (const batch of simulatedBatches(events)) {
    const clock = batch.map((e) => (now = Math.max(now, e.tsMs)));
    const decoded = decoder.decode(encoder.encode(batch, clock));
    await engine.process(decoded.events, decoded.clock);
  }
  await engine.end();
}

/** `events` simulator events (trades and the order lifecycle, manipulations injected) as canonical CSV. */
function simulatedCsv(events: number): string {
  const lines = [CANONICAL_HEADER];
  for (const batch of simulatedBatches(events)) lines.push(...batch.map((e) => canonicalLine(e)!));
  lines.push('');
  return lines.join('\n');
}

/** The warm-up market in batches (canonical CSV's events only: it carries no quotes), `events` in all. */
function* simulatedBatches(events: number): Generator<MarketEvent[]> {
  const sim = simulate({
    symbols: WARM_UP_SYMBOLS,
    seed: 20_261_127,
    startMs: Date.UTC(2020, 0, 6, 14, 0),
    durationMs: 5 * 24 * 3600_000,
    inject: true,
  });
  let left = events;
  for (const batch of sim.batches) {
    const kept = batch.filter((e) => e.type !== 'quote').slice(0, left);
    left -= kept.length;
    if (kept.length > 0) yield kept;
    if (left === 0) return;
  }
}
