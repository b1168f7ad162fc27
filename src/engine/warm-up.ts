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

/** Events a live monitor replays before it starts reading (`start --warm-up`): rounds, then the alert market. */
export const DEFAULT_WARM_UP_EVENTS = 300_000;

/** Of a warm-up's events, at most this many run as rounds of fresh engines; the rest is the alert market. */
export const WARM_UP_ROUNDS_EVENTS = 100_000;

/** What a warm-up ran (the scratch engines' stats), the patterns it raised alerts of, and how long it took, in ms. */
export type WarmUpStats = EngineStats & { readonly patterns: readonly string[]; readonly ms: number };

/** A simulated market of the warm-up: names no real feed uses, so nothing of it can be mistaken for data. */
interface WarmUpMarket {
  readonly symbols: readonly string[];
  readonly seed: number;
}

/** The rounds' market: 4 symbols. */
const ROUNDS_MARKET: WarmUpMarket = { symbols: ['WARMUP.A', 'WARMUP.B', 'WARMUP.C', 'WARMUP.D'], seed: 20_261_127 };

/**
 * The alert market: a symbol per pattern, run by one engine from its start. The simulator keeps 20
 * quiet minutes before its first scenario (the detectors' baselines) and then deals its shuffled
 * eight patterns one per symbol, so ≈ 200k events of 8 symbols see alerts of seven patterns raised
 * (all but unusual_timing). The rounds alone raised 3 alerts of 3 patterns: the other detectors'
 * alert paths (and the engine's emit, enrich and store path for them) were first compiled on live
 * events, 77 deopts after the warm-up against 41 with this market; the live bench's main thread
 * went from 72–84% to 66–74% busy (docs/perf-notes/live9.md).
 */
const ALERT_MARKET: WarmUpMarket = {
  symbols: ['WARMUP.A', 'WARMUP.B', 'WARMUP.C', 'WARMUP.D', 'WARMUP.E', 'WARMUP.F', 'WARMUP.G', 'WARMUP.H'],
  seed: 20_261_128,
};

/**
 * Events each scratch engine of the warm-up sees: a round. Measured on the live bench's feed after
 * the warm-up (docs/perf-notes/live8.md): one engine of 100k events left the first 40k live events
 * at 460 ms (12 µs an event, against 3–5 once warm); six engines of 20k events each, 94–122 ms.
 */
export const WARM_UP_ROUND_EVENTS = 20_000;

/**
 * JIT warm-up for live monitoring. A fresh process runs its first few hundred thousand events
 * interpreted or in baseline code while V8 gathers type feedback and optimises the hot functions:
 * measured at 100k events/s through stdin, events in the first second waited up to 150 ms
 * (docs/PERFORMANCE.md, "Live latency", session 5), against ≤ 10 ms once warm. A live monitor
 * therefore first replays a simulated market (canonical CSV through the same reader, sequencer,
 * engine and detectors as the live input) into scratch engines whose alerts are thrown away; the
 * optimised code they leave behind is shared with the real engine (V8 keeps feedback and optimised
 * code per function, not per engine). The market is cut into rounds of WARM_UP_ROUND_EVENTS, each
 * run by an engine of its own: what a fresh engine does first (every symbol, account and order
 * book met for the first time, every structure growing from empty) runs once per engine, and once
 * was not enough for V8 to optimise it, so the real engine's first events paid for it (a round's
 * cancels and fills of orders placed in an earlier round are rejected: ≈ 0.4%). Nothing of
 * the scratch runs is kept: their engines, state and alerts are garbage once this returns, and they
 * never touch the store. Past WARM_UP_ROUNDS_EVENTS, the rest of the events are the alert market
 * (ALERT_MARKET), run by one engine from its start, so every detector's alert path is warm too.
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
    let total: EngineStats | null = null;
    const patterns = new Set<string>();
    const run = async (file: string, text: string): Promise<void> => {
      writeFileSync(file, text);
      const sink = new MemorySink();
      const stats = await runFiles({
        inputs: [file],
        format: 'canonical',
        config,
        detectors,
        sink,
        rejects: new RejectsFile(null),
        // As the live engine does, so the code that stores an event's alerts at once is warm too
        // (without it, the live engine's loop was thrown away at its first alerts: a deopt).
        flushOnAlert: true,
      });
      for (const a of sink.alerts.values()) patterns.add(a.type);
      total = total ? sum(total, stats) : stats;
    };
    const files = plan(events).flatMap((part) => csvFiles(simulatedLines(part.events, part.market), part.perEngine));
    for (const [i, text] of files.entries()) await run(join(dir, `warm-up-${i}.csv`), text);
    return { ...total!, patterns: [...patterns].sort(), ms: performance.now() - started };
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
  const encoder = new ColumnEncoder();
  const decoder = new ColumnDecoder();
  // As `warmUp`: a fresh engine every `perEngine` events of each part.
  for (const part of plan(events)) {
    let engine = new Engine(detectors, config, new MemorySink());
    let engineLeft = part.perEngine;
    let now = -Infinity;
    for (const batch of simulatedBatches(part.events, part.market)) {
      if (engineLeft <= 0) {
        await engine.end();
        engine = new Engine(detectors, config, new MemorySink());
        engineLeft = part.perEngine;
      }
      const clock = batch.map((e) => (now = Math.max(now, e.tsMs)));
      const decoded = decoder.decode(encoder.encode(batch, clock));
      await engine.process(decoded.events, decoded.clock);
      engineLeft -= batch.length;
    }
    await engine.end();
  }
}

/** What a warm-up of `events` runs: the rounds' market, a fresh engine every WARM_UP_ROUND_EVENTS, then the alert market in one engine. */
function plan(events: number): { market: WarmUpMarket; events: number; perEngine: number }[] {
  const rounds = Math.min(events, WARM_UP_ROUNDS_EVENTS);
  const parts = [{ market: ROUNDS_MARKET, events: rounds, perEngine: WARM_UP_ROUND_EVENTS }];
  if (events > rounds) parts.push({ market: ALERT_MARKET, events: events - rounds, perEngine: Infinity });
  return parts;
}

/** `events` simulator events (trades and the order lifecycle, manipulations injected) as canonical CSV lines. */
function simulatedLines(events: number, market: WarmUpMarket): string[] {
  const lines: string[] = [];
  for (const batch of simulatedBatches(events, market)) lines.push(...batch.map((e) => canonicalLine(e)!));
  return lines;
}

/** The lines cut into CSV files' texts of `perFile` lines each (an engine runs each). */
function csvFiles(lines: readonly string[], perFile: number): string[] {
  const files: string[] = [];
  for (let i = 0; i < lines.length; i += perFile) files.push([CANONICAL_HEADER, ...lines.slice(i, i + perFile), ''].join('\n'));
  return files;
}

/** Two runs' stats as one (the warm-up reports its rounds together). */
function sum(a: EngineStats, b: EngineStats): EngineStats {
  return {
    events: a.events + b.events,
    trades: a.trades + b.trades,
    orders: a.orders + b.orders,
    quotes: a.quotes + b.quotes,
    alerts: a.alerts + b.alerts,
    alertUpdates: a.alertUpdates + b.alertUpdates,
    firstTsMs: a.firstTsMs ?? b.firstTsMs,
    lastTsMs: b.lastTsMs ?? a.lastTsMs,
  };
}

/** A warm-up market in batches (canonical CSV's events only: it carries no quotes), `events` in all. */
function* simulatedBatches(events: number, market: WarmUpMarket): Generator<MarketEvent[]> {
  const sim = simulate({
    symbols: [...market.symbols],
    seed: market.seed,
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
