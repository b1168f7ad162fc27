import { api } from '../api.js';
import { hbars, stackedBars } from '../charts.js';
import { h, LEVEL_COLOUR, LEVELS } from '../dom.js';

const TYPE_COLOUR = { pump_and_dump: '#7c3aed', wash_trading: '#dc2626', spoofing: '#ea580c', layering: '#ca8a04', volume_spike: '#0891b2', price_anomaly: '#2563eb', concentrated_trading: '#db2777', unusual_timing: '#4b5563' };

/** Summary: totals, alerts over time by level and by type, counts by type and level, top symbols and accounts. */
export async function summaryPage(main, bucket = 'day') {
  const s = await api(`/api/summary?bucket=${bucket}`);
  const sel = h('select', { onchange: () => summaryPage(main, sel.value) }, ...['day', 'hour'].map((b) => h('option', { value: b, selected: b === bucket }, `per ${b}`)));
  const legend = (keys, colours) => h('div', { class: 'legend' }, ...keys.map((k) => h('span', { style: `--c:${colours[k]}` }, k)));
  const types = Object.keys(TYPE_COLOUR);
  main.replaceChildren(
    h('h1', {}, 'Summary'),
    h('div', { class: 'card' }, h('p', {}, `Total ${s.total} · active ${s.active} · resolved ${s.byStatus.resolved} · false positives ${s.byStatus.false_positive}`), sel),
    h('div', { class: 'card' }, h('h2', {}, 'Alerts over time by level'), legend(LEVELS, LEVEL_COLOUR), stackedBars(s.timeline, LEVELS, LEVEL_COLOUR)),
    h('div', { class: 'card' }, h('h2', {}, 'Alerts over time by type'), legend(types, TYPE_COLOUR), stackedBars(s.timeline, types, TYPE_COLOUR)),
    h('div', { class: 'grid2' },
      h('div', { class: 'card' }, h('h2', {}, 'By type'), hbars(types.map((t) => [t, s.byType[t]]), (k) => TYPE_COLOUR[k])),
      h('div', { class: 'card' }, h('h2', {}, 'By level'), hbars(LEVELS.map((l) => [l, s.byLevel[l]]), (k) => LEVEL_COLOUR[k]))),
    h('div', { class: 'grid2' },
      h('div', { class: 'card' }, h('h2', {}, 'Most alerted symbols'), h('ol', {}, ...s.topSymbols.map((x) => h('li', {}, `${x.symbol} (${x.count})`)))),
      h('div', { class: 'card' }, h('h2', {}, 'Most alerted accounts'), h('ol', {}, ...s.topAccounts.map((x) => h('li', {}, `${x.account} (${x.count})`))))));
}
