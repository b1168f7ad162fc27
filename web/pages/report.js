import { api, download } from '../api.js';
import { h } from '../dom.js';

/** The STOR report of one alert, shown as the server renders it, with print and PDF. */
export async function reportPage(main, id) {
  const r = await api(`/api/alerts/${encodeURIComponent(id)}/report`, { raw: true });
  const html = await r.text();
  // srcdoc keeps the report's own styles and print layout apart from the dashboard's.
  const frame = h('iframe', { class: 'report', title: 'STOR report', 'data-testid': 'report-frame' });
  frame.srcdoc = html;
  main.replaceChildren(
    h('p', {}, h('a', { href: `#/alert/${encodeURIComponent(id)}` }, '← Alert')),
    h('div', { class: 'actions card' },
      h('button', { type: 'button', onclick: () => frame.contentWindow.print() }, 'Print'),
      h('button', { type: 'button', class: 'secondary', onclick: () => download(`/api/alerts/${encodeURIComponent(id)}/report.pdf`, `stor-${id}.pdf`) }, 'Download PDF')),
    frame);
}
