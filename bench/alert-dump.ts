import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseConfig } from '../src/config/config.js';
import type { Alert, PatternType } from '../src/domain/alert.js';
import { detectorsFor } from '../src/detect/registry.js';
import { Engine } from '../src/engine/engine.js';
import { detectInThreads } from '../src/engine/parallel/threads.js';
import { MemorySink, RejectsFile, runBatches, runFiles } from '../src/engine/pipeline.js';
import type { MarketEvent } from '../src/domain/events.js';
import type { EventBatch } from '../src/ingest/source.js';
import { simulate, simulatorSessions } from '../src/ingest/simulator/simulator.js';
import { ensureData, type DataSpec } from './generate.js';

/**
 * The reference for "same input, same alerts": prints one line per alert (input, pattern, id and a
 * hash of the whole alert JSON) over the simulator and three generated bench files. Run it before
 * and after a change to a detector or the engine and `diff` the outputs: they must be identical.
 *
 *   node dist/bench/alert-dump.js [--detectors wash_trading,spoofing] [--hours 4] [--seeds 1,2] > before.txt
 *
 * With `--threads N` detection runs on N threads (`replay --threads`): the output must not change.
 * `--inputs a.zip,b.zip` also replays those files (any format `replay` reads) together, after the rest.
 */
const { values } = parseArgs({
  options: {
    detectors: { type: 'string' },
    hours: { type: 'string', default: '4' },
    seeds: { type: 'string', default: '1,2' },
    'no-files': { type: 'boolean' },
    threads: { type: 'string', default: '1' },
    inputs: { type: 'string' },
  },
});
const patterns = values.detectors ? (values.detectors.split(',') as PatternType[]) : undefined;
const factories = detectorsFor(patterns);
const threads = Number(values.threads);
const hash = (a: Alert): string => createHash('sha256').update(JSON.stringify(a)).digest('hex').slice(0, 16);

function print(input: string, alerts: Iterable<Alert>): void {
  const lines = [...alerts].map((a) => `${input} ${a.type} ${a.alert_id} ${a.window_start} ${a.confidence} ${a.risk_score} ${hash(a)}`);
  lines.sort();
  for (const l of lines) process.stdout.write(l + '\n');
  process.stderr.write(`${input}: ${lines.length} alerts\n`);
}

async function* asBatches(batches: Iterable<MarketEvent[]> | AsyncIterable<MarketEvent[]>): AsyncGenerator<EventBatch> {
  for await (const events of batches) yield { file: 'simulator', events, lines: [] };
}

const symbols = ['AAPL', 'MSFT', 'TSLA'];
for (const seed of values.seeds.split(',').map(Number)) {
  const t0 = Date.now();
  const config = parseConfig({ sessions: simulatorSessions(symbols) });
  const sink = new MemorySink();
  const sim = simulate({ symbols, seed, startMs: Date.UTC(2026, 2, 2, 14, 30), durationMs: Number(values.hours) * 3600_000, inject: true });
  const stats =
    threads > 1
      ? await detectInThreads(asBatches(sim.batches), threads, { config, detectors: factories, sink })
      : await runBatches(sim.batches, new Engine(factories, config, sink));
  print(`sim-seed${seed}`, sink.alerts.values());
  process.stderr.write(`  ${stats.events} events in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}

if (!values['no-files']) {
  const specs: DataSpec[] = [
    { kind: 'trades', events: 60_000, symbols: 100, accounts: 10_000 },
    { kind: 'mixed', events: 100_000, symbols: 100, accounts: 10_000, orderShare: 0.7 },
    { kind: 'trades', events: 100_000, symbols: 5, accounts: 30 },
  ];
  for (const spec of specs) {
    const t0 = Date.now();
    const path = await ensureData(join(import.meta.dirname, '..', '..', 'bench', '.data'), spec, (s) => process.stderr.write(s + '\n'));
    const sink = new MemorySink();
    const stats = await runFiles({
      inputs: [path],
      config: parseConfig({}),
      detectors: factories,
      sink,
      rejects: new RejectsFile(null),
      threads,
    });
    print(path.split('/').pop()!, sink.alerts.values());
    process.stderr.write(`  ${stats.events} events in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  }
}

if (values.inputs) {
  const inputs = values.inputs.split(',');
  const t0 = Date.now();
  const sink = new MemorySink();
  const stats = await runFiles({ inputs, config: parseConfig({}), detectors: factories, sink, rejects: new RejectsFile(null), threads });
  print('inputs', sink.alerts.values());
  process.stderr.write(`  ${stats.events} events in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}
