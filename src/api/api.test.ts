import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { OPENAPI } from './openapi.js';
import { checkResponse, templateOf } from './openapi-check.js';
import { newToken } from './auth.js';
import { CHROMIUM_PATH } from './pdf.js';
import { startFixture, type Fixture } from './test-fixture.js';

let f: Fixture;
before(async () => {
  f = await startFixture();
});
after(async () => {
  await f.close();
});

interface Res {
  status: number;
  type: string;
  text: string;
  json: any;
  headers: Headers;
}

/** Calls the API and checks every JSON response against the OpenAPI document. */
async function call(
  method: string,
  path: string,
  o: { token?: string | null; body?: unknown; raw?: string; role?: 'viewer' | 'analyst' | 'admin' } = {},
): Promise<Res> {
  const token = o.token === undefined ? f.tokens[o.role ?? 'admin'] : o.token;
  const headers: Record<string, string> = {};
  if (token) headers['authorization'] = `Bearer ${token}`;
  if (o.body !== undefined || o.raw !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(f.url + path, { method, headers, body: o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body)) });
  const text = await r.text();
  const type = r.headers.get('content-type') ?? '';
  const json = type.includes('json') ? JSON.parse(text) : undefined;
  const pathOnly = path.split('?')[0]!;
  if (r.status !== 404 && r.status !== 405 && r.status !== 413 && templateOf(OPENAPI, pathOnly)) {
    const problems = checkResponse(OPENAPI, method, pathOnly, r.status, type, json);
    assert.deepEqual(problems, [], `${method} ${path} ${r.status} does not match the OpenAPI document`);
  }
  return { status: r.status, type, text, json, headers: r.headers };
}

// Every route with the least role it needs; the role matrix below walks all of them.
const ROUTES: { method: string; path: string; role: 'viewer' | 'analyst' | 'admin'; body?: unknown }[] = [
  { method: 'GET', path: '/api/alerts', role: 'viewer' },
  { method: 'GET', path: '/api/alerts/wash1', role: 'viewer' },
  { method: 'GET', path: '/api/alerts/wash1/market', role: 'viewer' },
  { method: 'GET', path: '/api/alerts/wash1/report', role: 'viewer' },
  { method: 'GET', path: '/api/summary', role: 'viewer' },
  { method: 'GET', path: '/api/status', role: 'viewer' },
  { method: 'GET', path: '/api/patterns', role: 'viewer' },
  { method: 'GET', path: '/api/thresholds', role: 'viewer' },
  { method: 'GET', path: '/api/export.csv', role: 'viewer' },
  { method: 'GET', path: '/api/export.json', role: 'viewer' },
  { method: 'GET', path: '/api/openapi.json', role: 'viewer' },
  { method: 'GET', path: '/api/me', role: 'viewer' },
  { method: 'POST', path: '/api/alerts/vol1/assign', role: 'analyst', body: { assignee: 'ann' } },
  { method: 'POST', path: '/api/alerts/vol1/comment', role: 'analyst', body: { text: 'checked' } },
  { method: 'POST', path: '/api/alerts/vol1/escalate', role: 'analyst', body: {} },
  { method: 'POST', path: '/api/alerts/vol1/resolve', role: 'analyst', body: { resolution: 'resolved' } },
  { method: 'GET', path: '/api/tokens', role: 'admin' },
  { method: 'POST', path: '/api/tokens', role: 'admin', body: { name: 'matrix', role: 'viewer' } },
  { method: 'DELETE', path: '/api/tokens/matrix', role: 'admin' },
];

