import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PATTERN_TYPES } from '../src/domain/alert.js';
import { sharedFile } from '../src/testing/shared-data.js';
import type { ChildResult, ChildTask } from './child.js';
import { ensureData, type DataSpec } from './generate.js';
import { runLive, type LiveResult, type Percentiles } from './live.js';
import { medianOf } from '../src/detect/window/select.js';

/**
 * `npm run bench [-- --case trades,mixed --events 2000000 --full]`: runs each case in its own
 * process (its peak RSS is its own) next to the same file's read-and-split baseline, and prints
 * one table plus the command and machine, ready for docs/PERFORMANCE.md.
 */

const HERE = dirname(fileURLToPath(import.meta.url));
const CHILD = join(HERE, 'child.js');
const ALL_CASES = ['trades', 'mixed', 'spy', 'cme', 'symbols', 'accounts', 'memory', 'live', 'detectors', 'bus'] as const;
type CaseName = (typeof ALL_CASES)[number];

const { values } = parseArgs({
  options: {
    case: { type: 'string' },
    events: { type: 'string' },
    full: { type: 'boolean', default: false },
    'data-dir': { type: 'string' },
    rate: { type: 'string' },
    'no-store': { type: 'boolean', default: false },
    detectors: { type: 'string' },
    timeout: { type: 'string' },
    threads: { type: 'string' },
    profile: { type: 'string' },
    timeline: { type: 'string' },
    repeat: { type: 'string' },
    'warm-up': { type: 'string' },
    passes: { type: 'string' },
  },
});

/** A whole-number option's value (≥ `min`), or `fallback` when absent; anything else stops the bench with the option named. */
function countOption(name: keyof typeof values, fallback: number, min = 1): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isInteger(n) || n < min) {
    throw new Error(`--${name} must be a whole number ≥ ${min}, got '${String(raw)}'`);
  }
  return n;
}

const full = values.full === true;
const mainEvents = countOption('events', full ? 10_000_000 : 2_000_000);
const sweepEvents = countOption('events', full ? 2_000_000 : 500_000);
const dataDir = resolve(values['data-dir'] ?? join(HERE, '..', '..', 'bench', '.data'));
const store = values['no-store'] !== true;
/** Per-case limit: with today's detectors a full-size case can take hours (docs/PERFORMANCE.md). */
const timeoutS = countOption('timeout', 600);
/** Detection threads for the replay cases (`replay --threads`); 1 by default: the same run as before. */
const threads = countOption('threads', 1);
/** Replay cases: passes over the file in one child, the last one timed (steady state: compiled code); 1 by default. */
const passes = countOption('passes', 1);
// `--detectors none` measures the ingestion path alone; a list runs only those patterns.
const detectors =
  values.detectors === undefined || values.detectors === 'all' ? undefined : values.detectors === 'none' ? [] : values.detectors.split(',');
const cases: CaseName[] = values.case
  ? values.case.split(',').map((c) => {
      if (!(ALL_CASES as readonly string[]).includes(c)) throw new Error(`unknown case '${c}' (known: ${ALL_CASES.join(', ')})`);
      return c as CaseName;
    })
  : ALL_CASES.filter((c) => c !== 'detectors' && c !== 'bus');

interface Row {
  readonly name: string;
  readonly result: ChildResult;
  readonly baseline?: ChildResult | undefined;
  readonly note?: string | undefined;
}
const rows: Row[] = [];
const notes: string[] = [];

function log(s: string): void {
  process.stderr.write(`${s}\n`);
}

