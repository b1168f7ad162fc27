import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CANONICAL_HEADER, canonicalLine } from '../src/ingest/canonical/write.js';
import { simulate } from '../src/ingest/simulator/simulator.js';
import type { ChildResult, ReplayTask } from './child.js';

/**
 * The live-latency case: the simulator's events (with its injected manipulations, so alerts come
 * at known event times) are written as canonical CSV to a child's stdin at a fixed rate, once the
 * child is up; the child runs the live path (stdin → sequencer → engine → SQLite, one commit per
 * batch that raised alerts) and logs each batch and each alert commit (LiveLog in child.ts). Times
 * are CLOCK_MONOTONIC via hrtime, which processes on one machine share. An event's arrival is when
 * the feeder wrote it (it stamps every event of a write with the time before the write).
 *
 * - Alert latency = commit time − arrival of the first event of the batch that raised the alert.
 *   The event that raised it is in that batch, so the figure errs high by at most the batch's own
 *   spread. Alerts raised at end of input (onEnd, after the feed) are not counted.
 * - Event latency = end of the batch holding the event (detected, its alerts committed) − its
 *   arrival, for every event: the bound any alert raised by that event is under.
 * - The sequencer's reorder window does not hold events back: it only rejects events older than
 *   the latest seen minus the window, so it adds nothing here (the feed is in order).
 */

export interface LiveOptions {
  readonly childPath: string;
  readonly ratePerS: number;
  readonly events: number;
  /** Detection threads in the child (`replay --threads`); absent: 1. */
  readonly threads?: number | undefined;
  /** Detector patterns to run: all when absent, none when empty (the ingestion path alone). */
  readonly detectors?: readonly string[] | undefined;
  /** Also return a timeline of the feed per this many ms (`--timeline MS`). */
  readonly timelineMs?: number | undefined;
  /** Write the child's CPU profile (`--cpu-prof`) into this directory. */
  readonly profileDir?: string | undefined;
  /** Simulated events the child replays into a scratch engine before it is ready (`start --warm-up`); absent: the default. */
  readonly warmUp?: number | undefined;
}

/** Percentiles of a set of latencies, in ms. */
export interface Percentiles {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
}

export interface LiveResult {
  readonly sent: number;
  readonly sendSeconds: number;
  readonly child: ChildResult;
  /** Arrival of the first event of the batch that raised the alert → alert committed (the figure; few samples). */
  readonly alerts: Percentiles;
  /** Arrival of the first event at or after the alert's detection time → alert committed (includes the detector's wait in event time). */
  readonly alertsSinceDetect: Percentiles;
  /** Arrival → its batch processed and its alerts committed, for every event (an upper bound of any alert's latency from it). */
  readonly events: Percentiles;
  /** Processing time of one batch (parse, sequence, detect, commit): the stalls. */
  readonly batches: Percentiles;
  /** Duration of the SQLite write (one transaction) holding an alert. */
  readonly commits: Percentiles;
  /** Mean events per batch. */
  readonly meanBatch: number;
  /** Share of the child's main thread busy (event-loop utilisation) from the first event sent to the last event done. */
  readonly mainThreadBusy: number;
  /** The child's GC pauses from the first event sent to the end. */
  readonly gc: Percentiles & { readonly totalMs: number; readonly scavenges: number };
  /** Per `timelineMs` of the feed, when asked. */
  readonly timeline?: readonly TimelineRow[];
}

/** One slice of the feed's time: what arrived, how busy the child was and what the arrivals waited. */
export interface TimelineRow {
  /** Start of the slice, ms after the first event was sent. */
  readonly atMs: number;
  readonly sent: number;
  /** Share of the slice the child spent in batches (detect, commit; not the reading and parsing before). */
  readonly busy: number;
  /** Share of the slice the child's main thread was busy (event-loop utilisation: reading, parsing and GC too). */
  readonly loopBusy: number;
  /** Busy µs per event of the batches that started in the slice. */
  readonly usPerEvent: number;
  /** Worst latency of an event sent in the slice (arrival → its batch done). */
  readonly worstMs: number;
  /** GC pause time that started in the slice, and its longest pause. */
  readonly gcMs: number;
  readonly gcMaxMs: number;
}

const SYMBOLS = ['AAPL', 'MSFT', 'NVDA', 'TSLA'];

/** Builds the feed: simulator events as CSV lines with their event times. */
function feed(events: number): { lines: string[]; ts: Float64Array } {
  const sim = simulate({ symbols: SYMBOLS, seed: 7, startMs: Date.UTC(2026, 2, 2, 14, 0), durationMs: 5 * 24 * 3600_000, inject: true });
  const lines: string[] = [];
  const ts: number[] = [];
  outer: for (const batch of sim.batches) {
    for (const e of batch) {
      const line = canonicalLine(e);
      if (line === undefined) continue;
      lines.push(`${line}\n`);
      ts.push(e.tsMs);
      if (lines.length >= events) break outer;
    }
  }
  return { lines, ts: Float64Array.from(ts) };
}

