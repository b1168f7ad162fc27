import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { PerformanceObserver, performance, type PerformanceEntry } from 'node:perf_hooks';
import { boundHeapGrowth } from '../src/engine/heap-growth.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { unzipSync } from 'fflate';
import { parseConfig } from '../src/config/config.js';
import type { Config } from '../src/config/config.js';
import type { Alert, PatternType } from '../src/domain/alert.js';
import { detectorsFor } from '../src/detect/registry.js';
import type { AlertSink, EngineStats } from '../src/engine/engine.js';
import { RejectsFile, runFiles } from '../src/engine/pipeline.js';
import { DEFAULT_WARM_UP_EVENTS } from '../src/engine/warm-up.js';
import type { DetectorFactory } from '../src/detect/detector.js';
import { simulatorSessions } from '../src/ingest/simulator/simulator.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { StoreSink } from '../src/cli/run-common.js';

/**
 * One measured case in its own process, so its peak RSS is its own: `node child.js '<json task>'`.
 * Prints one JSON line (events, seconds, peak RSS) on stdout.
 */

export interface ReplayTask {
  readonly mode: 'replay';
  readonly files: readonly string[];
  readonly format?: string | undefined;
  /** Write alerts to a fresh SQLite store (the product's default path). */
  readonly store: boolean;
  /** Use the simulator's trading sessions (live case: its data comes from the simulator). */
  readonly simSessions?: readonly string[] | undefined;
  /** Live case: log each alert's commit to this file, and each batch to this file + `.batches` (LiveLog). */
  readonly commitLog?: string | undefined;
  /** Detector patterns to run: all when absent, none when empty (the ingestion path alone). */
  readonly detectors?: readonly string[] | undefined;
  /** Detection threads (`replay --threads`); absent: 1. */
  readonly threads?: number | undefined;
  /** Live case: simulated events replayed into a scratch engine before `ready` (as `start` does); absent: the default. */
  readonly warmUp?: number | undefined;
  /**
   * Replay the files this many times in this process, each pass with a fresh engine and store, and
   * report the last pass's events and seconds (absent: 1): from the second pass on, the code is
   * mostly compiled, so the last pass is near the steady-state cost the replay targets are about (a
   * fresh engine's closure-style detectors still recompile some: perf-notes/book10.md counts pass 3).
   */
  readonly passes?: number | undefined;
}

export interface BaselineTask {
  readonly mode: 'baseline';
  readonly files: readonly string[];
}

export type ChildTask = ReplayTask | BaselineTask;

export interface ChildResult {
  readonly events: number;
  readonly seconds: number;
  readonly maxRssMb: number;
  readonly alerts?: number;
  readonly rejected?: number;
  /** CPU seconds (user + system) of the whole child: its capacity, whatever the machine's load. */
  readonly cpuSeconds?: number;
}

/** The plain cost of the input: read (decompress) the bytes and split them into line strings. */
async function baseline(files: readonly string[]): Promise<number> {
  let lines = 0;
  for (const f of files) {
    if (f.endsWith('.zip')) {
      for (const data of Object.values(unzipSync(readFileSync(f)))) {
        const parts = Buffer.from(data).toString('utf8').split('\n');
        touch(parts);
        lines += parts.length;
      }
      continue;
    }
    const raw = createReadStream(f, { highWaterMark: 1 << 20 });
    const stream = f.endsWith('.gz') ? raw.pipe(createGunzip({ chunkSize: 1 << 20 })) : raw;
    let carry = '';
    for await (const buf of stream as AsyncIterable<Buffer>) {
      const parts = (carry + buf.toString('utf8')).split('\n');
      carry = parts.pop() ?? '';
      touch(parts);
      lines += parts.length;
    }
    if (carry !== '') lines++;
  }
  return lines;
}

let sinkHole = 0;
/** Reads every line's length so the split cannot be optimised away. */
function touch(parts: readonly string[]): void {
  for (const p of parts) sinkHole += p.length;
}

/**
 * Live case: wraps the store's sink to log, for each alert write, the alert's detection time
 * (event ms), how many events were done before the batch that raised it, the commit time and the
 * commit's duration (hrtime ns); and, for each batch, the events done after it and its start and
 * end times. So the bench can time every event (not only the few that raise alerts), each batch's
 * own processing (stalls), and each alert from the batch that raised it.
 */
class LiveLog implements AlertSink {
  readonly alerts: string[] = [];
  readonly batches: string[] = [];
  private eventsDone = 0;
  private started = 0n;
  constructor(private readonly inner: AlertSink) {}
  async write(alerts: readonly Alert[]): Promise<void> {
    const start = process.hrtime.bigint();
    await this.inner.write(alerts);
    const committed = process.hrtime.bigint();
    for (const a of alerts) {
      const updated = a.evidence.details?.['updated_at'];
      const detectMs = Date.parse(typeof updated === 'string' ? updated : a.timestamp);
      this.alerts.push(`${detectMs},${this.eventsDone},${committed},${committed - start},${a.type}`);
    }
  }
  batchStarted(): void {
    this.started = process.hrtime.bigint();
  }
  batchDone(events: number): void {
    this.eventsDone = events;
    this.batches.push(`${events},${this.started},${process.hrtime.bigint()}`);
  }
}

