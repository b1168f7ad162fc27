// Hash-routed single page: #/queue, #/alert/<id>, #/summary, #/report/<id>.
import { api, ApiFailure, subscribe, token } from './api.js';
import { h } from './dom.js';
import { queuePage } from './pages/queue.js';
import { alertPage } from './pages/alert.js';
import { summaryPage } from './pages/summary.js';
import { reportPage } from './pages/report.js';

const main = document.getElementById('main');
const live = document.getElementById('live');
/** Live-update listeners of the current page; cleared on navigation. */
const listeners = new Set();
let me;
let stopEvents;

export const session = {
  get me() { return me; },
  /** The current page hears about new and changed alerts while it is shown. */
  onAlert(fn) { listeners.add(fn); },
};

function loginForm(message) {
  const input = h('input', { type: 'password', id: 'token', placeholder: 'sv_…', autocomplete: 'off' });
  const form = h('form', { class: 'card login', onsubmit: async (e) => {
    e.preventDefault();
    token.set(input.value.trim());
    await start();
  } },
  h('h1', {}, 'Sign in'),
  h('p', { class: 'muted' }, 'Paste an API token (create one with: surveillance token create --name YOU --role analyst).'),
  message ? h('p', { class: 'error' }, message) : null,
  input,
  h('button', { type: 'submit', id: 'signin' }, 'Sign in'));
  main.replaceChildren(form);
  input.focus();
}

async function route() {
  listeners.clear();
  const hash = location.hash || '#/queue';
  const [, page, arg] = hash.split('/');
  for (const a of document.querySelectorAll('[data-nav]')) a.classList.toggle('active', a.dataset.nav === page);
  try {
    if (page === 'alert' && arg) await alertPage(main, decodeURIComponent(arg));
    else if (page === 'summary') await summaryPage(main);
    else if (page === 'report' && arg) await reportPage(main, decodeURIComponent(arg));
    else await queuePage(main);
  } catch (e) {
    if (e instanceof ApiFailure && e.status === 401) return loginForm('The token was refused (revoked or mistyped).');
    main.replaceChildren(h('div', { class: 'card' }, h('p', { class: 'error' }, e.message)));
  }
}

async function start() {
  if (!token.get()) return loginForm();
  try {
    me = await api('/api/me');
  } catch (e) {
    token.clear();
    return loginForm(e instanceof ApiFailure && e.status === 401 ? 'The token was refused (revoked or mistyped).' : e.message);
  }
  document.getElementById('who').textContent = `${me.name} (${me.role})`;
  const out = document.getElementById('logout');
  out.hidden = false;
  out.onclick = () => { stopEvents?.(); token.clear(); location.hash = '#/queue'; location.reload(); };
  stopEvents?.();
  stopEvents = subscribe((ev) => { for (const fn of listeners) fn(ev); }, (on) => live.classList.toggle('on', on));
  window.onhashchange = route;
  await route();
}

start();
