// The dashboard talks to the HTTP API only. The token lives in sessionStorage (gone with the tab);
// it is sent as a Bearer header, never in a URL.
const KEY = 'surveillance.token';

export const token = {
  get: () => sessionStorage.getItem(KEY),
  set: (t) => sessionStorage.setItem(KEY, t),
  clear: () => sessionStorage.removeItem(KEY),
};

export class ApiFailure extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.field = body?.error?.field;
  }
}

/** Calls the API; JSON in and out. Throws ApiFailure with the server's message. */
export async function api(path, { method = 'GET', body, raw = false } = {}) {
  const headers = { authorization: `Bearer ${token.get() ?? ''}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!r.ok) {
    let b;
    try { b = await r.json(); } catch { b = undefined; }
    throw new ApiFailure(r.status, b);
  }
  if (raw) return r;
  return r.json();
}

/** Downloads an API resource as a file (the Bearer header rules out a plain link). */
export async function download(path, filename) {
  const r = await api(path, { raw: true });
  const blob = await r.blob();
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/**
 * Server-sent events over fetch (EventSource cannot send an Authorization header). Reconnects
 * with Last-Event-ID so nothing is missed. Returns a function that stops it.
 */
export function subscribe(onAlert, onState) {
  let stopped = false;
  let lastId;
  let ctrl;
  const run = async () => {
    while (!stopped) {
      ctrl = new AbortController();
      try {
        const headers = { authorization: `Bearer ${token.get() ?? ''}` };
        if (lastId !== undefined) headers['last-event-id'] = lastId;
        const r = await fetch('/api/events', { headers, signal: ctrl.signal });
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        onState(true);
        const reader = r.body.getReader();
        const dec = new TextDecoder();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += dec.decode(value, { stream: true });
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            let event = 'message', data = '', id;
            for (const line of block.split('\n')) {
              if (line.startsWith('event: ')) event = line.slice(7);
              else if (line.startsWith('data: ')) data += line.slice(6);
              else if (line.startsWith('id: ')) id = line.slice(4);
            }
            if (id !== undefined) lastId = id;
            if (event === 'alert' && data) onAlert(JSON.parse(data));
          }
        }
      } catch (e) {
        if (stopped) return;
      }
      onState(false);
      if (!stopped) await new Promise((res) => setTimeout(res, 2000));
    }
  };
  run();
  return () => { stopped = true; ctrl?.abort(); onState(false); };
}
