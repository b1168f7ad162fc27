import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig, type Config } from '../config/config.js';
import { PATTERN_TYPES, type Alert, type PatternType } from '../domain/alert.js';
import { DETECTORS } from '../detect/registry.js';
import { MemorySink, RejectsFile, runFiles } from '../engine/pipeline.js';
import { sharedDataDir } from '../testing/shared-data.js';

/**
 * Runs every detector over every shared real data set and prints the docs/REAL-DATA.md tables:
 * events, events/s, alerts by type, and the top alerts of each set for a human judgement.
 *   node dist/src/evaluate/real-data-main.js [--only NAME]
 */
interface DataSet {
  readonly name: string;
  readonly files: (dir: string) => string[];
  readonly config?: Record<string, unknown>;
  readonly symbols?: readonly string[];
  /** Symbol-days covered, for alerts per symbol-day. */
  readonly note: string;
}

const inDir =
  (sub: string, match: RegExp) =>
  (dir: string): string[] =>
    readdirSync(join(dir, sub))
      .filter((f) => match.test(f))
      .sort()
      .map((f) => join(dir, sub, f));

const NY = { open: '09:30', close: '16:00', timezone: 'America/New_York' };

const SETS: readonly DataSet[] = [
  { name: 'binance-pumps', files: inDir('binance-pumps/trades', /\.csv\.gz$/), note: '27 thin BTC pairs, ±2 days around known pumps' },
  { name: 'binance-spot-btcusdt', files: inDir('binance-raw-feed', /^spot_btcusdt/), note: 'Binance spot BTCUSDT websocket, 2 recordings' },
  { name: 'binance-spot-ethusdt', files: inDir('binance-raw-feed', /^spot_ethusdt/), note: 'Binance spot ETHUSDT websocket, 2 recordings' },
  { name: 'binance-usdm-btcusdt', files: inDir('binance-raw-feed', /^usdm_btcusdt/), note: 'Binance USD-M futures BTCUSDT websocket' },
  { name: 'hyperliquid', files: inDir('binance-raw-feed', /^hyperliquid/), note: 'Hyperliquid BTC trades with buyer/seller addresses' },
  {
    name: 'cme-es-mbo',
    files: inDir('cme-es-mbo', /20231225/),
    // The recording joins the book mid-session: cancels of orders added before it began are normal.
    config: { check_order_lifecycle: false },
    note: 'CME ES market-by-order, Globex reopen 2023-12-25 (lifecycle check off: joined mid-session)',
  },
  {
    name: 'lobster-aapl',
    files: inDir('lobster-aapl-snippet', /message/),
    config: { sessions: { '*': NY } },
    note: 'AAPL 2012-06-21, first 49 s',
  },
  {
    name: 'lean-spy',
    files: inDir('us-equity-taq-2013', /_spy_.*_trade\.zip$/),
    config: { sessions: { '*': NY } },
    note: 'SPY trades 7–11 Oct 2013 (incl. pre/post market)',
  },
  {
    name: 'lean-bac-aig-ibm',
    files: inDir('us-equity-taq-2013', /_(bac|aig|ibm)_.*_trade\.zip$/),
    config: { sessions: { '*': NY } },
    note: 'BAC, AIG, IBM trades 7–11 Oct 2013',
  },
  {
    name: 'lean-gold',
    files: inDir('us-equity-taq-2013', /_gc_.*_trade\.zip$/),
    note: 'COMEX gold futures trades (front month GCZ13)',
    symbols: ['GCZ13'],
  },
  {
    name: 'nepse',
    files: inDir('nepse-floorsheet', /\.csv\.gz$/),
    config: { sessions: { '*': { open: '11:00', close: '15:00', timezone: 'Asia/Kathmandu' } } },
    note: 'Nepal Stock Exchange, 26 trading days, broker ids as accounts',
  },
];

interface Result {
  readonly set: DataSet;
  readonly files: number;
  readonly events: number;
  readonly seconds: number;
  readonly rejected: number;
  readonly skipped: number;
  readonly symbolDays: number;
  readonly alerts: Alert[];
}

async function runSet(set: DataSet, dir: string): Promise<Result> {
  const files = set.files(dir);
  const config: Config = parseConfig(set.config ?? {});
  const sink = new MemorySink();
  const rejects = new RejectsFile(null);
  const symbolDays = new Set<string>();
  const started = process.hrtime.bigint();
  const stats = await runFiles({
    inputs: files,
    config,
    detectors: DETECTORS,
    sink,
    rejects,
    symbols: set.symbols ? new Set(set.symbols) : undefined,
    onBatch: () => undefined,
    onEvents: (events) => {
      for (const e of events) symbolDays.add(`${e.symbol}|${Math.floor(e.tsMs / 86_400_000)}`);
    },
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    set,
    files: files.length,
    events: stats.events,
    seconds,
    rejected: rejects.count,
    skipped: rejects.skipped,
    symbolDays: symbolDays.size,
    alerts: [...sink.alerts.values()],
  };
}

function markdown(results: readonly Result[]): string {
  const types = PATTERN_TYPES;
  const short: Record<PatternType, string> = {
    pump_and_dump: 'pump',
    wash_trading: 'wash',
    spoofing: 'spoof',
    layering: 'layer',
    volume_spike: 'volume',
    price_anomaly: 'price',
    concentrated_trading: 'conc',
    unusual_timing: 'timing',
  };
  const lines = [
    `| data set | files | events | rejected / skipped | s | events/s | symbol-days | ${types.map((t) => short[t]).join(' | ')} | alerts per symbol-day |`,
    `|---|---:|---:|---:|---:|---:|---:|${types.map(() => '---:').join('|')}|---:|`,
  ];
  for (const r of results) {
    const by = (t: string): number => r.alerts.filter((a) => a.type === t).length;
    lines.push(
      `| ${r.set.name} | ${r.files} | ${r.events.toLocaleString('en-US')} | ${r.rejected} / ${r.skipped} | ${r.seconds.toFixed(1)} | ${Math.round(r.events / r.seconds).toLocaleString('en-US')} | ${r.symbolDays} | ${types.map((t) => by(t)).join(' | ')} | ${(r.alerts.length / Math.max(1, r.symbolDays)).toFixed(2)} |`,
    );
  }
  for (const r of results) {
    lines.push('', `### ${r.set.name} — ${r.set.note}`, '');
    const top = [...r.alerts].sort((a, b) => b.risk_score * b.confidence - a.risk_score * a.confidence).slice(0, 5);
    if (top.length === 0) lines.push('No alerts.');
    for (const a of top)
      lines.push(`- **${a.type}** ${a.level} (conf ${a.confidence.toFixed(2)}, risk ${a.risk_score.toFixed(2)}): ${a.description}`);
  }
  return lines.join('\n');
}

async function main(argv: readonly string[]): Promise<void> {
  const dir = sharedDataDir();
  if (!dir) {
    process.stderr.write('../shared/data not found (set SURVEILLANCE_SHARED_DATA)\n');
    process.exit(2);
  }
  const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
  const results: Result[] = [];
  for (const set of SETS) {
    if (only && set.name !== only) continue;
    process.stderr.write(`running ${set.name}…\n`);
    results.push(await runSet(set, dir));
  }
  process.stdout.write(`${markdown(results)}\n`);
}

await main(process.argv.slice(2));
