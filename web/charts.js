// Small chart functions that draw inline SVG: no charting library, nothing to build.
import { LEVEL_COLOUR } from './dom.js';

const NS = 'http://www.w3.org/2000/svg';

/** An SVG element with attributes and children (text via textContent). */
export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children.flat()) if (c !== undefined && c !== null) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

const scale = (d0, d1, r0, r1) => (v) => (d1 === d0 ? (r0 + r1) / 2 : r0 + ((v - d0) / (d1 - d0)) * (r1 - r0));
const timeLabel = (ms) => new Date(ms).toISOString().slice(11, 19);
const SIDE = { buy: '#15803d', sell: '#c2410c' };

function ticks(min, max, n) {
  if (max === min) return [min];
  const step = (max - min) / n;
  return Array.from({ length: n + 1 }, (_, i) => min + i * step);
}

function axisX(x, t0, t1, y, width) {
  return ticks(t0, t1, Math.max(2, Math.floor(width / 140))).map((t) =>
    s('g', {}, s('line', { x1: x(t), x2: x(t), y1: y, y2: y + 4, stroke: '#999' }), s('text', { x: x(t), y: y + 16, 'text-anchor': 'middle' }, timeLabel(t))),
  );
}

/**
 * Price (top) and volume (bottom) around an alert: trades as a price line with side-coloured
 * points, orders as markers by action (▲ new, ◆ modify, ✕ cancel, ● fill), the alert window shaded.
 */
export function priceVolumeChart(events, windowStartMs, windowEndMs, width = 900) {
  const trades = events.filter((e) => e.kind === 'trade');
  const orders = events.filter((e) => e.kind === 'order');
  const H = 320, top = 10, priceH = 190, volTop = 220, volH = 70, left = 60, right = 40;
  const times = [windowStartMs, windowEndMs, ...events.map((e) => e.ts)];
  let t0 = Math.min(...times), t1 = Math.max(...times);
  const pad = Math.max(1000, (t1 - t0) * 0.05);
  t0 -= pad; t1 += pad;
  const prices = events.map((e) => e.price);
  let p0 = Math.min(...prices), p1 = Math.max(...prices);
  const pp = Math.max((p1 - p0) * 0.1, p1 * 0.001, 0.01);
  p0 -= pp; p1 += pp;
  const x = scale(t0, t1, left, width - right);
  const y = scale(p0, p1, top + priceH, top);
  const vmax = Math.max(1, ...trades.map((t) => t.qty));
  const vy = scale(0, vmax, volTop + volH, volTop);
  const g = s('svg', { viewBox: `0 0 ${width} ${H}`, width: '100%', role: 'img', 'aria-label': 'price and volume chart', 'data-testid': 'price-chart' });
  g.append(s('rect', { x: 0, y: 0, width, height: H, fill: '#fff' }));
  g.append(s('rect', { x: x(windowStartMs), y: top, width: Math.max(1, x(windowEndMs) - x(windowStartMs)), height: volTop + volH - top, fill: '#fde68a', opacity: 0.35 }, s('title', {}, 'alert window')));
  for (const p of ticks(p0, p1, 4)) {
    g.append(s('line', { x1: left, x2: width - right, y1: y(p), y2: y(p), stroke: '#eee' }));
    g.append(s('text', { x: left - 6, y: y(p) + 4, 'text-anchor': 'end' }, p.toFixed(p1 < 10 ? 3 : 2)));
  }
  g.append(s('text', { x: 4, y: volTop + 10 }, 'volume'));
  if (trades.length > 1) g.append(s('polyline', { points: trades.map((t) => `${x(t.ts)},${y(t.price)}`).join(' '), fill: 'none', stroke: '#334155', 'stroke-width': 1.5 }));
  for (const t of trades) {
    g.append(s('rect', { x: x(t.ts) - 2, y: vy(t.qty), width: 4, height: volTop + volH - vy(t.qty), fill: SIDE[t.side] ?? '#64748b' }));
    g.append(s('circle', { cx: x(t.ts), cy: y(t.price), r: 4, fill: SIDE[t.side] ?? '#64748b', stroke: '#fff', class: 'trade-mark' }, s('title', {}, `trade ${t.id}: ${t.qty} @ ${t.price} ${t.buyer ?? ''}←${t.seller ?? ''}`)));
  }
  for (const o of orders) {
    const cx = x(o.ts), cy = y(o.price), c = SIDE[o.side] ?? '#64748b';
    const title = s('title', {}, `order ${o.id} ${o.action}: ${o.side} ${o.qty} @ ${o.price} (${o.account ?? ''})`);
    const shape = o.action === 'new' ? s('path', { d: `M${cx},${cy - 6} l6,10 h-12 z`, fill: c, class: 'order-mark' }, title)
      : o.action === 'cancel' ? s('path', { d: `M${cx - 5},${cy - 5} l10,10 M${cx + 5},${cy - 5} l-10,10`, stroke: '#b42318', 'stroke-width': 2.5, class: 'order-mark' }, title)
      : o.action === 'modify' ? s('path', { d: `M${cx},${cy - 6} l6,6 l-6,6 l-6,-6 z`, fill: c, class: 'order-mark' }, title)
      : s('circle', { cx, cy, r: 5, fill: 'none', stroke: c, 'stroke-width': 2, class: 'order-mark' }, title);
    g.append(shape);
  }
  g.append(s('line', { x1: left, x2: width - right, y1: volTop + volH, y2: volTop + volH, stroke: '#999' }));
  g.append(...axisX(x, t0, t1, volTop + volH, width));
  return g;
}

