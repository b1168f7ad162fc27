import { parseConfig } from '../config/config.js';
import type { Alert } from '../domain/alert.js';
import type { MarketEvent } from '../domain/events.js';
import type { DetectorFactory } from '../detect/detector.js';
import { Engine } from '../engine/engine.js';
import { MemorySink } from '../engine/pipeline.js';

/** The final alerts of a straight run and of a run checkpointed and restored at every cut. */
export interface SnapshotComparison {
  readonly straight: Alert[];
  readonly resumed: Alert[];
  /** Bytes of each snapshot taken. */
  readonly sizes: number[];
}

/**
 * Runs `batches` through the detectors twice: once straight, once stopping before each batch index
 * in `cuts`, serialising the engine to bytes, and continuing in a brand-new engine restored from
 * them. A detector whose snapshot is complete gives the same alerts both ways (tests).
 */
export async function compareSnapshotRuns(
  factories: readonly DetectorFactory[],
  batches: readonly (readonly MarketEvent[])[],
  cuts: readonly number[],
  config: Record<string, unknown> = {},
): Promise<SnapshotComparison> {
  const parsed = parseConfig(config);
  const straightSink = new MemorySink();
  const straight = new Engine(factories, parsed, straightSink);
  for (const b of batches) await straight.process(b);
  await straight.end();

  const sink = new MemorySink();
  let engine = new Engine(factories, parsed, sink);
  const sizes: number[] = [];
  for (let i = 0; i < batches.length; i++) {
    if (cuts.includes(i)) {
      const bytes = engine.snapshot();
      sizes.push(bytes.length);
      engine = new Engine(factories, parsed, sink);
      engine.restore(bytes);
    }
    await engine.process(batches[i]!);
  }
  await engine.end();
  const byId = (a: Alert, b: Alert): number => (a.alert_id < b.alert_id ? -1 : a.alert_id > b.alert_id ? 1 : 0);
  return { straight: [...straightSink.alerts.values()].sort(byId), resumed: [...sink.alerts.values()].sort(byId), sizes };
}
