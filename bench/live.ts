import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
  const child = spawn(process.execPath, [...profile, options.childPath, JSON.stringify(task)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let stdout = '';
  let ready: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (ready = resolve));
  child.stdout.on('data', (b: Buffer) => {
    stdout += b.toString('utf8');
    if (stdout.startsWith('ready\n')) ready();
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
  const result = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as ChildResult;

  const alertMs: number[] = [];
  const sinceDetectMs: number[] = [];
  const commitMs: number[] = [];
  for (const row of readFileSync(commitLog, 'utf8').split('\n')) {
    if (!row) continue;
    const [detect, before, committed, took] = row.split(',').map(Number) as [number, number, number, number];
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
  const eventMs: number[] = [];
  const batchMs: number[] = [];
  let next = 0;
  for (const row of readFileSync(`${commitLog}.batches`, 'utf8').split('\n')) {
    if (!row) continue;
    const [doneEvents, started, done] = row.split(',').map(Number) as [number, number, number];
    batchMs.push((done - started) / 1e6);
    for (; next < Math.min(doneEvents, sentNs.length); next++) eventMs.push((done - sentNs[next]!) / 1e6);
  }
  rmSync(dir, { recursive: true, force: true });
  return {
    sent: lines.length,
    sendSeconds,
    child: result,
    alerts: percentiles(alertMs),
    alertsSinceDetect: percentiles(sinceDetectMs),
    events: percentiles(eventMs),
    batches: percentiles(batchMs),
    commits: percentiles(commitMs),
    meanBatch: eventMs.length / Math.max(1, batchMs.length),
  };
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
