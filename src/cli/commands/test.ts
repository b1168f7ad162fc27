import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { parsePattern, type Alert, type PatternType } from '../../domain/alert.js';
import { UsageError } from '../../domain/errors.js';
import { detectorsFor } from '../../detect/registry.js';
import { Engine } from '../../engine/engine.js';
import { runBatches } from '../../engine/pipeline.js';
import { formatLabelsCsv } from '../../evaluate/labels-csv.js';
import { formatScore, score, type Score } from '../../evaluate/score.js';
import { simulate, simulatorSessions } from '../../ingest/simulator/simulator.js';
import { configFor, parseNonNegative, parseSymbols, storeFor, type GlobalOptions } from '../context.js';
import { num, out, paint } from '../output.js';
import { StoreSink } from '../run-common.js';

interface TestOptions {
  symbols?: string;
  duration?: string;
  seed?: string;
  seeds?: string;
  start?: string;
  store: boolean;
  labelsOut?: string;
  types?: string;
  json?: boolean;
}

/** Default simulated start: a Monday at 09:00 New York time, half an hour before the open. */
const DEFAULT_START = '2026-03-02T14:00:00Z';

/**
 * `test`: runs the simulator over simulated market time as fast as possible, with labelled
 * injected scenarios, and scores what was detected against what was injected.
 */
export function registerTest(program: Command, g: () => GlobalOptions): void {
  program
    .command('test')
    .description('run on simulated data with injected manipulation; print detected vs injected per pattern')
    .option('--symbols <list>', 'symbols to simulate', 'AAPL,MSFT,TSLA,NVDA')
    .option('--duration <seconds>', 'simulated market time in seconds (runs as fast as possible)', '28800')
    .option('--seed <n>', 'first simulator seed', '1')
    .option('--seeds <k>', 'run K seeds (seed, seed+1, …) and pool the scores', '1')
    .option('--start <time>', 'simulated start time (ISO-8601)', DEFAULT_START)
    .option('--no-store', 'do not write the alerts to the store')
    .option('--labels-out <file>', 'write the injected scenarios as a labels CSV (for evaluate)')
    .option('--types <list>', 'only inject and detect these patterns, e.g. spoofing,layering')
    .option('--json', 'machine-readable output')
    .action(async (o: TestOptions) => {
      const symbols = parseSymbols(o.symbols, true);
      const durationMs = parseNonNegative('--duration', o.duration, 28800) * 1000;
      if (durationMs <= 0) throw new UsageError('--duration must be positive for test');
      const seed0 = parseNonNegative('--seed', o.seed, 1);
      const seeds = Math.max(1, Math.floor(parseNonNegative('--seeds', o.seeds, 1)));
      const startMs = Date.parse(o.start ?? DEFAULT_START);
      if (!Number.isFinite(startMs)) throw new UsageError(`--start must be an ISO-8601 time, got '${o.start}'`);
      const types = (o.types ?? '')
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x.length > 0);
      for (const t of types)
        if (!parsePattern(t)) throw new UsageError(`--types: '${t}' is not a pattern (see: surveillance list-patterns)`);
      const patterns = types as PatternType[];
      const base = configFor(g()).config;
      const config = { ...base, sessions: { ...simulatorSessions(symbols), ...base.sessions } };
      const store = o.store ? await storeFor(g()) : null;
      const allAlerts: Alert[] = [];
      const allLabels: ReturnType<typeof simulate>['labels'][number][] = [];
      const firstSeen = new Map<string, number>();
      let events = 0;
      const started = process.hrtime.bigint();
      try {
        for (let k = 0; k < seeds; k++) {
          const seed = seed0 + k;
          // Seeds run one after another in simulated time, so their alert ids never collide.
          const sim = simulate({
            symbols,
            seed,
            startMs: startMs + k * 7 * 86_400_000,
            durationMs,
            inject: true,
            scenarioTypes: patterns.length ? patterns : undefined,
          });
          const sink = new StoreSink(store);
          const engine = new Engine(detectorsFor(patterns), config, sink);
          const stats = await runBatches(sim.batches, engine);
          events += stats.events;
          for (const a of sink.raised.values()) {
            allAlerts.push(a);
            firstSeen.set(a.alert_id, Date.parse(a.timestamp));
          }
          allLabels.push(...sim.labels);
        }
      } finally {
        await store?.close();
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const result: Score = score(allAlerts, allLabels, { firstSeenMs: firstSeen });
      if (o.labelsOut) writeFileSync(o.labelsOut, formatLabelsCsv(allLabels));
      if (o.json) {
        out(
          JSON.stringify(
            {
              symbols,
              seeds,
              duration_s: durationMs / 1000,
              events,
              seconds,
              alerts: allAlerts.length,
              labels: allLabels.length,
              score: { byType: result.byType, macroF1: result.macroF1 },
            },
            null,
            2,
          ),
        );
        return;
      }
      out(paint('SIMULATION TEST', 'bold'));
      out(`Symbols: ${symbols.join(', ')}   seeds: ${seeds} (from ${seed0})   simulated: ${durationMs / 1000}s each`);
      out(
        `Events: ${num(events)} in ${seconds.toFixed(1)} s (${num(events / seconds)} events/s)   injected scenarios: ${allLabels.filter((l) => !l.incidental).length}   alerts: ${allAlerts.length}`,
      );
      out('');
      out(formatScore(result));
      if (result.missed.length > 0) {
        out('');
        out(paint('Missed scenarios:', 'bold'));
        for (const l of result.missed.slice(0, 15)) {
          out(
            `  ${l.scenario_id} ${l.type}${l.variant ? `/${l.variant}` : ''} ${l.symbol} ${l.accounts.join(';')} ${new Date(l.startMs).toISOString()}`,
          );
        }
      }
      if (result.falsePositives.length > 0) {
        out('');
        out(paint('Alerts matching no injected scenario:', 'bold'));
        for (const a of result.falsePositives.slice(0, 15))
          out(`  ${a.alert_id} ${a.type} ${a.affected_symbols.join(',')} — ${a.description}`);
      }
      if (store) out(`\nAlerts stored; see: surveillance alerts`);
    });
}
