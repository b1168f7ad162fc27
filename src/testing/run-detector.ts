import { parseConfig } from '../config/config.js';
import type { Alert } from '../domain/alert.js';
import type { MarketEvent } from '../domain/events.js';
import type { DetectorFactory } from '../detect/detector.js';
import { Engine } from '../engine/engine.js';
import { MemorySink } from '../engine/pipeline.js';

/** Runs events through detectors with the given config overrides; returns the final alerts (tests). */
export async function runDetector(
  factories: DetectorFactory | readonly DetectorFactory[],
  events: readonly MarketEvent[],
  config: Record<string, unknown> = {},
): Promise<{ alerts: Alert[]; updates: number }> {
  const sink = new MemorySink();
  const engine = new Engine(Array.isArray(factories) ? factories : [factories as DetectorFactory], parseConfig(config), sink);
  await engine.process(events);
  await engine.end();
  return { alerts: [...sink.alerts.values()], updates: engine.stats.alertUpdates };
}