describe('access', () => {
  test('the route table covers every route the server has (plus events and the PDF, tested below)', () => {
    const served = f.api.routes.map((r) => `${r.method} ${r.path}`).sort();
    const listed = new Set(ROUTES.map((r) => `${r.method} ${r.path.replace(/\/(wash1|vol1|matrix)(?=\/|$)/, '/:id')}`));
    listed.add('GET /api/events');
    listed.add('GET /api/alerts/:id/report.pdf');
    assert.deepEqual(served, [...listed].sort());
  });

  test('no token, a malformed header or an unknown token: 401 on every route', async () => {
    for (const r of ROUTES) {
      const res = await call(r.method, r.path, { token: null, body: r.body });
      assert.equal(res.status, 401, `${r.method} ${r.path}`);
      assert.equal(res.json.error.code, 'unauthorized');
      assert.equal((await call(r.method, r.path, { token: 'sv_not-a-real-token', body: r.body })).status, 401);
    }
    const malformed = await fetch(`${f.url}/api/alerts`, { headers: { authorization: 'Basic abc' } });
    assert.equal(malformed.status, 401);
  });

  test('each role reaches exactly the routes its rank allows (viewer < analyst < admin)', async () => {
    const rank = { viewer: 0, analyst: 1, admin: 2 } as const;
    let n = 0;
    for (const role of ['viewer', 'analyst', 'admin'] as const) {
      for (const r of ROUTES) {
        // Token names are never reused: each call gets a fresh token to create or revoke.
        const fresh = `matrix-${n++}`;
        let { path, body } = r;
        if (r.method === 'POST' && r.path === '/api/tokens') body = { name: fresh, role: 'viewer' };
        if (r.method === 'DELETE') {
          await f.store.createToken(newToken(fresh, 'viewer').record);
          path = `/api/tokens/${fresh}`;
        }
        const res = await call(r.method, path, { role, body });
        if (rank[role] >= rank[r.role]) {
          assert.ok(res.status === 200 || res.status === 201, `${role} ${r.method} ${path}: ${res.status} ${res.text}`);
        } else {
          assert.equal(res.status, 403, `${role} ${r.method} ${r.path}`);
          assert.equal(res.json.error.code, 'forbidden');
        }
      }
    }
  });

  test('unknown routes are 404 and wrong methods 405, after authentication', async () => {
    assert.equal((await call('GET', '/api/nope')).status, 404);
    const r = await call('DELETE', '/api/alerts');
    assert.equal(r.status, 405);
    assert.equal(r.headers.get('allow'), 'GET');
    assert.equal((await call('GET', '/api/nope', { token: null })).status, 401);
  });
});

