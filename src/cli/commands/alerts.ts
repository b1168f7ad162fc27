import type { Command } from 'commander';
import { parseLevel, parsePattern, ALERT_STATUSES, type AlertStatus } from '../../domain/alert.js';
import { NotFoundError, UsageError } from '../../domain/errors.js';
import { parseTimestamp } from '../../ingest/fields.js';
import type { AlertFilter } from '../../store/alert-store.js';
import { storeFor, type GlobalOptions } from '../context.js';
import { alertBlock, alertDetail, out, paint } from '../output.js';

interface AlertsOptions {
  level?: string;
  limit?: string;
  status?: string;
  type?: string;
  symbol?: string;
  account?: string;
  since?: string;
  until?: string;
  json?: boolean;
  id?: string;
}

/** Builds a store filter from the shared filter flags, validating each. */
export function filterFromFlags(o: AlertsOptions): AlertFilter {
  const level = o.level === undefined ? undefined : parseLevel(o.level);
  if (o.level !== undefined && !level) throw new UsageError(`--level must be critical, high, medium or low, got '${o.level}'`);
  const type = o.type === undefined ? undefined : parsePattern(o.type);
  if (o.type !== undefined && !type) throw new UsageError(`--type '${o.type}' is not a pattern (see: surveillance list-patterns)`);
  if (o.status !== undefined && !(ALERT_STATUSES as readonly string[]).includes(o.status)) {
    throw new UsageError(`--status must be ${ALERT_STATUSES.join(', ')}, got '${o.status}'`);
  }
  const time = (name: string, s: string | undefined): number | undefined => {
    if (s === undefined) return undefined;
    const t = parseTimestamp(s);
    if (t === undefined) throw new UsageError(`${name} must be an ISO-8601 time or epoch ms, got '${s}'`);
    return t;
  };
  let limit: number | undefined;
  if (o.limit !== undefined) {
    limit = Number(o.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive integer, got '${o.limit}'`);
  }
  return {
    level,
    type,
    status: o.status as AlertStatus | undefined,
    symbol: o.symbol?.toUpperCase(),
    account: o.account,
    sinceMs: time('--since', o.since),
    untilMs: time('--until', o.until),
    limit,
  };
}

/** `alerts`: lists stored alerts, newest first, with filters; `--id` shows one in full. */
export function registerAlerts(program: Command, g: () => GlobalOptions): void {
  program
    .command('alerts')
    .description('list stored alerts, newest first')
    .option('--level <level>', 'only this level: critical|high|medium|low')
    .option('--limit <n>', 'at most N alerts', '20')
    .option('--status <status>', 'active|resolved|false_positive')
    .option('--type <pattern>', 'only this pattern (see list-patterns)')
    .option('--symbol <symbol>', 'only alerts affecting this symbol')
    .option('--account <account>', 'only alerts affecting this account')
    .option('--since <time>', 'detected at or after (ISO-8601 or epoch ms)')
    .option('--until <time>', 'detected before (ISO-8601 or epoch ms)')
    .option('--id <alert-id>', 'show one alert in full with its evidence')
    .option('--json', 'machine-readable output')
    .action(async (o: AlertsOptions) => {
      const store = await storeFor(g());
      try {
        if (o.id) {
          const a = await store.getAlert(o.id);
          if (!a) throw new NotFoundError(`no alert with id '${o.id}'`);
          out(o.json ? JSON.stringify(a, null, 2) : alertDetail(a));
          return;
        }
        const filter = filterFromFlags(o);
        const alerts = await store.listAlerts(filter);
        if (o.json) {
          out(JSON.stringify(alerts, null, 2));
          return;
        }
        if (alerts.length === 0) {
          out('No alerts match.');
          return;
        }
        const total = await store.countAlerts({ ...filter, limit: undefined });
        out(paint(`${alerts.length} of ${total} alert(s)`, 'bold'));
        for (const a of alerts) out(`\n${alertBlock(a)}`);
      } finally {
        await store.close();
      }
    });
}
