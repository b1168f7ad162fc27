import type { Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import { SurveillanceError } from '../../domain/errors.js';
import { configFor, dbLocation, monitorAlive, storeFor, type GlobalOptions } from '../context.js';
import { num, out, paint } from '../output.js';

/** `status`: is a monitor running, on what, how much it has done, which thresholds are in force. */
export function registerStatus(program: Command, g: () => GlobalOptions): void {
  program
    .command('status')
    .description('show whether a monitor is running, its symbols, counts and the thresholds in force')
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      const store = await storeFor(g());
      try {
        const { current, last } = await store.getMonitor();
        const active = current !== null && monitorAlive(current);
        const shown = active ? current : (current ?? last);
        const { config, file } = configFor(g());
        const inForce = active ? (current.config as typeof config) : config;
        const stored = await store.countAlerts();
        const activeAlerts = await store.countAlerts({ status: 'active' });
        if (o.json) {
          out(
            JSON.stringify(
              {
                active,
                monitor: shown,
                store: dbLocation(g()),
                config_file: file,
                alerts_stored: stored,
                alerts_active: activeAlerts,
                config: inForce,
              },
              null,
              2,
            ),
          );
          return;
        }
        out(`Monitor: ${active ? paint('ACTIVE', 'green') : paint('INACTIVE', 'gray')}`);
        if (active) {
          out(`  pid ${current.pid} on ${current.host}, since ${current.startedAt}`);
          out(`  symbols: ${current.symbols.join(', ') || '(all)'}   source: ${current.source}`);
          out(`  events processed: ${num(current.events)}   alerts raised: ${num(current.alerts)}   (as of ${current.heartbeatAt})`);
        } else if (shown) {
          const how = current ? 'ended without stopping cleanly (killed?)' : 'stopped';
          out(
            `  last run: pid ${shown.pid}, ${shown.symbols.join(', ') || '(all)'} from ${shown.source}, started ${shown.startedAt}, ${how} at ${shown.heartbeatAt}`,
          );
          out(`  events processed: ${num(shown.events)}   alerts raised: ${num(shown.alerts)}`);
        }
        out(`Store: ${dbLocation(g())}   alerts: ${num(stored)} (${num(activeAlerts)} active)`);
        out(`Config: ${file ?? 'defaults'}${active ? ' (thresholds of the running monitor)' : ''}`);
        out(paint('Thresholds in force:', 'bold'));
        for (const [k, v] of Object.entries(inForce.thresholds)) out(`  ${k.padEnd(30)} ${String(v)}`);
      } finally {
        await store.close();
      }
    });
}

/** `stop`: asks the running monitor to stop, and waits until it has flushed and released. */
export function registerStop(program: Command, g: () => GlobalOptions): void {
  program
    .command('stop')
    .description('stop the running monitor gracefully (everything flushed)')
    .option('--timeout <seconds>', 'how long to wait for it to finish', '10')
    .action(async (o: { timeout: string }) => {
      const store = await storeFor(g());
      try {
        const { current } = await store.getMonitor();
        if (!current || !monitorAlive(current)) {
          out('No monitor is running.');
          return;
        }
        try {
          process.kill(current.pid, 'SIGTERM');
        } catch (e) {
          throw new SurveillanceError(`cannot signal monitor pid ${current.pid}: ${(e as Error).message}`, { cause: e });
        }
        const deadline = Date.now() + Number(o.timeout) * 1000;
        while (Date.now() < deadline) {
          await sleep(100);
          const now = (await store.getMonitor()).current;
          if (!now || now.pid !== current.pid || !monitorAlive(now)) {
            out(`Monitor (pid ${current.pid}) stopped.`);
            return;
          }
        }
        throw new SurveillanceError(`monitor pid ${current.pid} did not stop within ${o.timeout}s`);
      } finally {
        await store.close();
      }
    });
}