/** A case's result, or undefined when it ran past `--timeout` (it is stopped and reported so). */
function runChild(task: ChildTask): ChildResult | undefined {
  const r = spawnSync(process.execPath, [CHILD, JSON.stringify(task)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 24,
    timeout: timeoutS * 1000,
  });
  if (r.signal === 'SIGTERM' && r.status === null) return undefined;
  if (r.status !== 0) throw new Error(`bench child failed (${r.status ?? r.signal}): ${JSON.stringify(task)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as ChildResult;
}

function measure(name: string, files: readonly string[], format?: string, only?: readonly string[]): void {
  log(`case ${name}: ${files.length} file(s)`);
  const baseline = runChild({ mode: 'baseline', files });
  const result = runChild({ mode: 'replay', files, format, store, detectors: only ?? detectors, threads, passes });
  if (!result) {
    notes.push(`${name}: stopped after --timeout ${timeoutS} s`);
    log(`  stopped after ${timeoutS} s`);
    return;
  }
  rows.push({ name, result, baseline });
  log(`  ${fmtRow(rows[rows.length - 1]!)}`);
}

async function synthetic(name: string, spec: DataSpec): Promise<void> {
  const path = await ensureData(dataDir, spec, log);
  measure(name, [path], 'canonical');
}

async function runCase(c: CaseName): Promise<void> {
  switch (c) {
    case 'trades':
      return synthetic(`trades ${short(mainEvents)}`, { kind: 'trades', events: mainEvents, symbols: 100, accounts: 10_000 });
    case 'mixed':
      return synthetic(`mixed ${short(mainEvents)} (70% orders)`, {
        kind: 'mixed',
        events: mainEvents,
        symbols: 100,
        accounts: 10_000,
        orderShare: 0.7,
      });
    case 'spy': {
      const dir = sharedFile('us-equity-taq-2013');
      const files = dir
        ? readdirSync(dir)
            .filter((f) => /_spy_.*_trade\.zip$/.test(f))
            .sort()
            .map((f) => join(dir, f))
        : [];
      if (files.length === 0) {
        notes.push('spy: skipped, ../shared/data/us-equity-taq-2013 is absent');
        return;
      }
      return measure('SPY tape (LEAN zips, 5 days)', files);
    }
    case 'cme': {
      const f = sharedFile('cme-es-mbo/esh4-glbx-mdp3-20231225.mbo.csv.gz');
      if (!f) {
        notes.push('cme: skipped, ../shared/data/cme-es-mbo is absent');
        return;
      }
      return measure('CME ES market-by-order', [f]);
    }
    case 'symbols':
      for (const symbols of [10, 100, 1_000, 10_000]) {
        await synthetic(`symbols ${short(symbols)} (trades ${short(sweepEvents)})`, {
          kind: 'trades',
          events: sweepEvents,
          symbols,
          accounts: 10_000,
        });
      }
      return;
    case 'accounts':
      for (const accounts of [1_000, 10_000, 100_000, 1_000_000]) {
        await synthetic(`accounts ${short(accounts)} (trades ${short(sweepEvents)})`, {
          kind: 'trades',
          events: sweepEvents,
          symbols: 100,
          accounts,
        });
      }
      return;
    case 'memory': {
      // Peak RSS must not grow with the stream: the same density (one trade per 11.7 ms, the 2M-a-
      // session rate) at 1× and 10× the length (issue 5: 10M and 100M with --full), so the longer
      // file is a longer stream, not a denser one.
      const small = countOption('events', full ? 10_000_000 : 1_000_000);
      const msPerEvent = 11.7;
      for (const events of [small, small * 10]) {
        await synthetic(`memory: trades ${short(events)} @ ${msPerEvent} ms/trade`, {
          kind: 'trades',
          events,
          symbols: 100,
          accounts: 10_000,
          msPerEvent,
        });
      }
      await synthetic(`memory: 100k symbols (trades ${short(small * 2)})`, {
        kind: 'trades',
        events: small * 2,
        symbols: 100_000,
        accounts: 100_000,
      });
      return;
    }
    case 'detectors': {
      // Each detector alone (and none) on the same small files: where the end-to-end time goes.
      const events = countOption('events', 20_000);
      const files = [
        await ensureData(dataDir, { kind: 'trades', events, symbols: 100, accounts: 10_000 }, log),
        await ensureData(dataDir, { kind: 'mixed', events, symbols: 100, accounts: 10_000, orderShare: 0.7 }, log),
      ];
      for (const [i, f] of files.entries()) {
        const label = i === 0 ? 'trades' : 'mixed';
        measure(`${label} ${short(events)}: no detector`, [f], 'canonical', []);
        for (const p of PATTERN_TYPES) measure(`${label} ${short(events)}: ${p} alone`, [f], 'canonical', [p]);
      }
      return;
    }
    case 'bus': {
      // publish → 2 worker processes → PostgreSQL; needs the local NATS and PostgreSQL (.ci/services.sh).
      // At this density the detector state grows with the stream (≈ 1.1 GB for 1M events): the
      // bench's own reference engine needs a larger heap than Node's default.
      const events = countOption('events', full ? 1_000_000 : 300_000);
      log(`case bus: ${short(events)} events through NATS JetStream to 2 workers and PostgreSQL`);
      const args = [join(HERE, 'bus-throughput.js'), '--events', String(events), '--workers', '2'];
      const r = spawnSync(process.execPath, ['--max-old-space-size=8192', ...args], {
        encoding: 'utf8',
        timeout: timeoutS * 1000,
      });
      const text = `${r.stdout}${r.stderr}`.trim();
      notes.push(
        `bus case (\`node --max-old-space-size=8192 dist/bench/bus-throughput.js --events ${events} --workers 2\`):\n\n${text
          .split('\n')
          .map((l) => `    ${l}`)
          .join('\n')}`,
      );
      log(text);
      return;
    }
    case 'live': {
      const ratePerS = countOption('rate', 100_000);
      const events = countOption('events', full ? 1_000_000 : 300_000);
      log(`case live: ${short(events)} events at ${short(ratePerS)}/s through stdin${threads > 1 ? `, ${threads} detection threads` : ''}`);
      // The alert p99 is the largest of ≈ 70 writes, so one run says little: `--repeat N` runs the case N
      // times (each its own child) and adds a row with the median of each figure.
      const repeat = countOption('repeat', 1);
      const results: LiveResult[] = [];
      const ms = (p: Percentiles): string => `p50 ${p.p50Ms.toFixed(1)} ms, p99 ${p.p99Ms.toFixed(1)} ms, max ${p.maxMs.toFixed(1)} ms`;
      for (let run = 1; run <= repeat; run++) {
        const r = await runLive({
          childPath: CHILD,
          ratePerS,
          events,
          threads,
          detectors,
          profileDir: values.profile,
          timelineMs: values.timeline !== undefined ? countOption('timeline', 100) : undefined,
          warmUp: values['warm-up'] !== undefined ? countOption('warm-up', 0, 0) : undefined,
        });
        rows.push({
          name: `live stdin @ ${short(ratePerS)} events/s`,
          result: r.child,
          note:
            `sent in ${r.sendSeconds.toFixed(1)} s; ${r.alerts.count} alert writes: ${ms(r.alerts)} ` +
            `(from the detection time's event: ${ms(r.alertsSinceDetect)}); ` +
            `every event: ${ms(r.events)} (p99.9 ${r.events.p999Ms.toFixed(1)} ms); ` +
            `${r.batches.count} batches of ${r.meanBatch.toFixed(0)} events, each ${ms(r.batches)}; ` +
            `SQLite commits ${ms(r.commits)}; ` +
            `${r.gc.count} GC pauses (${r.gc.scavenges} scavenges) ${ms(r.gc)}, ${r.gc.totalMs.toFixed(0)} ms in all; ` +
            `main thread busy ${(r.mainThreadBusy * 100).toFixed(0)}%; child CPU ${(r.child.cpuSeconds ?? NaN).toFixed(1)} s; load ${loadavg()[0]!.toFixed(1)}`,
        });
        log(`  ${rows[rows.length - 1]!.note}`);
        if (r.timeline) {
          log(
            `  timeline per ${values.timeline} ms of the feed: start ms, events sent, in batches %, main thread busy %, µs an event (batches), worst event ms, GC ms (longest)`,
          );
          for (const t of r.timeline) {
            log(
              `  ${String(t.atMs).padStart(6)} ${String(t.sent).padStart(6)} ${(t.busy * 100).toFixed(0).padStart(4)}% ${(t.loopBusy * 100).toFixed(0).padStart(4)}% ` +
                `${t.usPerEvent.toFixed(1).padStart(6)} ${t.worstMs.toFixed(1).padStart(7)} ${t.gcMs.toFixed(1).padStart(6)} (${t.gcMaxMs.toFixed(1)})`,
            );
          }
        }
        results.push(r);
      }
      if (repeat > 1) {
        const median = (f: (r: LiveResult) => number): string => medianOf(results.map(f), results.length).toFixed(1);
        const note =
          `median of ${repeat} runs: alert p99 ${median((r) => r.alerts.p99Ms)} ms (each: ${results.map((r) => r.alerts.p99Ms.toFixed(1)).join(', ')}); ` +
          `every event p50 ${median((r) => r.events.p50Ms)} ms, p99 ${median((r) => r.events.p99Ms)} ms; ` +
          `SQLite commit p99 ${median((r) => r.commits.p99Ms)} ms; longest GC pause ${median((r) => r.gc.maxMs)} ms; ` +
          `main thread busy ${median((r) => r.mainThreadBusy * 100)}%; ` +
          `child CPU ${median((r) => r.child.cpuSeconds ?? NaN)} s`;
        rows.push({ name: `live stdin @ ${short(ratePerS)} events/s, median`, result: results[results.length - 1]!.child, note });
        log(`  ${note}`);
      }
      return;
    }
  }
}

