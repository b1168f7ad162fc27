import { createWriteStream, type WriteStream } from 'node:fs';
import type { Config } from '../config/config.js';
import type { Alert } from '../domain/alert.js';
import { InputError } from '../domain/errors.js';
import type { MarketEvent } from '../domain/events.js';
import type { DetectorFactory } from '../detect/detector.js';
import { resolveFormat } from '../ingest/formats.js';
import { isLiveInput } from '../ingest/lines.js';
import { Sequencer } from '../ingest/sequencer.js';
import type { EventBatch, EventSource, Rejection, RejectSink } from '../ingest/source.js';
import { Engine, type AlertSink, type EngineStats } from './engine.js';
import { mergeByTime } from './merge.js';
import { detectInThreads } from './parallel/threads.js';
import { warmUp } from './warm-up.js';

/**
 * Keeps rejected rows: counts them by reason, writes each (NDJSON: file, line, field, reason, raw)
 * to the rejects file, created on the first reject only. With `strict`, the first reject is fatal.
 */
export class RejectsFile implements RejectSink {
  count = 0;
  /** Records deliberately not mapped by a reader (reported as summaries, not errors). */
  skipped = 0;
  readonly skippedKinds: Rejection[] = [];
  readonly byReason = new Map<string, number>();
  readonly first: Rejection[] = [];
  private out: WriteStream | undefined;

  constructor(
    readonly path: string | null,
    private readonly strict = false,
  ) {}

  reject(r: Rejection): void {
    if (r.skipped !== undefined) {
      this.skipped += r.skipped;
      this.skippedKinds.push(r);
      this.write(r);
      return;
    }
    this.count++;
    const key = `${r.field}: ${r.reason.replace(/'[^']*'/g, "'…'").replace(/\d+/g, 'N')}`;
    this.byReason.set(key, (this.byReason.get(key) ?? 0) + 1);
    if (this.first.length < 10) this.first.push(r);
    this.write(r);
    if (this.strict) {
      throw new InputError(`${r.file}:${r.line}: field ${r.field}: ${r.reason} (--strict)`, r.file, r.line, r.field);
    }
  }

  private write(r: Rejection): void {
    if (!this.path) return;
    this.out ??= createWriteStream(this.path, { flags: 'a' });
    this.out.write(`${JSON.stringify(r)}\n`);
  }

  /** Flushes and closes the file. */
  async close(): Promise<void> {
    const out = this.out;
    if (!out) return;
    this.out = undefined;
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}

/** Applies the sequencer (reorder window, order lifecycle) to one input's batches. */
export async function* sequenced(source: EventSource, sequencer: Sequencer): AsyncGenerator<EventBatch> {
  for await (const batch of source) {
    const events = sequencer.accept(batch);
    if (events.length > 0) yield events === batch.events ? batch : { file: batch.file, events, lines: [] };
  }
}

export interface FileRunOptions {
  readonly inputs: readonly string[];
  readonly format?: string | undefined;
  readonly columnMap?: Readonly<Record<string, string>> | undefined;
  readonly symbols?: ReadonlySet<string> | undefined;
  readonly follow?: boolean | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly config: Config;
  readonly detectors: readonly DetectorFactory[];
  readonly sink: AlertSink;
  readonly rejects: RejectsFile;
  /** Called after each batch (progress display, heartbeats). */
  readonly onBatch?: ((stats: EngineStats) => void | Promise<void>) | undefined;
  /** Sees each batch of events before detection (reports that count what was read). */
  readonly onEvents?: ((events: readonly MarketEvent[]) => void) | undefined;
  /** Detection threads (symbols split over them, parallel/threads.ts); 1 or absent: this thread. */
  readonly threads?: number | undefined;
  /**
   * Live inputs: simulated events run through scratch engines (on every detection thread) before
   * the first input is read, so its first events do not wait for JIT compilation (warm-up.ts).
   */
  readonly warmUpEvents?: number | undefined;
  /** Called once, after the warm-up and before the first batch is read (`warm`: null without a warm-up). */
  readonly onReady?: ((warm: { readonly events: number; readonly ms: number } | null) => void) | undefined;
  /** Store each event's alerts before the next event runs (`Engine.flushOnAlert`); absent: for live inputs (stdin, `--follow`). */
  readonly flushOnAlert?: boolean | undefined;
}

/** Opens every input with its (detected or named) format, each behind its own sequencer. */
export async function openInputs(options: FileRunOptions): Promise<EventSource[]> {
  const sources: EventSource[] = [];
  for (const path of options.inputs) {
    const format = await resolveFormat(path, options.format);
    const sequencer = new Sequencer(
      { reorderWindowMs: options.config.reorder_window_ms, checkOrderLifecycle: options.config.check_order_lifecycle },
      options.rejects,
    );
    const source = format.open({
      path,
      rejects: options.rejects,
      ...(options.columnMap ? { columnMap: options.columnMap } : {}),
      symbols: options.symbols,
      ...(options.follow ? { follow: true } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    sources.push(sequenced(source, sequencer));
  }
  return sources;
}

/** Runs detection over files (merged in event-time order) into the sink; returns the engine's stats. */
export async function runFiles(options: FileRunOptions): Promise<EngineStats> {
  const batches = mergeByTime(await openInputs(options));
  const threads = options.threads ?? 1;
  const stats = threads > 1 ? await detectInThreads(batches, threads, options) : await detect(batches, options);
  await options.rejects.close();
  return stats;
}

/** Detection on this thread: one engine over every symbol. */
async function detect(batches: AsyncIterable<EventBatch>, options: FileRunOptions): Promise<EngineStats> {
  options.onReady?.(await warmUp(options.config, options.detectors, options.warmUpEvents ?? 0));
  const engine = new Engine(options.detectors, options.config, options.sink);
  engine.flushOnAlert = options.flushOnAlert ?? options.inputs.some((path) => isLiveInput(path, options.follow));
  for await (const batch of batches) {
    options.onEvents?.(batch.events);
    await engine.process(batch.events);
    if (options.onBatch) await options.onBatch(engine.stats);
    if (options.signal?.aborted) break;
  }
  await engine.end();
  return engine.stats;
}

/** Runs detection over in-memory batches (simulator, tests). */
export async function runBatches(
  batches: Iterable<MarketEvent[]> | AsyncIterable<MarketEvent[]>,
  engine: Engine,
  onBatch?: (stats: EngineStats) => void | Promise<void>,
  signal?: AbortSignal,
): Promise<EngineStats> {
  for await (const events of batches) {
    await engine.process(events);
    if (onBatch) await onBatch(engine.stats);
    if (signal?.aborted) break;
  }
  await engine.end();
  return engine.stats;
}

/** A sink that keeps the latest version of each alert in memory (tests, `test` without a store). */
export class MemorySink implements AlertSink {
  readonly alerts = new Map<string, Alert>();
  write(alerts: readonly Alert[]): void {
    for (const a of alerts) this.alerts.set(a.alert_id, a);
  }
}
