import type { Command } from 'commander';
import { configDocs } from '../../config/docs.js';
import { configFor, type GlobalOptions } from '../context.js';
import { out } from '../output.js';

/** `config`: prints the configuration in force (validated), or the reference of every key. */
export function registerConfig(program: Command, g: () => GlobalOptions): void {
  program
    .command('config')
    .description('print the configuration in force as JSON (validates the file), or --docs for the reference')
    .option('--docs', 'print the Markdown reference of every key (docs/CONFIG.md)')
    .action((o: { docs?: boolean }) => {
      if (o.docs) {
        out(configDocs());
        return;
      }
      const { config, file } = configFor(g());
      out(JSON.stringify({ file, ...config }, null, 2));
    });
}
