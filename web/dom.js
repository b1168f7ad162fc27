// Tiny DOM helpers: text always goes through textContent, so alert data cannot inject markup.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

export const LEVELS = ['critical', 'high', 'medium', 'low'];
export const LEVEL_COLOUR = { critical: '#8e24aa', high: '#d32f2f', medium: '#f9a825', low: '#1e88e5' };

export const badge = (level) => h('span', { class: `badge lvl-${level}` }, level);
export const fmtTime = (iso) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '');
export const fmtNum = (n, d = 2) => (typeof n === 'number' ? n.toLocaleString('en-US', { maximumFractionDigits: d }) : String(n ?? ''));
