import { DETECTORS } from '../detect/registry.js';
import { sharedFile } from '../testing/shared-data.js';
import { evaluateRealPumps, formatRealPumpsReport } from './real-pumps.js';

/**
 * Prints the per-event real-pump table: `node dist/src/evaluate/real-pumps-main.js [DIR] [--all]`
 * (DIR defaults to ../shared/data/binance-pumps; --all also runs every registered detector).
 */
async function main(argv: readonly string[]): Promise<void> {
  const all = argv.includes('--all');
  const dir = argv.find((a) => !a.startsWith('--')) ?? sharedFile('binance-pumps');
  if (!dir) {
    process.stderr.write('usage: real-pumps-main [DIR] [--all]  (../shared/data/binance-pumps not found)\n');
    process.exit(2);
  }
  const report = await evaluateRealPumps(dir, all ? { detectors: DETECTORS } : {});
  process.stdout.write(`${formatRealPumpsReport(report)}\n`);
}

await main(process.argv.slice(2));
