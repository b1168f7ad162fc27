import { writeHeapSnapshot } from 'node:v8';
import { parseConfig } from '../src/config/config.js';
import type { PatternType } from '../src/domain/alert.js';
import type { Detector, DetectorFactory } from '../src/detect/detector.js';
import { detectorsFor } from '../src/detect/registry.js';
import { RejectsFile, runFiles } from '../src/engine/pipeline.js';
import { encodeState } from '../src/engine/snapshot.js';

/**
 * Where detection memory goes (docs/PERFORMANCE.md, "Memory"): replays one file and, every
 * `sample` events, collects garbage and records the live heap and each detector's checkpoint size.
 * Prints one JSON line with the maxima (`maxLiveMb` adds typed arrays' backing stores, which `heapUsed`
 * leaves out). Needs `--expose-gc`:
 *
 *   node --expose-gc dist/bench/mem-attrib.js '{"file":"...csv","detectors":["spoofing"],"sample":100000}'
 *
 * Run it once per detector alone and once with `"detectors":[]` (ingestion and the market context;
 * `"context":0` also drops the context): the differences of the heap maxima are each detector's share.
 */
interface Task {
  readonly file: string;
  /** Patterns to run: all when absent, none when empty. */
  readonly detectors?: readonly string[];
  readonly sample?: number;
  /** `evidence_context_events` (0: no market context); the default configuration when absent. */
  readonly context?: number;
  /** Also record each detector's snapshot bytes at every sample (slow on large state). */
  readonly snapshots?: boolean;
  /** Writes a V8 heap snapshot to this path at the first sample at or after `heapSnapshotAt` events. */
  readonly heapSnapshot?: string;
  readonly heapSnapshotAt?: number;
  /** Also print every sample (events, event time, live heap MB) to stderr: does state stop growing? */
  readonly trace?: boolean;
}

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

async function main(): Promise<void> {
  const task = JSON.parse(process.argv[2] ?? '{}') as Task;
  const config = parseConfig(task.context === undefined ? {} : { evidence_context_events: task.context });
  const factories = task.detectors
    ? detectorsFor(task.detectors as PatternType[]).filter((d) => task.detectors!.includes(d.pattern))
    : detectorsFor();
  const made: [string, Detector][] = [];
  const watched: DetectorFactory[] = factories.map((f) => ({
    ...f,
    create: (c, shared) => {
      const d = f.create(c, shared);
      made.push([f.pattern, d]);
      return d;
    },
  }));
  const every = task.sample ?? 100_000;
  let next = every;
  let maxHeap = 0;
  /** Heap plus typed arrays' backing stores (`arrayBuffers`: not in `heapUsed`, yet state that columns hold). */
  let maxLive = 0;
  const maxBytes: Record<string, number> = {};
  let snapshotTaken = false;
  let lastTsMs = 0;
  const measure = (events: number): void => {
    gc!();
    if (task.heapSnapshot && !snapshotTaken && events >= (task.heapSnapshotAt ?? 0)) {
      writeHeapSnapshot(task.heapSnapshot);
      snapshotTaken = true;
    }
    const usage = process.memoryUsage();
    const heap = usage.heapUsed;
    maxHeap = Math.max(maxHeap, heap);
    maxLive = Math.max(maxLive, heap + usage.arrayBuffers);
    if (task.trace)
      process.stderr.write(
        `${events} events, ${new Date(lastTsMs).toISOString()}: live heap ${(heap / 1048576).toFixed(1)} MB, with typed arrays ${((heap + usage.arrayBuffers) / 1048576).toFixed(1)} MB\n`,
      );
    if (task.snapshots) for (const [name, d] of made) maxBytes[name] = Math.max(maxBytes[name] ?? 0, encodeState(d.snapshot()).length);
  };
  const stats = await runFiles({
    inputs: [task.file],
    format: 'canonical',
    config,
    detectors: watched,
    // Alerts are dropped, not kept: what is measured is the detectors' state, not the alerts found.
    sink: { write: async () => {} },
    rejects: new RejectsFile(null),
    onBatch: (s) => {
      lastTsMs = s.lastTsMs ?? 0;
      if (s.events < next) return;
      next += every;
      measure(s.events);
    },
  });
  const mb = (b: number): number => Math.round((b / 1048576) * 10) / 10;
  const out = {
    events: stats.events,
    maxHeapMb: mb(maxHeap),
    maxLiveMb: mb(maxLive),
    maxRssMb: mb(process.resourceUsage().maxRSS * 1024),
    snapshotMb: Object.fromEntries(Object.entries(maxBytes).map(([k, v]) => [k, mb(v)])),
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

await main();