/**
 * Live case: every GC pause of the main thread as `start ns (hrtime),duration ns,kind`, so the bench
 * can tell a pause from slow detection. Entry times are on `performance`'s clock; both clocks are
 * monotonic, so one offset read at start maps them.
 */
class GcLog {
  readonly pauses: string[] = [];
  private readonly offsetNs = Number(process.hrtime.bigint()) - performance.now() * 1e6;
  private readonly observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) this.record(e);
  });
  constructor() {
    this.observer.observe({ entryTypes: ['gc'] });
  }
  private record(e: PerformanceEntry): void {
    const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? 0;
    this.pauses.push(`${Math.round(this.offsetNs + e.startTime * 1e6)},${Math.round(e.duration * 1e6)},${GC_KINDS[kind] ?? kind}`);
  }
  stop(): void {
    this.observer.disconnect();
  }
}

/**
 * Live case: the main thread's event-loop utilisation (`performance.eventLoopUtilization`), sampled
 * every 20 ms as `hrtime ns,active ms,idle ms` (both cumulative). Unlike the batch log it also counts
 * what runs outside a batch: reading stdin, parsing and sequencing, GC on this thread.
 */
class LoopLog {
  readonly samples: string[] = [];
  private readonly timer = setInterval(() => this.sample(), 20);
  constructor() {
    this.timer.unref();
  }
  sample(): void {
    const u = performance.eventLoopUtilization();
    this.samples.push(`${process.hrtime.bigint()},${u.active},${u.idle}`);
  }
  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }
}

/** perf_hooks' `NODE_PERFORMANCE_GC_*` flags. */
const GC_KINDS: Record<number, string> = { 1: 'scavenge', 2: 'mark-compact', 4: 'incremental', 8: 'weak-callbacks' };

function detectorsOf(task: ReplayTask): readonly DetectorFactory[] {
  return task.detectors ? detectorsFor(task.detectors as PatternType[]).filter((d) => task.detectors!.includes(d.pattern)) : detectorsFor();
}

async function replay(task: ReplayTask): Promise<{ events: number; alerts: number; rejected: number }> {
  let config: Config = parseConfig(process.env.BENCH_CONFIG ? JSON.parse(process.env.BENCH_CONFIG) : {});
  if (task.simSessions) config = { ...config, sessions: { ...simulatorSessions([...task.simSessions]), ...config.sessions } };
  const dir = mkdtempSync(join(tmpdir(), 'bench-store-'));
  const store = task.store ? openSqliteStore(join(dir, 'alerts.db')) : null;
  // As `start` does (its commits wait for no checkpoint); replay, like the command, does without the
  // checkpointer thread (≈ 10 MB RSS) since its commits are not latency-bound.
  if (task.commitLog) await store?.beginStreaming();
  // As the commands do: replay coalesces store writes, the live path commits every batch.
  const storeSink = new StoreSink(store, task.commitLog ? 0 : 1000);
  const log = task.commitLog ? new LiveLog(storeSink) : undefined;
  const gc = task.commitLog ? new GcLog() : undefined;
  const loop = task.commitLog ? new LoopLog() : undefined;
  const rejects = new RejectsFile(null);
  try {
    const stats = await runFiles({
      inputs: task.files,
      format: task.format,
      config,
      detectors: detectorsOf(task),
      sink: log ?? storeSink,
      rejects,
      threads: task.threads,
      // Live case: the feeder starts its clock once the process is up (modules loaded, store open,
      // detection threads started, warmed up), so start-up is not counted as the first events' latency.
      ...(task.commitLog
        ? { warmUpEvents: task.warmUp ?? DEFAULT_WARM_UP_EVENTS, onReady: () => void process.stdout.write('ready\n') }
        : {}),
      ...(log ? { onEvents: () => log.batchStarted(), onBatch: (s: EngineStats) => log.batchDone(s.events) } : {}),
    });
    await storeSink.flush();
    if (log && task.commitLog) {
      writeFileSync(task.commitLog, log.alerts.join('\n'));
      writeFileSync(`${task.commitLog}.batches`, log.batches.join('\n'));
      gc?.stop();
      writeFileSync(`${task.commitLog}.gc`, gc?.pauses.join('\n') ?? '');
      loop?.stop();
      writeFileSync(`${task.commitLog}.loop`, loop?.samples.join('\n') ?? '');
    }
    return { events: stats.events, alerts: stats.alerts, rejected: rejects.count };
  } finally {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  boundHeapGrowth(); // as the CLI does
  const task = JSON.parse(process.argv[2] ?? '{}') as ChildTask;
  const started = process.hrtime.bigint();
  let result: ChildResult;
  if (task.mode === 'baseline') {
    const events = await baseline(task.files);
    result = { events, seconds: elapsed(started), maxRssMb: rssMb() };
  } else {
    let r = await replay(task);
    let passStarted = started;
    for (let pass = 2; pass <= (task.passes ?? 1); pass++) {
      passStarted = process.hrtime.bigint();
      r = await replay(task);
    }
    const cpu = process.cpuUsage();
    result = {
      events: r.events,
      seconds: elapsed(passStarted),
      maxRssMb: rssMb(),
      alerts: r.alerts,
      rejected: r.rejected,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
    };
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
  if (sinkHole < 0) process.stdout.write('');
}

function elapsed(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function rssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

await main();
