import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MarketEvent } from '../src/domain/events.js';
import { simulate } from '../src/ingest/simulator/simulator.js';
import type { ChildResult, ReplayTask } from './child.js';

/**
 * The live-latency case: the simulator's events (with its injected manipulations, so alerts come
 * at known event times) are written as canonical CSV to a child's stdin at a fixed rate; the child
 * runs the live path (stdin → sequencer → engine → SQLite) and logs when each alert was committed.
 * Latency = commit time − the time the feeder wrote the first event at or after the alert's
 * detection time (both CLOCK_MONOTONIC via hrtime, which is shared by processes on one machine).
 * That event is the earliest that can have triggered the alert, so the figure errs high, not low.
 */

export interface LiveOptions {
  readonly childPath: string;
  readonly ratePerS: number;
  readonly events: number;
}

export interface LiveResult {
  readonly sent: number;
  readonly sendSeconds: number;
  readonly child: ChildResult;
  readonly alertsMeasured: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

const SYMBOLS = ['AAPL', 'MSFT', 'NVDA', 'TSLA'];

function csvOf(e: MarketEvent): string | undefined {
  switch (e.type) {
    case 'trade':
      return `trade,${e.tsMs},${e.symbol},${e.price},${e.qty},${e.buyer},${e.seller},${e.tradeId},,,${e.side ?? ''},\n`;
    case 'order':
      return `order,${e.tsMs},${e.symbol},${e.price},${e.qty},,,,${e.orderId},${e.account},${e.side},${e.action}\n`;
    case 'quote':
      return undefined;
  }
}

/** Builds the feed: simulator events as CSV lines with their event times. */
function feed(events: number): { lines: string[]; ts: Float64Array } {
  const sim = simulate({ symbols: SYMBOLS, seed: 7, startMs: Date.UTC(2026, 2, 2, 14, 0), durationMs: 5 * 24 * 3600_000, inject: true });
  const lines: string[] = [];
  const ts: number[] = [];
  outer: for (const batch of sim.batches) {
    for (const e of batch) {
      const line = csvOf(e);
      if (line === undefined) continue;
      lines.push(line);
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
  const task: ReplayTask = { mode: 'replay', files: ['-'], format: 'canonical', store: true, simSessions: SYMBOLS, commitLog };
  const child = spawn(process.execPath, [options.childPath, JSON.stringify(task)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));

  const sentNs = new Float64Array(lines.length);
  child.stdin.write('type,ts,symbol,price,qty,buyer,seller,trade_id,order_id,account,side,action\n');
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

  const latencies: number[] = [];
  for (const row of readFileSync(commitLog, 'utf8').split('\n')) {
    if (!row) continue;
    const [detect, committed] = row.split(',');
    const idx = firstAtOrAfter(ts, Number(detect));
    if (idx >= ts.length) continue; // raised at end of input (onEnd), not by an arriving event
    latencies.push((Number(committed) - sentNs[idx]!) / 1e6);
  }
  rmSync(dir, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  const pct = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return {
    sent: lines.length,
    sendSeconds,
    child: result,
    alertsMeasured: latencies.length,
    p50Ms: pct(0.5),
    p99Ms: pct(0.99),
    maxMs: latencies[latencies.length - 1] ?? NaN,
  };
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
