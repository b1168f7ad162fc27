import type { Command } from 'commander';
import { UsageError } from '../../domain/errors.js';
import { currentUser, storeFor, type GlobalOptions } from '../context.js';
import { out } from '../output.js';

/** `resolve`: closes an alert as resolved or false positive, with who, when and a note. */
export function registerResolve(program: Command, g: () => GlobalOptions): void {
  program
    .command('resolve')
    .description('resolve an alert (or mark it a false positive)')
    .requiredOption('--alert-id <id>', 'the alert to resolve')
    .option('--resolution <resolution>', 'resolved|false_positive', 'resolved')
    .option('--note <text>', 'why: kept with the alert')
    .option('--json', 'print the updated alert as JSON')
    .action(async (o: { alertId: string; resolution: string; note?: string; json?: boolean }) => {
      if (o.resolution !== 'resolved' && o.resolution !== 'false_positive') {
        throw new UsageError(`--resolution must be resolved or false_positive, got '${o.resolution}'`);
      }
      const store = await storeFor(g());
      try {
        // Through the case workflow so the resolution lands in the audit trail too.
        const a = await store.applyCaseAction(
          o.alertId,
          { kind: 'resolve', resolution: o.resolution, note: o.note },
          currentUser(),
          new Date().toISOString(),
        );
        out(o.json ? JSON.stringify(a, null, 2) : `Alert ${a.alert_id} marked ${a.status} by ${a.resolved_by}.`);
      } finally {
        await store.close();
      }
    });
}
