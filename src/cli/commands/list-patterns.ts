import type { Command } from 'commander';
import { PATTERNS } from '../../domain/patterns.js';
import { out, paint } from '../output.js';

/** `list-patterns`: every pattern with description, indicators and risk level. */
export function registerListPatterns(program: Command): void {
  program
    .command('list-patterns')
    .description('list the manipulation and anomaly patterns the engine detects')
    .option('--json', 'machine-readable output')
    .action((o: { json?: boolean }) => {
      if (o.json) {
        out(JSON.stringify(PATTERNS, null, 2));
        return;
      }
      out(paint(`${PATTERNS.length} patterns`, 'bold'));
      for (const p of PATTERNS) {
        out('');
        out(`${paint(p.type, 'bold')} — ${p.name} (${p.category}, risk ${p.riskLevel})`);
        out(`  ${p.description}`);
        out(`  indicators: ${p.indicators.join('; ')}`);
      }
    });
}