describe('alerts', () => {
  test('list: filters, pagination and sorting', async () => {
    const all = await call('GET', '/api/alerts');
    assert.equal(all.json.total, 3);
    assert.deepEqual(
      all.json.alerts.map((a: any) => a.alert_id),
      ['wash1', 'spoof1', 'vol1'],
    );
    const ids = async (q: string): Promise<string[]> => (await call('GET', `/api/alerts?${q}`)).json.alerts.map((a: any) => a.alert_id);
    assert.deepEqual(await ids('level=critical'), ['spoof1']);
    assert.deepEqual(await ids('min_level=high'), ['wash1', 'spoof1']);
    assert.deepEqual(await ids('type=volume_spike'), ['vol1']);
    assert.deepEqual(await ids('symbol=abc'), ['spoof1']);
    assert.deepEqual(await ids('account=C'), ['wash1']);
    assert.deepEqual(await ids('since=2026-03-02T00:00:00Z&until=2026-03-02T14:26:00Z'), ['spoof1']);
    assert.deepEqual(await ids('sort=time_asc&limit=2'), ['vol1', 'spoof1']);
    assert.deepEqual(await ids('sort=time_asc&limit=2&offset=2'), ['wash1']);
    assert.deepEqual(await ids('sort=risk_desc'), ['spoof1', 'wash1', 'vol1']);
    const page = await call('GET', '/api/alerts?limit=1');
    assert.equal(page.json.total, 3);
    assert.equal(page.json.alerts.length, 1);
    assert.deepEqual(page.json.alerts[0].case, { assignee: null, escalated: false, escalated_at: null, escalated_by: null });
  });

  test('list: bad input is 400 naming the field', async () => {
    const bad: [string, string][] = [
      ['level=severe', 'level'],
      ['min_level=x', 'min_level'],
      ['type=insider', 'type'],
      ['status=open', 'status'],
      ['since=yesterday', 'since'],
      ['until=2026-13-45', 'until'],
      ['since=2026-03-02T00:00:00Z&until=2026-03-01T00:00:00Z', 'until'],
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['limit=abc', 'limit'],
      ['offset=-1', 'offset'],
      ['sort=random', 'sort'],
      ['symbol=A,B', 'symbol'],
      ['levle=high', 'levle'],
    ];
    for (const [q, field] of bad) {
      const r = await call('GET', `/api/alerts?${q}`);
      assert.equal(r.status, 400, q);
      assert.equal(r.json.error.field, field, q);
      assert.match(r.json.error.message, new RegExp(`^${field}: `));
    }
  });

  test('one alert with evidence, case history and its pattern; unknown id is 404', async () => {
    const r = await call('GET', '/api/alerts/spoof1');
    assert.equal(r.json.alert.alert_id, 'spoof1');
    assert.equal(r.json.alert.evidence.metrics[0].name, 'size_multiple');
    assert.equal(r.json.pattern.type, 'spoofing');
    assert.ok(Array.isArray(r.json.history));
    const nf = await call('GET', '/api/alerts/nope');
    assert.equal(nf.status, 404);
    assert.equal(nf.json.error.code, 'not_found');
    assert.equal((await call('GET', '/api/alerts/%E0%A4%A')).status, 404);
  });

  test('market data: the recorded evidence events, sorted; a note when none were recorded', async () => {
    const r = await call('GET', '/api/alerts/spoof1/market');
    assert.equal(r.json.events.length, 8);
    assert.deepEqual(r.json.events.map((e: any) => e.action).slice(0, 3), ['new', 'new', 'new']);
    assert.equal(r.json.note, null);
    const none = await call('GET', '/api/alerts/vol1/market');
    assert.deepEqual(none.json.events, []);
    assert.match(none.json.note, /no market data/);
    assert.equal((await call('GET', '/api/alerts/nope/market')).status, 404);
  });

  test('summary with a timeline; bad bucket is 400', async () => {
    const r = await call('GET', '/api/summary?bucket=hour');
    assert.ok(r.json.total >= 3);
    assert.equal(r.json.byLevel.critical, 1);
    assert.ok(r.json.timeline.some((b: any) => b.type === 'spoofing' && b.count === 1));
    const b = await call('GET', '/api/summary?bucket=week');
    assert.equal(b.status, 400);
    assert.equal(b.json.error.field, 'bucket');
    assert.equal((await call('GET', '/api/summary?level=critical')).json.total, 1);
  });

  test('status, patterns, thresholds, openapi, me', async () => {
    const s = await call('GET', '/api/status');
    assert.equal(s.json.active, false);
    assert.equal(s.json.store, 'test.db');
    assert.equal((await call('GET', '/api/patterns')).json.patterns.length, 8);
    const th = await call('GET', '/api/thresholds');
    const vs = th.json.thresholds.find((t: any) => t.name === 'volume_spike_multiplier');
    assert.equal(vs.value, 3);
    assert.match(vs.description, /median/);
    assert.equal((await call('GET', '/api/openapi.json')).json.openapi, '3.1.0');
    assert.deepEqual((await call('GET', '/api/me', { role: 'viewer' })).json, { name: 'viewer-user', role: 'viewer' });
    assert.equal((await call('GET', '/api/status?x=1')).status, 400);
  });

  test('export: CSV and JSON of a filtered list, formula-safe', async () => {
    await f.store.upsertAlerts([
      (await f.store.getAlert('vol1'))!,
      { ...(await f.store.getAlert('vol1'))!, alert_id: 'csv1', description: '=HYPERLINK("x"), "quoted"' },
    ]);
    const csv = await call('GET', '/api/export.csv?type=volume_spike&sort=time_asc');
    assert.match(csv.type, /text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    assert.equal(lines[0]!.split(',')[0], 'alert_id');
    assert.equal(lines.length, 3);
    assert.ok(csv.text.includes(`"'=HYPERLINK(""x""), ""quoted"""`));
    const js = await call('GET', '/api/export.json?level=critical');
    assert.deepEqual(
      JSON.parse(js.text).map((a: any) => a.alert_id),
      ['spoof1'],
    );
    assert.equal((await call('GET', '/api/export.csv?limit=100001')).status, 400);
  });
});

describe('case actions', () => {
  test('assign, comment, escalate, resolve: each recorded with who, when, before and after', async () => {
    let r = await call('POST', '/api/alerts/wash1/assign', { role: 'analyst', body: { assignee: 'ann', note: 'yours' } });
    assert.equal(r.json.alert.case.assignee, 'ann');
    r = await call('POST', '/api/alerts/wash1/comment', { role: 'analyst', body: { text: 'A-B-C ring, same sizes' } });
    r = await call('POST', '/api/alerts/wash1/escalate', { role: 'analyst', body: { note: 'to the MLRO' } });
    assert.equal(r.json.alert.case.escalated, true);
    assert.equal(r.json.alert.case.escalated_by, 'analyst-user');
    r = await call('POST', '/api/alerts/wash1/resolve', {
      role: 'analyst',
      body: { resolution: 'false_positive', note: 'liquidity provider' },
    });
    assert.equal(r.json.alert.status, 'false_positive');
    assert.equal(r.json.alert.resolved_by, 'analyst-user');
    const h = (await call('GET', '/api/alerts/wash1')).json.history;
    assert.deepEqual(
      h.map((e: any) => e.action),
      ['assign', 'comment', 'escalate', 'resolve'],
    );
    assert.ok(h.every((e: any) => e.actor === 'analyst-user' && !Number.isNaN(Date.parse(e.at))));
    assert.equal(h[3].before.status, 'active');
    assert.equal(h[3].after.status, 'false_positive');
    assert.equal(h[1].note, 'A-B-C ring, same sizes');
  });

  test('bad bodies are 400 naming the field; unknown alert is 404', async () => {
    const cases: [string, unknown, string][] = [
      ['assign', {}, 'assignee'],
      ['assign', { assignee: '' }, 'assignee'],
      ['assign', { assignee: 7 }, 'assignee'],
      ['assign', { assignee: 'x'.repeat(101) }, 'assignee'],
      ['assign', { assignee: 'ann', extra: 1 }, 'extra'],
      ['comment', { text: '   ' }, 'text'],
      ['comment', [], 'body'],
      ['comment', 'text', 'body'],
      ['resolve', { resolution: 'closed' }, 'resolution'],
      ['resolve', {}, 'resolution'],
      ['resolve', { resolution: 'resolved', note: 5 }, 'note'],
      ['escalate', { reason: 'x' }, 'reason'],
    ];
    for (const [kind, body, field] of cases) {
      const r = await call('POST', `/api/alerts/spoof1/${kind}`, { role: 'analyst', body });
      assert.equal(r.status, 400, `${kind} ${JSON.stringify(body)}`);
      assert.equal(r.json.error.field, field, `${kind} ${JSON.stringify(body)}`);
    }
    const notJson = await call('POST', '/api/alerts/spoof1/comment', { role: 'analyst', raw: '{text:' });
    assert.equal(notJson.status, 400);
    assert.equal(notJson.json.error.field, 'body');
    const big = await call('POST', '/api/alerts/spoof1/comment', {
      role: 'analyst',
      raw: JSON.stringify({ text: 'x'.repeat(70_000) }),
    }).catch(() => ({ status: 413 }));
    assert.equal(big.status, 413);
    const nf = await call('POST', '/api/alerts/nope/comment', { role: 'analyst', body: { text: 'x' } });
    assert.equal(nf.status, 404);
    assert.deepEqual((await call('GET', '/api/alerts/spoof1')).json.history, [], 'rejected actions leave no audit entry');
  });
});

describe('reports', () => {
  test('the STOR report (HTML) carries the MAR fields', async () => {
    const r = await call('GET', '/api/alerts/spoof1/report');
    assert.match(r.type, /text\/html/);
    assert.ok(r.headers.get('content-security-policy'));
    for (const s of [
      'Suspicious Transaction and Order Report',
      'Section 1',
      'Reporting entity',
      'ABC',
      '2026-03-02T14:20:00.000Z',
      'Description of the nature of the suspicion',
      'S placed and cancelled',
      'size_multiple',
      'Account(s)',
      'o1',
    ]) {
      assert.ok(r.text.includes(s), `report lacks ${s}`);
    }
    assert.equal((await call('GET', '/api/alerts/nope/report')).status, 404);
  });

  test('HTML in alert text is escaped in the report', async () => {
    await f.store.upsertAlerts([{ ...(await f.store.getAlert('vol1'))!, alert_id: 'xss1', description: '<script>alert(1)</script>' }]);
    const r = await call('GET', '/api/alerts/xss1/report');
    assert.ok(!r.text.includes('<script>alert(1)'));
    assert.ok(r.text.includes('&lt;script&gt;'));
  });

  test(
    'the PDF is printed by Chromium',
    { skip: existsSync(CHROMIUM_PATH) ? false : `Chromium not installed at ${CHROMIUM_PATH}` },
    async () => {
      const r = await fetch(`${f.url}/api/alerts/spoof1/report.pdf`, { headers: { authorization: `Bearer ${f.tokens.viewer}` } });
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-type'), 'application/pdf');
      const b = Buffer.from(await r.arrayBuffer());
      assert.equal(b.subarray(0, 5).toString(), '%PDF-');
      assert.ok(b.length > 5000);
    },
  );
});

describe('tokens', () => {
  test('admin creates a token (secret shown once), it works, it is revoked, then it is 401', async () => {
    const c = await call('POST', '/api/tokens', { body: { name: 'bob', role: 'analyst' } });
    assert.equal(c.status, 201);
    assert.match(c.json.token, /^sv_/);
    const list = await call('GET', '/api/tokens');
    assert.ok(list.json.tokens.some((t: any) => t.name === 'bob'));
    assert.ok(!list.text.includes(c.json.token));
    assert.equal((await call('GET', '/api/me', { token: c.json.token })).json.role, 'analyst');
    assert.equal((await call('POST', '/api/tokens', { body: { name: 'bob', role: 'viewer' } })).status, 409);
    assert.equal((await call('DELETE', `/api/tokens/${c.json.id}`)).json.revokedAt !== null, true);
    assert.equal((await call('GET', '/api/me', { token: c.json.token })).status, 401);
    assert.equal((await call('DELETE', '/api/tokens/bob')).status, 404);
  });

  test('bad token requests are 400 naming the field', async () => {
    for (const [body, field] of [
      [{ name: 'x' }, 'role'],
      [{ role: 'viewer' }, 'name'],
      [{ name: 'a b', role: 'viewer' }, 'name'],
      [{ name: 'x', role: 'root' }, 'role'],
      [{ name: 'x', role: 'viewer', ttl: 1 }, 'ttl'],
    ] as const) {
      const r = await call('POST', '/api/tokens', { body });
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.json.error.field, field);
    }
  });
});

