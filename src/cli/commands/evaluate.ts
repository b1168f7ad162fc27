import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { UsageError } from '../../domain/errors.js';
import { readLabelsCsv } from '../../evaluate/labels-csv.js';
import { formatScore, score } from '../../evaluate/score.js';
import { storeFor, type GlobalOptions } from '../context.js';
import { out } from '../output.js';
import { filterFromFlags } from './alerts.js';

/** `evaluate`: scores the alerts in the store against a labels CSV (precision, recall, F1, macro-F1). */
export function registerEvaluate(program: Command, g: () => GlobalOptions): void {
  program
    .command('evaluate')
    .description('score the stored alerts against labelled scenarios (scenario_id,type,symbol,accounts,start,end)')
    .requiredOption('--labels <file>', 'labels CSV')
    .option('--symbol <symbol>', 'only alerts of this symbol')
    .option('--since <time>', 'only alerts detected at or after')
    .option('--until <time>', 'only alerts detected before')
    .option('--json', 'machine-readable output')
    .action(async (o: { labels: string; symbol?: string; since?: string; until?: string; json?: boolean }) => {
      if (!existsSync(o.labels)) throw new UsageError(`labels file not found: ${o.labels}`);
      const labels = readLabelsCsv(o.labels);
      const store = await storeFor(g());
      try {
        const alerts = await store.listAlerts({ ...filterFromFlags(o), limit: undefined });
        const s = score(alerts, labels);
        if (o.json)
          out(
            JSON.stringify(
              {
                labels: labels.length,
                alerts: alerts.length,
                byType: s.byType,
                macroF1: s.macroF1,
                missed: s.missed.map((l) => l.scenario_id),
              },
              null,
              2,
            ),
          );
        else {
          out(`Labels: ${labels.length}   alerts scored: ${alerts.length}`);
          out(formatScore(s));
        }
      } finally {
        await store.close();
      }
    });
}
