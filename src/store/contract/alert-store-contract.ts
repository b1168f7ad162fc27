import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Alert } from '../../domain/alert.js';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import type { AlertStore } from '../alert-store.js';

/** A valid alert with overridable fields (tests). */
export function sampleAlert(over: Partial<Alert> = {}): Alert {
  return {
    alert_id: 'a1',
    type: 'wash_trading',
    manipulation_type: 'wash_trading',
    anomaly_type: null,
    level: 'high',
    description: 'A and B traded back and forth',
    confidence: 0.9,
    risk_score: 0.75,
    timestamp: '2026-03-02T14:30:00.000Z',
    window_start: '2026-03-02T14:20:00.000Z',
    window_end: '2026-03-02T14:30:00.000Z',
    affected_symbols: ['XYZ'],
    affected_users: ['A', 'B'],
    evidence: { tradeIds: ['t1', 't2'], orderIds: [], metrics: [{ name: 'offset_ratio', value: 0.98, threshold: 0.8, op: '>=' }] },
    status: 'active',
    detector_version: 1,
    ...over,
  };
}

/**
 * The contract every AlertStore implementation must meet; run by each implementation's test file
 * with a factory that gives a fresh, empty store.
 */
export function runAlertStoreContract(name: string, open: () => Promise<AlertStore>, options: { skip?: string | false } = {}): void {
  const t = (title: string, fn: (store: AlertStore) => Promise<void>): void => {
    test(`${name}: ${title}`, { skip: options.skip ?? false }, async () => {
      const store = await open();
      try {
        await fn(store);
      } finally {
        await store.close();
      }
    });
  };

  t('upsert is idempotent and keeps the analyst fields', async (store) => {
    await store.upsertAlerts([sampleAlert()]);
    await store.upsertAlerts([sampleAlert()]);
    assert.equal(await store.countAlerts(), 1);
    await store.resolveAlert('a1', { resolution: 'false_positive', note: 'market maker', by: 'ann', atIso: '2026-03-03T00:00:00.000Z' });
    // The episode grows: the detector updates the alert, the analyst's verdict stays.
    await store.upsertAlerts([sampleAlert({ risk_score: 0.9, level: 'critical', window_end: '2026-03-02T14:40:00.000Z' })]);
    const a = await store.getAlert('a1');
    assert.ok(a);
    assert.equal(a.status, 'false_positive');
    assert.equal(a.resolution_note, 'market maker');
    assert.equal(a.resolved_by, 'ann');
    assert.equal(a.level, 'critical');
    assert.equal(a.window_end, '2026-03-02T14:40:00.000Z');
    assert.deepEqual(a.evidence, sampleAlert().evidence);
  });

  t('filters, sorting and pagination', async (store) => {
    await store.upsertAlerts([
      sampleAlert({ alert_id: 'x1', level: 'low', timestamp: '2026-03-02T10:00:00.000Z', risk_score: 0.2 }),
      sampleAlert({ alert_id: 'x2', level: 'critical', type: 'spoofing', timestamp: '2026-03-02T11:00:00.000Z', affected_symbols: ['ABC'], affected_users: ['C'] }),
      sampleAlert({ alert_id: 'x3', level: 'medium', timestamp: '2026-03-02T12:00:00.000Z', risk_score: 0.5 }),
    ]);
    assert.deepEqual((await store.listAlerts()).map((a) => a.alert_id), ['x3', 'x2', 'x1']);
    assert.deepEqual((await store.listAlerts({ limit: 2 })).map((a) => a.alert_id), ['x3', 'x2']);
    assert.deepEqual((await store.listAlerts({ limit: 2, offset: 2 })).map((a) => a.alert_id), ['x1']);
    assert.deepEqual((await store.listAlerts({ level: 'critical' })).map((a) => a.alert_id), ['x2']);
    assert.deepEqual((await store.listAlerts({ minLevel: 'medium' })).map((a) => a.alert_id), ['x3', 'x2']);
    assert.deepEqual((await store.listAlerts({ type: 'spoofing' })).map((a) => a.alert_id), ['x2']);
    assert.deepEqual((await store.listAlerts({ symbol: 'ABC' })).map((a) => a.alert_id), ['x2']);
    assert.deepEqual((await store.listAlerts({ account: 'A' })).map((a) => a.alert_id), ['x3', 'x1']);
    assert.deepEqual((await store.listAlerts({ sinceMs: Date.parse('2026-03-02T11:00:00Z'), untilMs: Date.parse('2026-03-02T12:00:00Z') })).map((a) => a.alert_id), ['x2']);
    assert.deepEqual((await store.listAlerts({ sort: 'time_asc' })).map((a) => a.alert_id), ['x1', 'x2', 'x3']);
    assert.deepEqual((await store.listAlerts({ sort: 'risk_desc' })).map((a) => a.alert_id), ['x2', 'x3', 'x1']);
    assert.equal(await store.countAlerts({ minLevel: 'medium' }), 2);
  });

  t('summary counts by status, level, type and risk', async (store) => {
    await store.upsertAlerts([
      sampleAlert({ alert_id: 's1', risk_score: 0.9 }),
      sampleAlert({ alert_id: 's2', risk_score: 0.5, type: 'volume_spike', level: 'medium' }),
      sampleAlert({ alert_id: 's3', risk_score: 0.1, level: 'low' }),
    ]);
    await store.resolveAlert('s3', { resolution: 'resolved', by: 'bob', atIso: '2026-03-03T00:00:00.000Z' });
    const s = await store.summary();
    assert.equal(s.total, 3);
    assert.equal(s.active, 2);
    assert.equal(s.byStatus.resolved, 1);
    assert.equal(s.byLevel.high, 1);
    assert.equal(s.byType.wash_trading, 2);
    assert.equal(s.byType.spoofing, 0);
    assert.deepEqual(s.risk, { high: 1, medium: 1, low: 1 });
    assert.equal(s.topSymbols[0]?.symbol, 'XYZ');
  });

  t('resolving an unknown alert is NotFound', async (store) => {
    await assert.rejects(store.resolveAlert('nope', { resolution: 'resolved', by: 'x', atIso: '2026-03-03T00:00:00.000Z' }), NotFoundError);
  });

  t('one monitor at a time; a dead one is replaced and kept as last', async (store) => {
    const claim = { pid: 111, host: 'h', symbols: ['A'], source: 'sim', config: { k: 1 } };
    await store.claimMonitor(claim, () => true);
    await assert.rejects(store.claimMonitor({ ...claim, pid: 222 }, () => true), ConflictError);
    await store.heartbeatMonitor(111, 50, 2);
    let m = await store.getMonitor();
    assert.equal(m.current?.events, 50);
    // 111 died without releasing: the next claim takes over.
    await store.claimMonitor({ ...claim, pid: 222 }, () => false);
    m = await store.getMonitor();
    assert.equal(m.current?.pid, 222);
    assert.equal(m.last?.pid, 111);
    await store.releaseMonitor(222, 70, 3);
    m = await store.getMonitor();
    assert.equal(m.current, null);
    assert.equal(m.last?.events, 70);
  });
}
