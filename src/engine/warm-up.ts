import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config/config.js';
import type { DetectorFactory } from '../detect/detector.js';
import { CANONICAL_HEADER, canonicalLine } from '../ingest/canonical/write.js';
import { simulate } from '../ingest/simulator/simulator.js';
import type { EngineStats } from './engine.js';
import { MemorySink, RejectsFile, runFiles } from './pipeline.js';

/** Events a live monitor replays before it starts reading (`start --warm-up`). */
export const DEFAULT_WARM_UP_EVENTS = 100_000;

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
): Promise<EngineStats | null> {
  if (events <= 0) return null;
  const dir = mkdtempSync(join(tmpdir(), 'surveillance-warm-up-'));
  try {
    const file = join(dir, 'warm-up.csv');
    writeFileSync(file, simulatedCsv(events));
    return await runFiles({
      inputs: [file],
      format: 'canonical',
      config,
      detectors,
      sink: new MemorySink(),
      rejects: new RejectsFile(null),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `events` simulator events (trades and the order lifecycle, manipulations injected) as canonical CSV. */
function simulatedCsv(events: number): string {
  const sim = simulate({
    symbols: WARM_UP_SYMBOLS,
    seed: 20_261_127,
    startMs: Date.UTC(2020, 0, 6, 14, 0),
    durationMs: 5 * 24 * 3600_000,
    inject: true,
  });
  const lines = [CANONICAL_HEADER];
  outer: for (const batch of sim.batches) {
    for (const e of batch) {
      const line = canonicalLine(e);
      if (line === undefined) continue;
      lines.push(line);
      if (lines.length > events) break outer;
    }
  }
  lines.push('');
  return lines.join('\n');
}
