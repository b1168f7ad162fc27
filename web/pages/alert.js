import { api, download } from '../api.js';
import { session } from '../app.js';
import { accountGraph, orderTimeline, priceVolumeChart } from '../charts.js';
import { badge, fmtNum, fmtTime, h } from '../dom.js';

function metricsTable(metrics) {
  if (!metrics.length) return h('p', { class: 'muted' }, 'No metrics recorded.');
  return h('table', { 'data-testid': 'metrics' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Metric'), h('th', { class: 'num' }, 'Measured'), h('th', {}, 'Threshold'), h('th', {}, ''))),
    h('tbody', {}, ...metrics.map((m) => {
      const hasT = typeof m.threshold === 'number' && m.threshold !== 0;
      const scaleMax = hasT ? Math.max(m.value, m.threshold) * 1.1 : 1;
      const bar = hasT ? h('div', { class: 'metric-bar', title: `${m.value} vs ${m.op ?? '>='} ${m.threshold}` },
        h('span', { style: `width:${Math.min(100, (Math.abs(m.value) / scaleMax) * 100)}%` }),
        h('i', { style: `left:${(m.threshold / scaleMax) * 100}%` })) : '';
      return h('tr', {}, h('td', {}, m.name), h('td', { class: 'num' }, `${fmtNum(m.value, 4)}${m.unit ? ` ${m.unit}` : ''}`), h('td', {}, hasT || m.threshold === 0 ? `${m.op ?? '>='} ${m.threshold}` : '—'), h('td', {}, bar));
    })));
}

function historyTable(history) {
  if (!history.length) return h('p', { class: 'muted', 'data-testid': 'history' }, 'No case actions yet.');
  const change = (e) => {
    const diffs = Object.keys(e.after).filter((k) => JSON.stringify(e.before[k]) !== JSON.stringify(e.after[k]));
    return diffs.map((k) => `${k}: ${e.before[k] ?? '—'} → ${e.after[k] ?? '—'}`).join('; ');
  };
  return h('table', { 'data-testid': 'history' },
    h('thead', {}, h('tr', {}, ...['When (UTC)', 'Who', 'Action', 'Change', 'Note'].map((t) => h('th', {}, t)))),
    h('tbody', {}, ...history.map((e) => h('tr', {}, h('td', {}, fmtTime(e.at)), h('td', {}, e.actor), h('td', {}, e.action), h('td', {}, change(e)), h('td', {}, e.note ?? '')))));
}

/** One alert: summary, case actions, the market chart and pattern views, metrics, history. */
export async function alertPage(main, id) {
  const [detail, market] = await Promise.all([api(`/api/alerts/${encodeURIComponent(id)}`), api(`/api/alerts/${encodeURIComponent(id)}/market`)]);
  const render = (d) => {
    const a = d.alert;
    const canAct = session.me.role !== 'viewer';
    const note = h('textarea', { id: 'note', placeholder: 'Note / comment (kept in the audit trail)' });
    const assignee = h('input', { id: 'assignee', placeholder: 'assignee', value: a.case.assignee ?? session.me.name, size: 14 });
    const msg = h('span', { class: 'muted', 'data-testid': 'action-msg' });
    const act = (kind, body) => async () => {
      try {
        const r = await api(`/api/alerts/${encodeURIComponent(a.alert_id)}/${kind}`, { method: 'POST', body });
        msg.textContent = `${kind} recorded.`;
        render(r.history ? { ...d, alert: r.alert, history: r.history } : d);
      } catch (e) {
        msg.textContent = e.message;
        msg.className = 'error';
      }
    };
    const noteVal = () => note.value.trim() || undefined;
    const actions = canAct ? h('div', { class: 'card' }, h('h2', {}, 'Case actions'),
      h('div', { class: 'actions' },
        assignee, h('button', { type: 'button', 'data-testid': 'assign', onclick: () => act('assign', { assignee: assignee.value, note: noteVal() })() }, 'Assign'),
        h('button', { type: 'button', 'data-testid': 'comment', onclick: () => (noteVal() ? act('comment', { text: noteVal() })() : (msg.textContent = 'Write a comment first.')) }, 'Comment'),
        h('button', { type: 'button', 'data-testid': 'escalate', onclick: () => act('escalate', { note: noteVal() })() }, 'Escalate'),
        h('button', { type: 'button', 'data-testid': 'resolve', onclick: () => act('resolve', { resolution: 'resolved', note: noteVal() })() }, 'Resolve'),
        h('button', { type: 'button', class: 'danger', 'data-testid': 'false-positive', onclick: () => act('resolve', { resolution: 'false_positive', note: noteVal() })() }, 'False positive'),
        msg),
      note) : h('p', { class: 'muted' }, 'Viewer token: case actions need the analyst role.');

    const events = market.events;
    const charts = [];
    if (events.length) {
      charts.push(h('div', { class: 'card' }, h('h2', {}, `Price and volume — ${market.symbols.join(', ')}`),
        h('div', { class: 'legend' }, h('span', { style: '--c:#15803d' }, 'buy'), h('span', { style: '--c:#c2410c' }, 'sell'), h('span', { style: '--c:#fde68a' }, 'alert window'), h('span', { style: '--c:#b42318' }, '✕ cancel, ▲ new, ◆ modify, ○ fill')),
        priceVolumeChart(events, Date.parse(market.window_start), Date.parse(market.window_end))));
      if ((a.type === 'spoofing' || a.type === 'layering') && events.some((e) => e.kind === 'order')) {
        charts.push(h('div', { class: 'card' }, h('h2', {}, 'Order timeline by price level'), orderTimeline(events)));
      }
      if (a.type === 'wash_trading' && events.some((e) => e.buyer && e.seller)) {
        charts.push(h('div', { class: 'card' }, h('h2', {}, 'Accounts and the trades between them'), accountGraph(events)));
      }
    } else {
      charts.push(h('div', { class: 'card', 'data-testid': 'no-market' }, h('h2', {}, 'Market data'), h('p', { class: 'muted' }, market.note),
        h('p', {}, `Trades: ${market.trade_ids.join(', ') || '—'}`), h('p', {}, `Orders: ${market.order_ids.join(', ') || '—'}`)));
    }

    main.replaceChildren(
      h('p', {}, h('a', { href: '#/queue' }, '← Alert queue')),
      h('div', { class: 'card' },
        h('h1', { 'data-testid': 'alert-title' }, badge(a.level), ' ', d.pattern?.name ?? a.type, ' ', h('span', { class: 'muted' }, a.alert_id)),
        h('p', {}, a.description),
        h('table', {}, h('tbody', {},
          ...[['Status', h('span', { 'data-testid': 'status' }, a.status + (a.resolution_note ? ` — ${a.resolution_note}` : ''))], ['Assignee', a.case.assignee ?? '—'], ['Escalated', a.case.escalated ? `yes, by ${a.case.escalated_by} at ${fmtTime(a.case.escalated_at)}` : 'no'],
            ['Symbols', a.affected_symbols.join(', ')], ['Accounts', a.affected_users.join(', ') || '—'], ['Detected', fmtTime(a.timestamp)], ['Window', `${fmtTime(a.window_start)} → ${fmtTime(a.window_end)}`],
            ['Confidence / risk', `${fmtNum(a.confidence)} / ${fmtNum(a.risk_score)}`], ['Detector version', a.detector_version]].map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, v))))),
        h('div', { class: 'actions' },
          h('a', { href: `#/report/${encodeURIComponent(a.alert_id)}`, 'data-testid': 'report-link' }, 'STOR report'),
          h('button', { type: 'button', class: 'secondary', onclick: () => download(`/api/alerts/${encodeURIComponent(a.alert_id)}/report.pdf`, `stor-${a.alert_id}.pdf`) }, 'Download PDF'))),
      actions,
      ...charts,
      h('div', { class: 'grid2' },
        h('div', { class: 'card' }, h('h2', {}, 'Metrics against thresholds'), metricsTable(a.evidence.metrics)),
        h('div', { class: 'card' }, h('h2', {}, 'Case history'), historyTable(d.history))));
  };
  render(detail);
  session.onAlert(async ({ alert }) => {
    // Someone else acted on this alert (or the detector updated it): show the current state.
    if (alert.alert_id !== id || document.activeElement?.id === 'note') return;
    const fresh = await api(`/api/alerts/${encodeURIComponent(id)}`);
    // Checked again after the fetch, and what was typed meanwhile is kept: a re-render must never
    // drop a note the analyst is about to submit.
    if (document.activeElement?.id === 'note') return;
    const typed = document.getElementById('note')?.value ?? '';
    render(fresh);
    const note = document.getElementById('note');
    if (note && typed) note.value = typed;
  });
}
