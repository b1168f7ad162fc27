import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { UsageError } from '../../domain/errors.js';
import { detectorsFor } from '../../detect/registry.js';
import { runFiles } from '../../engine/pipeline.js';
import { configFor, parseSymbols, parseThreads, storeFor, type GlobalOptions } from '../context.js';
import { num, out, paint } from '../output.js';
import { parseColumnMap, printRaised, printRejects, progress, rejectsFor, StoreSink } from '../run-common.js';

interface ReplayOptions {
  symbols?: string;
  format?: string;
  map?: string;
  rejects?: string;
  strict?: boolean;
  store: boolean;
  json?: boolean;
  threads?: string;
}

/** Below this much input, starting detection threads (≈0.2 s, docs/PERFORMANCE.md) does not pay. */
const THREADS_FROM_BYTES = 4 << 20;
/** Beyond this the reading thread (≈2.5 µs an event) is the limit, not detection. */
const MAX_THREADS = 8;

/** `--threads`: as given, else the machine's cores (at most MAX_THREADS) for inputs worth it, else 1. */
function threadsFor(option: string | undefined, files: readonly string[]): number {
  if (option !== undefined) return parseThreads(option);
  // stdin has no size: it is taken as large.
  const bytes = files.reduce((sum, f) => sum + (f === '-' ? Infinity : statSync(f).size), 0);
  return bytes < THREADS_FROM_BYTES ? 1 : Math.min(availableParallelism(), MAX_THREADS);
}

/** `replay`: processes historical files as fast as possible into the store. */
export function registerReplay(program: Command, g: () => GlobalOptions): void {
  program
    .command('replay')
    .description('process historical files (any supported format) as fast as possible into the store')
    .argument('<files...>', 'input files (merged in event-time order); - for stdin')
    .option('--symbols <list>', 'only these symbols, e.g. AAPL,MSFT')
    .option('--format <name>', 'input format (default: detected); see docs/FORMATS.md')
    .option('--map <pairs>', 'column mapping for canonical CSV, e.g. ts=timestamp,qty=amount')
    .option('--rejects <path>', 'where rejected rows are kept (NDJSON)')
    .option('--strict', 'stop at the first bad row (non-zero exit)')
    .option('--no-store', 'do not write alerts to the store (dry run)')
    .option('--json', 'print the run summary as JSON')
    .option(
      '--threads <n>',
      `detection threads, symbols split over them (default: the cores, at most ${MAX_THREADS}, for inputs over 4 MB; 1: none)`,
    )
    .action(async (files: string[], o: ReplayOptions) => {
      for (const f of files) if (f !== '-' && !existsSync(f)) throw new UsageError(`input file not found: ${f}`);
      const threads = threadsFor(o.threads, files);
      const { config } = configFor(g());
      const symbols = parseSymbols(o.symbols, false);
      const store = o.store ? await storeFor(g()) : null;
      const rejects = rejectsFor(o.rejects, o.strict === true);
      // Replay is not latency-bound: alerts are committed 1,000 at a time, the rest at the end.
      const sink = new StoreSink(store, 1000);
      const bar = progress('replay');
      const started = process.hrtime.bigint();
      try {
        const stats = await runFiles({
          inputs: files,
          format: o.format,
          columnMap: parseColumnMap(o.map),
          symbols: symbols.length ? new Set(symbols) : undefined,
          config,
          detectors: detectorsFor(),
          sink,
          rejects,
          onBatch: (s) => bar.tick(s),
          threads,
        });
        await sink.flush();
        bar.done();
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const rate = stats.events / Math.max(seconds, 1e-9);
        if (o.json) {
          const byType: Record<string, number> = {};
          for (const a of sink.raised.values()) byType[a.type] = (byType[a.type] ?? 0) + 1;
          out(
            JSON.stringify(
              {
                files,
                ...stats,
                rejected: rejects.count,
                rejects_file: rejects.count ? rejects.path : null,
                seconds,
                events_per_second: rate,
                threads,
                alerts_by_type: byType,
              },
              null,
              2,
            ),
          );
        } else {
          out(paint('REPLAY SUMMARY', 'bold'));
          out(`Files: ${files.join(', ')}`);
          out(
            `Events: ${num(stats.events)} (trades ${num(stats.trades)}, orders ${num(stats.orders)}, quotes ${num(stats.quotes)}), rejected ${num(rejects.count)}`,
          );
          if (stats.firstTsMs !== null && stats.lastTsMs !== null) {
            out(`Event time: ${new Date(stats.firstTsMs).toISOString()} → ${new Date(stats.lastTsMs).toISOString()}`);
          }
          out(`Time: ${seconds.toFixed(2)} s   throughput: ${num(rate)} events/s${threads > 1 ? `   (${threads} detection threads)` : ''}`);
          printRaised(sink.raised);
        }
        printRejects(rejects);
      } finally {
        bar.done();
        await sink.flush();
        await rejects.close();
        await store?.close();
      }
    });
}
