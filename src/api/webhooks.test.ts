import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sampleAlert } from '../store/contract/alert-store-contract.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { backoffMs, signWebhook, WebhookDispatcher } from './webhooks.js';

/** A free port on 127.0.0.1 (listen on 0, read it, close). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

interface Received {
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

function receiver(port: number, got: Received[]): Promise<Server> {
  const s = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      got.push({ body, headers: req.headers });
      res.writeHead(204).end();
    });
  });
  return new Promise((r) => s.listen(port, '127.0.0.1', () => r(s)));
}

async function until(pred: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(20);
  }
}

test('back-off doubles per failed attempt up to the cap', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 10].map((n) => backoffMs(n, 100, 1000)),
    [100, 200, 400, 800, 1000],
  );
});

test('the signature is HMAC-SHA256 of "timestamp.body" and verifies the documented way', () => {
  const sig = signWebhook('s3cret', 1700000000, '{"a":1}');
  const expected = `sha256=${createHmac('sha256', 's3cret').update('1700000000.{"a":1}').digest('hex')}`;
  assert.ok(timingSafeEqual(Buffer.from(sig), Buffer.from(expected)));
  assert.notEqual(signWebhook('other', 1700000000, '{"a":1}'), sig);
});

test('webhooks: nothing is lost while the receiver is down, or across a restart; only alerts at or above the level', async () => {
  const store = openSqliteStore(join(mkdtempSync(join(tmpdir(), 'hooks-')), 'alerts.db'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/hook`;
  const opts = { url, secret: 's3cret', minLevel: 'high' as const, pollMs: 30, baseBackoffMs: 40, maxBackoffMs: 200, timeoutMs: 1000 };
  let d = new WebhookDispatcher(store, opts);
  await d.tick(); // first start: the cursor is set at the current end of the feed
  await store.upsertAlerts([
    sampleAlert({ alert_id: 'w-high', level: 'high' }),
    sampleAlert({ alert_id: 'w-low', level: 'low' }),
    sampleAlert({ alert_id: 'w-crit', level: 'critical' }),
  ]);
  d.start();
  // The receiver is down: attempts fail and are retried with back-off.
  await until(async () => (await store.listWebhooks(10)).every((w) => w.attempts >= 2) && (await store.listWebhooks(10)).length === 2);
  assert.ok((await store.listWebhooks(10)).every((w) => w.deliveredAt === null && /ECONNREFUSED/.test(w.lastError ?? '')));
  // The server restarts while the receiver is still down, and an alert arrives meanwhile.
  await d.stop();
  await store.upsertAlerts([sampleAlert({ alert_id: 'w-while-down', level: 'high' })]);
  d = new WebhookDispatcher(store, opts);
  d.start();
  const got: Received[] = [];
  const rx = await receiver(port, got);
  try {
    await until(async () => got.length >= 3);
    await until(async () => (await store.listWebhooks(10)).every((w) => w.deliveredAt !== null));
    const ids = got.map((g) => JSON.parse(g.body).alert.alert_id).sort();
    assert.deepEqual(ids, ['w-crit', 'w-high', 'w-while-down']);
    for (const g of got) {
      const ts = Number(g.headers['x-surveillance-timestamp']);
      assert.equal(g.headers['x-surveillance-signature'], signWebhook('s3cret', ts, g.body));
      assert.equal(JSON.parse(g.body).event, 'alert.new');
      assert.ok(g.headers['x-surveillance-delivery']);
    }
    // An update to an alert already sent is not sent again.
    await store.upsertAlerts([sampleAlert({ alert_id: 'w-high', level: 'critical', risk_score: 0.99 })]);
    await sleep(150);
    assert.equal(got.length, 3);
  } finally {
    await d.stop();
    await new Promise((r) => rx.close(r));
    await store.close();
  }
});

test('webhooks: a receiver answering 500 is retried until it accepts', async () => {
  const store = openSqliteStore(join(mkdtempSync(join(tmpdir(), 'hooks-')), 'alerts.db'));
  let calls = 0;
  const rx = createServer((req, res) => {
    req.resume();
    calls++;
    res.writeHead(calls < 3 ? 500 : 200).end();
  });
  await new Promise<void>((r) => rx.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(rx.address() as AddressInfo).port}/`;
  const d = new WebhookDispatcher(store, { url, secret: 'k', minLevel: 'medium', pollMs: 20, baseBackoffMs: 20, maxBackoffMs: 50 });
  await d.tick();
  await store.upsertAlerts([sampleAlert({ alert_id: 'r1', level: 'medium' })]);
  d.start();
  try {
    await until(async () => (await store.listWebhooks(1))[0]?.deliveredAt != null);
    assert.equal(calls, 3);
    assert.equal((await store.listWebhooks(1))[0]?.attempts, 3);
  } finally {
    await d.stop();
    await new Promise((r) => rx.close(r));
    await store.close();
  }
});
