import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { UsageError } from '../../domain/errors.js';
import { publish } from '../../bus/publisher.js';
import { openInputs } from '../../engine/pipeline.js';
import { configFor, parseNonNegative, parseSymbols, type GlobalOptions } from '../context.js';
import { num, out, paint } from '../output.js';
import { parseColumnMap, printRejects, rejectsFor, StoreSink } from '../run-common.js';
import { detectorsFor } from '../../detect/registry.js';

interface PublishOptions {
  nats: string;
  stream: string;
  partitions: string;
  batch: string;
  symbols?: string;
  format?: string;
  map?: string;
  rejects?: string;
  strict?: boolean;
}

/** `publish`: loads any supported input into a JetStream stream, partitioned by symbol. */
export function registerPublish(program: Command, g: () => GlobalOptions): void {
  program
    .command('publish')
    .description('load input files into a NATS JetStream stream (partitioned by symbol) for workers')
    .argument('<files...>', 'input files (any supported format); - for stdin')
    .requiredOption('--nats <url>', 'NATS server, e.g. nats://127.0.0.1:4222')
    .option('--stream <name>', 'JetStream stream name', 'SURVEILLANCE')
    .option('--partitions <n>', 'partitions of a new stream (an existing stream keeps its own)', '16')
    .option('--batch <n>', 'events per message', '2000')
    .option('--symbols <list>', 'only these symbols')
    .option('--format <name>', 'input format (default: detected)')
    .option('--map <pairs>', 'column mapping for canonical CSV')
    .option('--rejects <path>', 'where rejected rows are kept (NDJSON)')
    .option('--strict', 'stop at the first bad row')
    .action(async (files: string[], o: PublishOptions) => {
      for (const f of files) if (f !== '-' && !existsSync(f)) throw new UsageError(`input file not found: ${f}`);
      const partitions = Math.floor(parseNonNegative('--partitions', o.partitions, 16));
      if (partitions < 1) throw new UsageError('--partitions must be at least 1');
      const { config } = configFor(g());
      const symbols = parseSymbols(o.symbols, false);
      const rejects = rejectsFor(o.rejects, o.strict === true);
      try {
        const sources = await openInputs({
          inputs: files,
          format: o.format,
          columnMap: parseColumnMap(o.map),
          symbols: symbols.length ? new Set(symbols) : undefined,
          config,
          detectors: detectorsFor(),
          sink: new StoreSink(null),
          rejects,
        });
        const r = await publish({
          url: o.nats,
          stream: o.stream,
          partitions,
          batchEvents: Math.max(1, Math.floor(parseNonNegative('--batch', o.batch, 2000))),
          sources,
        });
        out(paint('PUBLISHED', 'bold'));
        out(
          `Stream ${o.stream} (${r.partitions} partitions): ${num(r.events)} events in ${num(r.messages)} messages, ${r.seconds.toFixed(2)} s, ${num(r.events / Math.max(r.seconds, 1e-9))} events/s`,
        );
        printRejects(rejects);
      } finally {
        await rejects.close();
      }
    });
}