/**
 * Order timeline for spoofing and layering: one row per price level, each order a bar from its
 * placement to its cancellation or fill, with its modifications; trades as ticks on top.
 */
export function orderTimeline(events, width = 900) {
  const orders = new Map();
  for (const e of events) if (e.kind === 'order') (orders.get(e.id) ?? orders.set(e.id, []).get(e.id)).push(e);
  const levels = [...new Set(events.filter((e) => e.kind === 'order').map((e) => e.price))].sort((a, b) => b - a);
  const rowH = 26, top = 20, left = 70, right = 40;
  const H = top + levels.length * rowH + 30;
  let t0 = Math.min(...events.map((e) => e.ts)), t1 = Math.max(...events.map((e) => e.ts));
  const pad = Math.max(200, (t1 - t0) * 0.05);
  t0 -= pad; t1 += pad;
  const x = scale(t0, t1, left, width - right);
  const yOf = (p) => top + levels.indexOf(p) * rowH + rowH / 2;
  const g = s('svg', { viewBox: `0 0 ${width} ${H}`, width: '100%', role: 'img', 'aria-label': 'order timeline', 'data-testid': 'order-timeline' });
  g.append(s('rect', { x: 0, y: 0, width, height: H, fill: '#fff' }));
  levels.forEach((p) => {
    g.append(s('line', { x1: left, x2: width - right, y1: yOf(p), y2: yOf(p), stroke: '#f0f0f0' }));
    g.append(s('text', { x: left - 6, y: yOf(p) + 4, 'text-anchor': 'end' }, String(p)));
  });
  for (const [id, evs] of orders) {
    evs.sort((a, b) => a.ts - b.ts);
    const c = SIDE[evs[0].side] ?? '#64748b';
    for (let i = 0; i < evs.length; i++) {
      const e = evs[i], next = evs[i + 1];
      if (next && e.action !== 'cancel') {
        g.append(s('line', { x1: x(e.ts), x2: x(next.ts), y1: yOf(e.price), y2: yOf(next.price), stroke: c, 'stroke-width': Math.min(10, 3 + Math.log10(1 + e.qty)), 'stroke-linecap': 'round', opacity: 0.75 }, s('title', {}, `${id}: ${e.side} ${e.qty} @ ${e.price}`)));
      }
      const mark = e.action === 'cancel' ? s('text', { x: x(e.ts), y: yOf(e.price) + 4, 'text-anchor': 'middle', fill: '#b42318', 'font-weight': 700 }, '✕')
        : e.action === 'fill' ? s('circle', { cx: x(e.ts), cy: yOf(e.price), r: 5, fill: '#15803d' })
        : e.action === 'modify' ? s('path', { d: `M${x(e.ts)},${yOf(e.price) - 5} l5,5 l-5,5 l-5,-5 z`, fill: '#7c3aed' })
        : s('circle', { cx: x(e.ts), cy: yOf(e.price), r: 3.5, fill: c });
      mark.append(s('title', {}, `${id} ${e.action} ${e.side} ${e.qty} @ ${e.price} at ${new Date(e.ts).toISOString()}`));
      g.append(mark);
    }
  }
  for (const t of events.filter((e) => e.kind === 'trade')) g.append(s('line', { x1: x(t.ts), x2: x(t.ts), y1: 4, y2: 14, stroke: '#0f172a', 'stroke-width': 2 }, s('title', {}, `trade ${t.id} ${t.qty} @ ${t.price}`)));
  g.append(...axisX(x, t0, t1, H - 28, width));
  return g;
}

