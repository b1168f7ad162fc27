import { textOf } from '../domain/events.js';
import type { Alert } from '../domain/alert.js';
import { PATTERNS } from '../domain/patterns.js';
import type { AuditEntry, CaseFields } from '../store/alert-store.js';

/** Who files the report (the firm running surveillance). */
export interface ReportingEntity {
  readonly name: string;
  readonly lei?: string | undefined;
  readonly contact?: string | undefined;
}

/** Escapes text for HTML element and attribute content. */
export function esc(s: unknown): string {
  return textOf(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const row = (k: string, v: string): string => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`;

/**
 * A printable suspicious transaction and order report (EU MAR art. 16, STOR template of Commission
 * Delegated Regulation (EU) 2016/957 Annex): reporting entity, transactions/orders, nature of the
 * suspicion, persons, evidence. The analyst completes what the engine cannot know (ISIN, client
 * names) before filing; those cells say so rather than stay blank.
 */
export function storReportHtml(
  a: Alert,
  c: CaseFields | undefined,
  history: readonly AuditEntry[],
  entity: ReportingEntity,
  generatedAtIso: string,
): string {
  const pattern = PATTERNS.find((p) => p.type === a.type);
  const toComplete = '<span class="todo">to be completed by the reporting person</span>';
  const metrics = a.evidence.metrics
    .map(
      (m) =>
        `<tr><td>${esc(m.name)}</td><td class="num">${esc(m.value)}${m.unit ? ` ${esc(m.unit)}` : ''}</td><td>${m.threshold !== undefined ? `${esc(m.op ?? '>=')} ${esc(m.threshold)}` : '—'}</td></tr>`,
    )
    .join('');
  const events = Array.isArray(a.evidence.details?.['events']) ? (a.evidence.details['events'] as Record<string, unknown>[]) : [];
  const eventRows = events
    .slice(0, 200)
    .map(
      (e) =>
        `<tr><td>${esc(typeof e['ts'] === 'number' ? new Date(e['ts']).toISOString() : e['ts'])}</td><td>${esc(e['kind'])}</td><td>${esc(e['id'])}</td><td>${esc(e['account'])}</td><td>${esc(e['side'])}</td><td>${esc(e['action'] ?? '')}</td><td class="num">${esc(e['price'])}</td><td class="num">${esc(e['qty'])}</td></tr>`,
    )
    .join('');
  const hist = history
    .map((h) => `<tr><td>${esc(h.at)}</td><td>${esc(h.actor)}</td><td>${esc(h.action)}</td><td>${esc(h.note ?? '')}</td></tr>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>STOR — alert ${esc(a.alert_id)}</title>
<style>
  body { font: 11pt/1.4 system-ui, sans-serif; margin: 2em; color: #111; }
  h1 { font-size: 16pt; margin: 0 0 .2em; } h2 { font-size: 12pt; margin: 1.4em 0 .4em; border-bottom: 1px solid #999; }
  table { border-collapse: collapse; width: 100%; } th, td { text-align: left; vertical-align: top; padding: 3px 6px; border: 1px solid #ccc; }
  th { width: 30%; background: #f3f3f3; font-weight: 600; } .num { text-align: right; font-variant-numeric: tabular-nums; }
  .todo { color: #a60; font-style: italic; } .meta { color: #555; font-size: 9pt; }
  .list th { width: auto; }
  @media print { body { margin: 0; } h2 { break-after: avoid; } tr { break-inside: avoid; } }
</style></head><body>
<h1>Suspicious Transaction and Order Report (STOR)</h1>
<p class="meta">Regulation (EU) No 596/2014 (MAR) art. 16 · template of Delegated Regulation (EU) 2016/957 · draft generated ${esc(generatedAtIso)} from alert ${esc(a.alert_id)}</p>

<h2>Section 1 — Identity of the entity submitting the STOR</h2>
<table>
${row('Reporting entity', esc(entity.name))}
${row('LEI', entity.lei ? esc(entity.lei) : toComplete)}
${row('Contact person', entity.contact ? esc(entity.contact) : toComplete)}
${row('Capacity', 'Person professionally arranging or executing transactions (MAR art. 16(2))')}
</table>

<h2>Section 2 — Transactions and orders</h2>
<table>
${row('Financial instrument(s)', esc(a.affected_symbols.join(', ') || '—'))}
${row('ISIN', toComplete)}
${row('Date and time of first event (UTC)', esc(a.window_start))}
${row('Date and time of last event (UTC)', esc(a.window_end))}
${row('Detection time (UTC)', esc(a.timestamp))}
${row('Transactions referenced', `${a.evidence.tradeIds.length} trade(s)${a.evidence.tradeIds.length ? `: ${esc(a.evidence.tradeIds.slice(0, 30).join(', '))}${a.evidence.tradeIds.length > 30 ? ', …' : ''}` : ''}`)}
${row('Orders referenced', `${a.evidence.orderIds.length} order(s)${a.evidence.orderIds.length ? `: ${esc(a.evidence.orderIds.slice(0, 30).join(', '))}${a.evidence.orderIds.length > 30 ? ', …' : ''}` : ''}`)}
</table>

<h2>Section 3 — Description of the nature of the suspicion</h2>
<table>
${row('Type of suspected behaviour', `${esc(pattern?.name ?? a.type)} (${a.manipulation_type ? 'market manipulation, MAR art. 12' : 'anomaly to be assessed'})`)}
${row('Description', esc(a.description))}
${row('Why it is suspicious', esc(pattern?.description ?? ''))}
${row('Level / confidence / risk score', `${esc(a.level)} / ${esc(a.confidence)} / ${esc(a.risk_score)}`)}
${row('Case status', `${esc(a.status)}${a.resolution_note ? ` — ${esc(a.resolution_note)}` : ''}${c?.escalated ? ' (escalated)' : ''}`)}
${row('Analyst', esc(c?.assignee ?? a.resolved_by ?? '—'))}
</table>

<h2>Section 4 — Identity of the person(s) whose transactions or orders are suspicious</h2>
<table>
${row('Account(s)', esc(a.affected_users.join(', ') || '—'))}
${row('Name, address, date of birth / LEI of client', toComplete)}
${row('Relationship with the issuer', toComplete)}
</table>

<h2>Section 5 — Evidence</h2>
<table class="list"><tr><th>Metric</th><th>Measured</th><th>Threshold</th></tr>${metrics || '<tr><td colspan="3">none recorded</td></tr>'}</table>
${eventRows ? `<p></p><table class="list"><tr><th>Time (UTC)</th><th>Kind</th><th>Id</th><th>Account</th><th>Side</th><th>Action</th><th>Price</th><th>Qty</th></tr>${eventRows}</table>` : ''}
<p class="meta">Detector version ${esc(a.detector_version)}.</p>

<h2>Case history</h2>
<table class="list"><tr><th>When (UTC)</th><th>Who</th><th>Action</th><th>Note</th></tr>${hist || '<tr><td colspan="4">no actions yet</td></tr>'}</table>
</body></html>`;
}