function short(n: number): string {
  if (n >= 1e6 && n % 1e5 === 0) return `${n / 1e6}M`;
  if (n >= 1e3 && n % 100 === 0) return `${n / 1e3}k`;
  return String(n);
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function fmtRow(r: Row): string {
  const rate = r.result.events / r.result.seconds;
  const ratio = r.baseline ? (r.result.seconds / r.baseline.seconds).toFixed(1) : '';
  return [
    r.name,
    fmt(r.result.events),
    r.result.seconds.toFixed(2),
    fmt(rate),
    fmt(r.result.maxRssMb),
    r.baseline ? r.baseline.seconds.toFixed(2) : '',
    ratio,
    r.result.alerts !== undefined ? fmt(r.result.alerts) : '',
    r.note ?? '',
  ].join(' | ');
}

const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
const cpu = cpus();
log(
  `detectors: ${detectors ? (detectors.length ? detectors.join(',') : 'none') : 'all'}; data: ${dataDir}${existsSync(dataDir) ? '' : ' (created)'}; store: ${store ? 'SQLite, fresh file per case' : 'none'}`,
);
for (const c of cases) await runCase(c);
const out: string[] = [];
out.push(`Command: \`${command}\``);
out.push(
  `Detectors: ${detectors ? (detectors.length ? detectors.join(', ') : 'none (ingestion path only)') : 'all 8'}; alerts ${store ? 'stored in SQLite' : 'not stored'}; detection threads: ${threads}` +
    (passes > 1 ? `; replay seconds are the last of ${passes} passes in one process (steady state; peak RSS is the process's)` : ''),
);
out.push(
  `Machine: ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GB RAM, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
);
out.push('');
out.push('| case | events | seconds | events/s | peak RSS MB | baseline s (read+split) | ratio | alerts | notes |');
out.push('|---|---:|---:|---:|---:|---:|---:|---:|---|');
for (const r of rows) out.push(`| ${fmtRow(r)} |`);
for (const n of notes) out.push(`\n${n}`);
process.stdout.write(`${out.join('\n')}\n`);
