import { Command, CommanderError } from 'commander';
import { SurveillanceError } from '../domain/errors.js';
import { boundHeapGrowth } from '../engine/heap-growth.js';
import type { GlobalOptions } from './context.js';
import { err } from './output.js';
import { registerAlerts } from './commands/alerts.js';
import { registerConfig } from './commands/config.js';
import { registerEvaluate } from './commands/evaluate.js';
import { registerListPatterns } from './commands/list-patterns.js';
import { registerPublish } from './commands/publish.js';
import { registerReplay } from './commands/replay.js';
import { registerResolve } from './commands/resolve.js';
import { registerStart } from './commands/start.js';
import { registerStatus, registerStop } from './commands/status.js';
import { registerSummary } from './commands/summary.js';
import { registerServe } from './commands/serve.js';
import { registerTest } from './commands/test.js';
import { registerToken } from './commands/token.js';

/**
 * The `surveillance` command. The only place that sets exit codes: 0 ok, 1 failure, 2 usage,
 * 3 bad input (--strict), 4 not found, 5 conflict (a monitor already runs).
 */
function buildProgram(): Command {
  const program = new Command('surveillance')
    .description('Trade surveillance: detect market manipulation and anomalies in trades and orders')
    .version('0.1.0')
    .option('--db <path>', 'alert store: SQLite file (default $SURVEILLANCE_DB or ~/.local/share/surveillance/surveillance.db)')
    .option('--config <file>', 'configuration file (JSON; default ./surveillance.config.json when present)')
    .option('--set <key=value...>', 'override a threshold, e.g. --set volume_spike_multiplier=4')
    .showHelpAfterError()
    .exitOverride();
  const g = (): GlobalOptions => program.opts<GlobalOptions>();
  registerStart(program, g);
  registerStop(program, g);
  registerStatus(program, g);
  registerAlerts(program, g);
  registerSummary(program, g);
  registerResolve(program, g);
  registerTest(program, g);
  registerListPatterns(program);
  registerReplay(program, g);
  registerEvaluate(program, g);
  registerConfig(program, g);
  registerPublish(program, g);
  registerServe(program, g);
  registerToken(program, g);
  return program;
}

async function main(): Promise<void> {
  // A reader that stops early (`surveillance alerts | head`) closes the pipe: stop quietly, as Unix
  // tools do, instead of an unhandled EPIPE with a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  const program = buildProgram();
  try {
    boundHeapGrowth();
    await program.parseAsync(process.argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are "errors" to commander; they exit 0.
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    if (e instanceof SurveillanceError) {
      err(`error: ${e.message}`);
      process.exitCode = e.exitCode;
      return;
    }
    err(`error: ${(e as Error).stack ?? String(e)}`);
    process.exitCode = 1;
  }
}

await main();