/** Runs the live case and returns the latency percentiles. */
export async function runLive(options: LiveOptions): Promise<LiveResult> {
  const { lines, ts } = feed(options.events);
  const dir = mkdtempSync(join(tmpdir(), 'bench-live-'));
  const commitLog = join(dir, 'commits.csv');
  const task: ReplayTask = {
    mode: 'replay',
    files: ['-'],
    format: 'canonical',
    store: true,
    simSessions: SYMBOLS,
    commitLog,
    threads: options.threads,
    detectors: options.detectors,
    warmUp: options.warmUp,
  };
  const profile = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
  // BENCH_CHILD_FLAGS: node/V8 flags for the child only (e.g. `--trace-gc-nvp`, `--max-semi-space-size=8`).
  const flags = (process.env['BENCH_CHILD_FLAGS'] ?? '').split(' ').filter((f) => f !== '');
  const child = spawn(process.execPath, [...flags, ...profile, options.childPath, JSON.stringify(task)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let stdout = '';
  let ready: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (ready = resolve));
  child.stdout.on('data', (b: Buffer) => {
    stdout += b.toString('utf8');
    if (stdout.includes('ready\n')) ready();
  });
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  // Not before the child is up: its start-up (module loading, opening the store) is not latency.
  await Promise.race([started, exited]);

  const sentNs = new Float64Array(lines.length);
  child.stdin.write(`${CANONICAL_HEADER}\n`);
  const t0 = process.hrtime.bigint();
  let sent = 0;
  while (sent < lines.length) {
    const now = process.hrtime.bigint();
    const due = Math.min(lines.length, Math.floor((Number(now - t0) / 1e9) * options.ratePerS));
    if (due > sent) {
      let chunk = '';
      for (let i = sent; i < due; i++) {
        chunk += lines[i];
        sentNs[i] = Number(now);
      }
      sent = due;
      child.stdin.write(chunk);
    }
    await sleep(1);
  }
  const sendSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  child.stdin.end();
  const code = await exited;
  if (code !== 0) throw new Error(`live child exited with ${code}`);
  if (flags.length > 0) writeFileSync(join(tmpdir(), 'bench-live-child.out'), stdout); // what the flags printed
  const result = JSON.parse(
    stdout
      .trim()
      .split('\n')
      .findLast((l) => l.startsWith('{"events":')) ?? '{}', // the result line; V8's traces (child flags) print lines of '{' too
  ) as ChildResult;

  const alertMs: number[] = [];
  const sinceDetectMs: number[] = [];
  const commitMs: number[] = [];
  for (const [detect, before, committed, took] of rowsOf(commitLog).map((r) => r.map(Number) as [number, number, number, number])) {
    if (before >= sentNs.length) continue; // raised at end of input (onEnd), not by an arriving event
    commitMs.push(took / 1e6);
    // The event that raised the alert is in the batch that starts at event `before`: timing from
    // that batch's first event errs high by at most the batch's own spread.
    alertMs.push((committed - sentNs[before]!) / 1e6);
    // For comparison, the first event at or after the alert's detection time (event clock): this
    // also counts how long, in event time, the detector waited before raising it.
    const idx = firstAtOrAfter(ts, detect);
    if (idx < ts.length) sinceDetectMs.push((committed - sentNs[idx]!) / 1e6);
  }
  // Every event is done when the batch holding it is (the child accepts every line of the feed).
  const eventDoneMs = new Float64Array(sentNs.length);
  const batches: { started: number; done: number; events: number }[] = [];
  let next = 0;
  for (const [doneEvents, started, done] of rowsOf(`${commitLog}.batches`).map((r) => r.map(Number) as [number, number, number])) {
    const end = Math.min(doneEvents, sentNs.length);
    batches.push({ started, done, events: end - next });
    for (; next < end; next++) eventDoneMs[next] = (done - sentNs[next]!) / 1e6;
  }
  const eventMs = Array.from(eventDoneMs.subarray(0, next));
  const pauses = rowsOf(`${commitLog}.gc`)
    .map(([at, took, kind]) => ({ at: Number(at), ms: Number(took) / 1e6, kind }))
    .filter((p) => p.at >= Number(t0));
  const loop = rowsOf(`${commitLog}.loop`).map((r) => r.map(Number) as [number, number, number]);
  rmSync(dir, { recursive: true, force: true });
  const lastDone = batches[batches.length - 1]?.done ?? Number(t0);
  const timeline =
    options.timelineMs === undefined ? undefined : timelineOf(options.timelineMs, Number(t0), sentNs, eventDoneMs, batches, pauses, loop);
  return {
    sent: lines.length,
    sendSeconds,
    child: result,
    alerts: percentiles(alertMs),
    alertsSinceDetect: percentiles(sinceDetectMs),
    events: percentiles(eventMs),
    batches: percentiles(batches.map((b) => (b.done - b.started) / 1e6)),
    commits: percentiles(commitMs),
    meanBatch: eventMs.length / Math.max(1, batches.length),
    mainThreadBusy: loopBusy(loop, Number(t0), lastDone),
    gc: {
      ...percentiles(pauses.map((p) => p.ms)),
      totalMs: pauses.reduce((sum, p) => sum + p.ms, 0),
      scavenges: pauses.filter((p) => p.kind === 'scavenge').length,
    },
    ...(timeline ? { timeline } : {}),
  };
}

/** The rows of one of the child's logs, split at commas. */
function rowsOf(path: string): string[][] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((row) => row !== '')
    .map((row) => row.split(','));
}