/** Accounts of a wash-trading case as a circle of nodes; arrows from seller to buyer, labelled with trades and quantity. */
export function accountGraph(events, width = 520) {
  const edges = new Map();
  const accounts = new Set();
  for (const e of events) {
    if (e.kind !== 'trade' || !e.buyer || !e.seller) continue;
    accounts.add(e.buyer); accounts.add(e.seller);
    const k = `${e.seller}→${e.buyer}`;
    const x = edges.get(k) ?? { from: e.seller, to: e.buyer, n: 0, qty: 0 };
    x.n++; x.qty += e.qty;
    edges.set(k, x);
  }
  const list = [...accounts].sort();
  const H = 360, cx = width / 2, cy = H / 2, R = Math.min(width, H) / 2 - 50;
  const pos = new Map(list.map((a, i) => [a, [cx + R * Math.cos((2 * Math.PI * i) / list.length - Math.PI / 2), cy + R * Math.sin((2 * Math.PI * i) / list.length - Math.PI / 2)]]));
  const g = s('svg', { viewBox: `0 0 ${width} ${H}`, width: '100%', style: 'max-width:560px', role: 'img', 'aria-label': 'accounts and the trades between them', 'data-testid': 'account-graph' },
    s('defs', {}, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 28, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, s('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#475569' }))));
  g.append(s('rect', { x: 0, y: 0, width, height: H, fill: '#fff' }));
  for (const e of edges.values()) {
    const [x1, y1] = pos.get(e.from), [x2, y2] = pos.get(e.to);
    // Bend the edge so A→B and B→A do not overlap.
    const mx = (x1 + x2) / 2 + (y2 - y1) * 0.15, my = (y1 + y2) / 2 - (x2 - x1) * 0.15;
    g.append(s('path', { d: `M${x1},${y1} Q${mx},${my} ${x2},${y2}`, fill: 'none', stroke: '#475569', 'stroke-width': 1 + Math.min(5, e.n), 'marker-end': 'url(#arrow)', opacity: 0.8 }, s('title', {}, `${e.from} sold to ${e.to}: ${e.n} trade(s), ${e.qty}`)));
    g.append(s('text', { x: mx, y: my, 'text-anchor': 'middle' }, `${e.n}× ${e.qty}`));
  }
  for (const a of list) {
    const [x, y] = pos.get(a);
    g.append(s('circle', { cx: x, cy: y, r: 20, fill: '#dbeafe', stroke: '#1d4ed8', 'stroke-width': 2 }));
    g.append(s('text', { x, y: y + 4, 'text-anchor': 'middle', 'font-weight': 700 }, a));
  }
  return g;
}

/** Stacked bars of counts over time buckets, one colour per key (levels by default). */
export function stackedBars(rows, keys, colours, width = 900, label = (ms) => new Date(ms).toISOString().slice(0, 13).replace('T', ' ')) {
  const buckets = [...new Set(rows.map((r) => r.start_ms))].sort((a, b) => a - b);
  const H = 240, left = 45, bottom = 40, top = 10;
  const totals = buckets.map((b) => rows.filter((r) => r.start_ms === b).reduce((n, r) => n + r.count, 0));
  const max = Math.max(1, ...totals);
  const bw = Math.max(2, Math.min(40, (width - left - 10) / Math.max(1, buckets.length) - 2));
  const y = scale(0, max, H - bottom, top);
  const g = s('svg', { viewBox: `0 0 ${width} ${H}`, width: '100%', role: 'img', 'aria-label': 'alerts over time', 'data-testid': 'timeline-chart' });
  g.append(s('rect', { x: 0, y: 0, width, height: H, fill: '#fff' }));
  for (const t of ticks(0, max, 4)) {
    g.append(s('line', { x1: left, x2: width, y1: y(t), y2: y(t), stroke: '#eee' }));
    g.append(s('text', { x: left - 5, y: y(t) + 4, 'text-anchor': 'end' }, Math.round(t)));
  }
  buckets.forEach((b, i) => {
    let acc = 0;
    const bx = left + 4 + i * (bw + 2);
    for (const k of keys) {
      const n = rows.filter((r) => r.start_ms === b && (r.level === k || r.type === k)).reduce((m, r) => m + r.count, 0);
      if (!n) continue;
      g.append(s('rect', { x: bx, y: y(acc + n), width: bw, height: y(acc) - y(acc + n), fill: colours[k] }, s('title', {}, `${label(b)}: ${k} ${n}`)));
      acc += n;
    }
    if (buckets.length <= 12 || i % Math.ceil(buckets.length / 12) === 0) g.append(s('text', { x: bx, y: H - bottom + 14, transform: `rotate(30 ${bx} ${H - bottom + 14})` }, label(b)));
  });
  return g;
}

/** Horizontal bars of named counts. */
export function hbars(entries, colourOf, width = 520) {
  const rowH = 22, left = 170, H = entries.length * rowH + 10;
  const max = Math.max(1, ...entries.map(([, n]) => n));
  const g = s('svg', { viewBox: `0 0 ${width} ${H}`, width: '100%', role: 'img', 'aria-label': 'counts' });
  g.append(s('rect', { x: 0, y: 0, width, height: H, fill: '#fff' }));
  entries.forEach(([k, n], i) => {
    const w = ((width - left - 50) * n) / max;
    g.append(s('text', { x: left - 6, y: 5 + i * rowH + 14, 'text-anchor': 'end' }, k));
    g.append(s('rect', { x: left, y: 5 + i * rowH + 3, width: Math.max(n ? 2 : 0, w), height: rowH - 8, fill: colourOf(k) }));
    g.append(s('text', { x: left + w + 5, y: 5 + i * rowH + 14 }, n));
  });
  return g;
}

export { LEVEL_COLOUR };
