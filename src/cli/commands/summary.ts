import type { Command } from 'commander';
import { LEVELS, MANIPULATION_TYPES, PATTERN_TYPES } from '../../domain/alert.js';
import type { AlertStore, Summary } from '../../store/alert-store.js';
import { storeFor, type GlobalOptions } from '../context.js';
import { levelText, out, paint } from '../output.js';

/**
 * Accounts most often named by manipulation alerts. Anomaly alerts (volume, price, timing) list
 * everyone who traded in their window, market makers first: counting those would point the
 * analyst at the busiest liquidity providers, not at suspects.
 */
export async function suspectAccounts(store: AlertStore): Promise<{ account: string; count: number }[]> {
  const counts = new Map<string, number>();
  for (const type of MANIPULATION_TYPES) {
    for (const a of (await store.summary({ type })).topAccounts) counts.set(a.account, (counts.get(a.account) ?? 0) + a.count);
  }
  return [...counts.entries()]
    .map(([account, count]) => ({ account, count }))
    .sort((a, b) => b.count - a.count || a.account.localeCompare(b.account));
}

/** Recommendations an analyst can act on, derived from the summary and the suspect accounts. */
export function recommendations(s: Summary, suspects: readonly { account: string; count: number }[] = []): string[] {
  const r: string[] = [];
  if (s.total === 0) return ['No alerts yet: run a monitor (start) or replay historical data (replay).'];
  const crit = s.byLevel.critical;
  if (crit > 0) r.push(`Investigate the ${crit} critical alert(s) first: surveillance alerts --level critical`);
  if (s.byLevel.high > 0) r.push(`Review the ${s.byLevel.high} high alert(s) today: surveillance alerts --level high`);
  const manip = s.byType.wash_trading + s.byType.spoofing + s.byType.layering + s.byType.pump_and_dump;
  if (manip > 0)
    r.push(
      `${manip} alert(s) point at manipulation (wash trading, spoofing, layering, pump and dump): consider a STOR for confirmed cases.`,
    );
  const top = suspects[0];
  if (top && top.count >= 2) r.push(`Account ${top.account} is named in ${top.count} manipulation alerts: review its whole activity.`);
  const sym = s.topSymbols[0];
  if (sym && sym.count >= 5) r.push(`Symbol ${sym.symbol} has ${sym.count} alerts: check for news or a data problem.`);
  const resolved = s.byStatus.resolved + s.byStatus.false_positive;
  if (resolved > 0 && s.byStatus.false_positive / resolved > 0.5) {
    r.push(`More than half of the resolved alerts were false positives: consider raising thresholds (surveillance status shows them).`);
  }
  if (s.active > 0 && r.length === 0) r.push(`Work through the ${s.active} active alert(s): surveillance alerts --status active`);
  return r;
}

/** `summary`: totals, by level and type, risk distribution, recommendations. */
export function registerSummary(program: Command, g: () => GlobalOptions): void {
  program
    .command('summary')
    .description('alert totals by level and type, risk distribution and recommendations')
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      const store = await storeFor(g());
      try {
        const s = await store.summary();
        const recs = recommendations(s, await suspectAccounts(store));
        if (o.json) {
          out(JSON.stringify({ ...s, recommendations: recs }, null, 2));
          return;
        }
        out(paint('ALERT SUMMARY', 'bold'));
        out(
          `Total alerts: ${s.total}   active: ${s.active}   resolved: ${s.byStatus.resolved}   false positives: ${s.byStatus.false_positive}`,
        );
        out('');
        out(paint('By level', 'bold'));
        for (const l of LEVELS) out(`  ${levelText(l)} ${s.byLevel[l]}`);
        out('');
        out(paint('By type', 'bold'));
        for (const t of PATTERN_TYPES) out(`  ${t.padEnd(22)} ${s.byType[t]}`);
        out('');
        out(paint('Risk distribution', 'bold'));
        out(`  high (> 0.7)        ${s.risk.high}`);
        out(`  medium (0.4–0.7)    ${s.risk.medium}`);
        out(`  low (< 0.4)         ${s.risk.low}`);
        if (s.topSymbols.length > 0) {
          out('');
          out(paint('Most alerted symbols', 'bold'));
          out(
            `  ${s.topSymbols
              .slice(0, 5)
              .map((x) => `${x.symbol} (${x.count})`)
              .join(', ')}`,
          );
        }
        if (s.topAccounts.length > 0) {
          out(paint('Most alerted accounts', 'bold'));
          out(
            `  ${s.topAccounts
              .slice(0, 5)
              .map((x) => `${x.account} (${x.count})`)
              .join(', ')}`,
          );
        }
        out('');
        out(paint('Recommendations', 'bold'));
        for (const r of recs) out(`  • ${r}`);
      } finally {
        await store.close();
      }
    });
}