/**
 * Event-loop utilisation between two times, from cumulative samples `[ns, active ms, idle ms]`: over
 * the nearest samples that enclose the span (a busy loop delays the sampling timer, so a slice may
 * hold none).
 */
function loopBusy(samples: readonly [number, number, number][], fromNs: number, toNs: number): number {
  const first = samples.findLast((s) => s[0] <= fromNs) ?? samples[0];
  const last = samples.find((s) => s[0] >= toNs) ?? samples[samples.length - 1];
  if (!first || !last || last === first) return NaN;
  const active = last[1] - first[1];
  return active / (active + last[2] - first[2]);
}

/** Cuts the feed into slices of `sliceMs` by send time (ns on the shared monotonic clock). */
function timelineOf(
  sliceMs: number,
  t0: number,
  sentNs: Float64Array,
  eventDoneMs: Float64Array,
  batches: readonly { started: number; done: number; events: number }[],
  pauses: readonly { at: number; ms: number }[],
  loop: readonly [number, number, number][],
): TimelineRow[] {
  const sliceNs = sliceMs * 1e6;
  const end = Math.max(sentNs[sentNs.length - 1] ?? t0, batches[batches.length - 1]?.done ?? t0);
  const slices = Math.max(1, Math.ceil((end - t0) / sliceNs));
  const sliceOf = (ns: number): number => Math.min(slices - 1, Math.max(0, Math.floor((ns - t0) / sliceNs)));
  const sent = new Float64Array(slices);
  const worst = new Float64Array(slices);
  const busyNs = new Float64Array(slices);
  const batchEvents = new Float64Array(slices);
  const batchNs = new Float64Array(slices);
  const gcMs = new Float64Array(slices);
  const gcMax = new Float64Array(slices);
  for (let i = 0; i < sentNs.length; i++) {
    const s = sliceOf(sentNs[i]!);
    sent[s]!++;
    worst[s] = Math.max(worst[s]!, eventDoneMs[i]!);
  }
  for (const b of batches) {
    const s = sliceOf(b.started);
    batchEvents[s]! += b.events;
    batchNs[s]! += b.done - b.started;
    // A batch's busy time is spread over the slices it spans.
    for (let at = b.started; at < b.done;) {
      const k = sliceOf(at);
      const sliceEnd = t0 + (k + 1) * sliceNs;
      const until = k === slices - 1 ? b.done : Math.min(b.done, sliceEnd);
      busyNs[k]! += until - at;
      at = until;
    }
  }
  for (const p of pauses) {
    const s = sliceOf(p.at);
    gcMs[s]! += p.ms;
    gcMax[s] = Math.max(gcMax[s]!, p.ms);
  }
  const rows: TimelineRow[] = [];
  for (let s = 0; s < slices; s++) {
    rows.push({
      atMs: s * sliceMs,
      sent: sent[s]!,
      busy: busyNs[s]! / sliceNs,
      loopBusy: loopBusy(loop, t0 + s * sliceNs, t0 + (s + 1) * sliceNs),
      usPerEvent: batchEvents[s]! > 0 ? batchNs[s]! / 1e3 / batchEvents[s]! : 0,
      worstMs: worst[s]!,
      gcMs: gcMs[s]!,
      gcMaxMs: gcMax[s]!,
    });
  }
  return rows;
}

function percentiles(values: number[]): Percentiles {
  values.sort((a, b) => a - b);
  const pct = (p: number): number => values[Math.min(values.length - 1, Math.floor(p * values.length))] ?? NaN;
  return { count: values.length, p50Ms: pct(0.5), p99Ms: pct(0.99), p999Ms: pct(0.999), maxMs: values[values.length - 1] ?? NaN };
}

function firstAtOrAfter(ts: Float64Array, t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
