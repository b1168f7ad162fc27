import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Alert } from '../domain/alert.js';
import { sampleAlert } from '../store/contract/alert-store-contract.js';
import { openSqliteStore, type SqliteAlertStore } from '../store/sqlite/sqlite-store.js';
import { newToken } from './auth.js';
import { createApiServer, type ApiServer, type ApiServerOptions } from './server.js';

/** A running API over a fresh SQLite store with one token per role and a few alerts (tests only). */
export interface Fixture {
  readonly url: string;
  readonly store: SqliteAlertStore;
  readonly api: ApiServer;
  readonly tokens: { readonly viewer: string; readonly analyst: string; readonly admin: string };
  close(): Promise<void>;
}

const t0 = Date.parse('2026-03-02T14:20:00.000Z');

/** Evidence events as the engine records them: a wash-trading ring and a spoofing order timeline. */
export function fixtureAlerts(): Alert[] {
  const washEvents = [
    { ts: t0 + 10_000, kind: 'trade', id: 't1', price: 10.0, qty: 500, side: 'buy', account: 'A', buyer: 'A', seller: 'B' },
    { ts: t0 + 70_000, kind: 'trade', id: 't2', price: 10.02, qty: 500, side: 'sell', account: 'B', buyer: 'B', seller: 'A' },
    { ts: t0 + 130_000, kind: 'trade', id: 't3', price: 10.01, qty: 480, side: 'buy', account: 'A', buyer: 'A', seller: 'C' },
    { ts: t0 + 250_000, kind: 'trade', id: 't4', price: 10.03, qty: 480, side: 'sell', account: 'C', buyer: 'C', seller: 'B' },
    { ts: t0 + 400_000, kind: 'trade', id: 't5', price: 10.02, qty: 500, side: 'buy', account: 'B', buyer: 'B', seller: 'A' },
  ];
  const spoofEvents = [
    { ts: t0 + 5_000, kind: 'order', id: 'o1', action: 'new', side: 'buy', price: 20.0, qty: 10_000, account: 'S' },
    { ts: t0 + 6_000, kind: 'order', id: 'o2', action: 'new', side: 'buy', price: 19.99, qty: 10_000, account: 'S' },
    { ts: t0 + 8_000, kind: 'order', id: 'o3', action: 'new', side: 'sell', price: 20.05, qty: 100, account: 'S' },
    { ts: t0 + 9_000, kind: 'order', id: 'o3', action: 'fill', side: 'sell', price: 20.05, qty: 100, account: 'S' },
    { ts: t0 + 9_000, kind: 'trade', id: 't9', price: 20.05, qty: 100, side: 'buy', account: 'X', buyer: 'X', seller: 'S' },
    { ts: t0 + 9_500, kind: 'order', id: 'o1', action: 'modify', side: 'buy', price: 20.01, qty: 12_000, account: 'S' },
    { ts: t0 + 11_000, kind: 'order', id: 'o1', action: 'cancel', side: 'buy', price: 20.01, qty: 12_000, account: 'S' },
    { ts: t0 + 11_200, kind: 'order', id: 'o2', action: 'cancel', side: 'buy', price: 19.99, qty: 10_000, account: 'S' },
  ];
  return [
    sampleAlert({
      alert_id: 'wash1',
      affected_users: ['A', 'B', 'C'],
      evidence: {
        tradeIds: ['t1', 't2', 't3', 't4', 't5'],
        orderIds: [],
        metrics: [
          { name: 'offset_ratio', value: 0.98, threshold: 0.8, op: '>=' },
          { name: 'trades', value: 5, threshold: 4, op: '>=' },
        ],
        details: { cycle: ['A', 'B', 'C'], events: washEvents },
      },
    }),
    sampleAlert({
      alert_id: 'spoof1',
      type: 'spoofing',
      manipulation_type: 'spoofing',
      level: 'critical',
      risk_score: 0.9,
      timestamp: '2026-03-02T14:25:00.000Z',
      affected_symbols: ['ABC'],
      affected_users: ['S'],
      description: 'S placed and cancelled large bids while selling',
      evidence: {
        tradeIds: ['t9'],
        orderIds: ['o1', 'o2', 'o3'],
        metrics: [{ name: 'size_multiple', value: 100, threshold: 5, op: '>=', unit: '×median' }],
        details: { events: spoofEvents },
      },
    }),
    sampleAlert({
      alert_id: 'vol1',
      type: 'volume_spike',
      manipulation_type: null,
      anomaly_type: 'volume_spike',
      level: 'low',
      risk_score: 0.2,
      timestamp: '2026-03-01T09:00:00.000Z',
      affected_symbols: ['QQQ'],
      affected_users: [],
      evidence: { tradeIds: [], orderIds: [], metrics: [] },
    }),
  ];
}

/** Starts the fixture server on 127.0.0.1 port 0. */
export async function startFixture(options: Partial<ApiServerOptions> = {}): Promise<Fixture> {
  const store = openSqliteStore(join(mkdtempSync(join(tmpdir(), 'api-')), 'alerts.db'));
  await store.upsertAlerts(fixtureAlerts());
  const tokens = { viewer: '', analyst: '', admin: '' };
  for (const role of ['viewer', 'analyst', 'admin'] as const) {
    const t = newToken(`${role}-user`, role);
    await store.createToken(t.record);
    tokens[role] = t.secret;
  }
  const api = createApiServer({ store, storeLabel: 'test.db', pollMs: 50, log: () => undefined, ...options });
  const url = await api.listen(0);
  return {
    url,
    store,
    api,
    tokens,
    async close() {
      await api.close();
      await store.close();
    },
  };
}
