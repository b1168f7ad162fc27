import { api, download } from '../api.js';
import { session } from '../app.js';
import { badge, fmtNum, fmtTime, h, LEVELS } from '../dom.js';

const TYPES = ['pump_and_dump', 'wash_trading', 'spoofing', 'layering', 'volume_spike', 'price_anomaly', 'concentrated_trading', 'unusual_timing'];
const PAGE = 50;
/** The queue's filters survive navigating to an alert and back. */
const state = { level: '', type: '', status: 'active', symbol: '', account: '', since: '', until: '', sort: 'time_desc', offset: 0 };

function query(extra = {}) {
  const q = new URLSearchParams();
  for (const k of ['level', 'type', 'status', 'symbol', 'account', 'since', 'until']) if (state[k]) q.set(k, state[k]);
  for (const [k, v] of Object.entries(extra)) q.set(k, String(v));
  return q;
}

function row(a) {
  return h('tr', { class: 'row', 'data-id': a.alert_id, onclick: () => (location.hash = `#/alert/${encodeURIComponent(a.alert_id)}`) },
    h('td', {}, badge(a.level)),
    h('td', {}, fmtTime(a.timestamp)),
    h('td', {}, a.type),
    h('td', {}, a.affected_symbols.join(', ')),
    h('td', {}, a.affected_users.slice(0, 5).join(', ') + (a.affected_users.length > 5 ? ` +${a.affected_users.length - 5}` : '')),
    h('td', { class: 'num' }, fmtNum(a.risk_score)),
    h('td', {}, h('span', { class: 'status' }, a.status), a.case.escalated ? h('span', { class: 'status' }, ' · escalated') : null),
    h('td', {}, a.case.assignee ?? ''),
    h('td', {}, a.description));
}

/** Does a live alert belong in the current filtered view? */
function matches(a) {
  return (!state.level || a.level === state.level) && (!state.type || a.type === state.type) && (!state.status || a.status === state.status)
    && (!state.symbol || a.affected_symbols.includes(state.symbol.toUpperCase())) && (!state.account || a.affected_users.includes(state.account));
}

/** The alert queue: filters, counts by level and type, the table, paging, export, live updates. */
export async function queuePage(main) {
  const sel = (name, values, label) => h('label', {}, label, h('select', { name, 'data-testid': `filter-${name}` }, h('option', { value: '' }, 'any'), ...values.map((v) => h('option', { value: v, selected: state[name] === v }, v))));
  const inp = (name, label, placeholder) => h('label', {}, label, h('input', { name, value: state[name], placeholder, size: 14 }));
  const form = h('form', { class: 'filters', onsubmit: (e) => {
    e.preventDefault();
    const fd = new FormData(form);
    for (const k of ['level', 'type', 'status', 'symbol', 'account', 'since', 'until', 'sort']) state[k] = String(fd.get(k) ?? '');
    state.offset = 0;
    load();
  } },
  sel('level', LEVELS, 'Level'), sel('type', TYPES, 'Type'), sel('status', ['active', 'resolved', 'false_positive'], 'Status'),
  inp('symbol', 'Symbol', 'AAPL'), inp('account', 'Account', 'ACC1'), inp('since', 'Since', '2026-03-01T00:00Z'), inp('until', 'Until', ''),
  h('label', {}, 'Sort', h('select', { name: 'sort' }, ...[['time_desc', 'newest'], ['time_asc', 'oldest'], ['risk_desc', 'risk'], ['level', 'level']].map(([v, t]) => h('option', { value: v, selected: state.sort === v }, t)))),
  h('button', { type: 'submit', 'data-testid': 'apply' }, 'Apply'),
  h('button', { type: 'button', class: 'secondary', onclick: () => download(`/api/export.csv?${query({ limit: 100000, sort: state.sort })}`, 'alerts.csv') }, 'Export CSV'),
  h('button', { type: 'button', class: 'secondary', onclick: () => download(`/api/export.json?${query({ limit: 100000, sort: state.sort })}`, 'alerts.json') }, 'Export JSON'));
  const counts = h('div', {});
  const tbody = h('tbody', {});
  const info = h('span', { class: 'muted' });
  const prev = h('button', { type: 'button', class: 'secondary', onclick: () => { state.offset = Math.max(0, state.offset - PAGE); load(); } }, '← Newer');
  const next = h('button', { type: 'button', class: 'secondary', onclick: () => { state.offset += PAGE; load(); } }, 'Older →');
  main.replaceChildren(
    h('h1', {}, 'Alert queue'),
    h('div', { class: 'card' }, form),
    h('div', { class: 'card', 'data-testid': 'counts' }, counts),
    h('div', { class: 'card' },
      h('table', { 'data-testid': 'alert-table' }, h('thead', {}, h('tr', {}, ...['Level', 'Detected (UTC)', 'Type', 'Symbols', 'Accounts', 'Risk', 'Status', 'Assignee', 'Description'].map((t) => h('th', {}, t)))), tbody),
      h('div', { class: 'pager' }, prev, next, info)));

  let timer;
  const refreshCounts = async () => {
    const s = await api(`/api/summary?${query()}`);
    counts.replaceChildren(
      h('div', { class: 'counts' }, h('strong', {}, 'By level'), ...LEVELS.map((l) => h('span', { class: 'count', 'data-level': l }, badge(l), h('b', {}, s.byLevel[l])))),
      h('div', { class: 'counts' }, h('strong', {}, 'By type'), ...TYPES.filter((t) => s.byType[t] > 0).map((t) => h('span', { class: 'count' }, t, h('b', {}, s.byType[t])))));
  };
  async function load() {
    const r = await api(`/api/alerts?${query({ limit: PAGE, offset: state.offset, sort: state.sort })}`);
    tbody.replaceChildren(...(r.alerts.length ? r.alerts.map(row) : [h('tr', {}, h('td', { colspan: 9, class: 'muted' }, 'No alerts match.'))]));
    info.textContent = r.total ? `${state.offset + 1}–${state.offset + r.alerts.length} of ${fmtNum(r.total, 0)}${r.total_exact ? '' : '+'}` : '';
    prev.disabled = state.offset === 0;
    next.disabled = r.alerts.length < PAGE || (r.total_exact && state.offset + r.alerts.length >= r.total);
    await refreshCounts();
  }
  session.onAlert(({ alert, created }) => {
    const a = alert;
    const existing = tbody.querySelector(`tr[data-id="${CSS.escape(a.alert_id)}"]`);
    if (existing) {
      const fresh = row(a);
      fresh.classList.add('flash');
      if (matches(a)) existing.replaceWith(fresh); else existing.remove();
    } else if (created && matches(a) && state.offset === 0 && state.sort === 'time_desc') {
      const fresh = row(a);
      fresh.classList.add('flash');
      tbody.querySelector('td[colspan]')?.parentElement.remove();
      tbody.prepend(fresh);
      while (tbody.children.length > PAGE) tbody.lastElementChild.remove();
    }
    clearTimeout(timer);
    timer = setTimeout(() => refreshCounts().catch(() => undefined), 300);
  });
  await load();
}