describe('live events', () => {
  test('server-sent events carry new and updated alerts', async () => {
    const ac = new AbortController();
    const r = await fetch(`${f.url}/api/events`, { headers: { authorization: `Bearer ${f.tokens.viewer}` }, signal: ac.signal });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /text\/event-stream/);
    const reader = r.body!.getReader();
    let buf = '';
    const readUntil = async (pred: (s: string) => boolean): Promise<void> => {
      const deadline = Date.now() + 4000;
      while (!pred(buf)) {
        if (Date.now() > deadline) throw new Error(`timed out; got: ${buf}`);
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buf += Buffer.from(value).toString();
      }
    };
    await readUntil((s) => s.includes(': connected'));
    // Let the hub take its starting cursor before the change.
    await new Promise((res) => setTimeout(res, 150));
    await f.store.upsertAlerts([{ ...(await f.store.getAlert('vol1'))!, alert_id: 'live1' }]);
    await readUntil((s) => s.includes('"live1"'));
    const ev = buf.split('\n\n').find((b) => b.includes('"live1"'))!;
    assert.match(ev, /^id: \d+$/m);
    assert.match(ev, /^event: alert$/m);
    const data = JSON.parse(/^data: (.*)$/m.exec(ev)![1]!);
    assert.equal(data.created, true);
    assert.equal(data.alert.case.assignee, null);
    await f.store.applyCaseAction('live1', { kind: 'assign', assignee: 'zoe' }, 'lead', new Date().toISOString());
    await readUntil((s) => s.includes('"zoe"'));
    ac.abort();
  });

  test('Last-Event-ID replays what a reconnecting client missed', async () => {
    const mark = await f.store.latestChange();
    await f.store.upsertAlerts([{ ...(await f.store.getAlert('vol1'))!, alert_id: 'missed1' }]);
    const ac = new AbortController();
    const r = await fetch(`${f.url}/api/events`, {
      headers: { authorization: `Bearer ${f.tokens.viewer}`, 'last-event-id': String(mark) },
      signal: ac.signal,
    });
    const reader = r.body!.getReader();
    let buf = '';
    const deadline = Date.now() + 4000;
    while (!buf.includes('"missed1"') && Date.now() < deadline) buf += Buffer.from((await reader.read()).value ?? []).toString();
    ac.abort();
    assert.ok(buf.includes('"missed1"'));
  });
});

describe('dashboard files', () => {
  test('index.html and scripts are served without a token; traversal is refused', async () => {
    const r = await fetch(`${f.url}/`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /text\/html/);
    assert.ok(r.headers.get('content-security-policy'));
    assert.equal((await fetch(`${f.url}/app.js`)).status, 200);
    assert.equal((await fetch(`${f.url}/..%2f..%2fpackage.json`)).status, 404);
    assert.equal((await fetch(`${f.url}/nope.js`)).status, 404);
  });
});
