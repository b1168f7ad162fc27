import { loadConfig } from '../config/config.js';
import { DETECTORS } from '../detect/registry.js';
import { sharedFile } from '../testing/shared-data.js';
import { evaluateRealPumps, formatRealPumpsReport } from './real-pumps.js';

/**
 * Prints the per-event real-pump table:
 * `node dist/src/evaluate/real-pumps-main.js [DIR] [--all | --detectors a,b] [--config FILE]`
 * (DIR defaults to ../shared/data/binance-pumps; --all also runs every registered detector,
 * --detectors only the named ones; --config reads thresholds from a config file).
 */
async function main(argv: readonly string[]): Promise<void> {
  const all = argv.includes('--all');
  const valueOf = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const configFile = valueOf('--config');
  const named = valueOf('--detectors')
    ?.split(',')
    .map((x) => x.trim());
  const flagValues = new Set([configFile, named?.join(',')].filter((x) => x !== undefined));
  const dir = argv.find((a) => !a.startsWith('--') && !flagValues.has(a) && a !== valueOf('--detectors')) ?? sharedFile('binance-pumps');
  if (!dir) {
    process.stderr.write(
      'usage: real-pumps-main [DIR] [--all | --detectors a,b] [--config FILE]  (../shared/data/binance-pumps not found)\n',
    );
    process.exit(2);
  }
  const detectors = all ? DETECTORS : named ? DETECTORS.filter((d) => named.includes(d.pattern)) : [];
  const config = configFile ? loadConfig(configFile).config : undefined;
  const report = await evaluateRealPumps(dir, { detectors, ...(config ? { config } : {}) });
  process.stdout.write(`${formatRealPumpsReport(report)}\n`);
}

await main(process.argv.slice(2));
