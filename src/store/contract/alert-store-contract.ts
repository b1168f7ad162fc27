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
      sampleAlert({
        alert_id: 'x2',
        level: 'critical',
        type: 'spoofing',
        timestamp: '2026-03-02T11:00:00.000Z',
        affected_symbols: ['ABC'],
        affected_users: ['C'],
      }),
      sampleAlert({ alert_id: 'x3', level: 'medium', timestamp: '2026-03-02T12:00:00.000Z', risk_score: 0.5 }),
    ]);
    assert.deepEqual(
      (await store.listAlerts()).map((a) => a.alert_id),
      ['x3', 'x2', 'x1'],
    );
    assert.deepEqual(
      (await store.listAlerts({ limit: 2 })).map((a) => a.alert_id),
      ['x3', 'x2'],
    );
    assert.deepEqual(
      (await store.listAlerts({ limit: 2, offset: 2 })).map((a) => a.alert_id),
      ['x1'],
    );
    assert.deepEqual(
      (await store.listAlerts({ level: 'critical' })).map((a) => a.alert_id),
      ['x2'],
    );
    assert.deepEqual(
      (await store.listAlerts({ minLevel: 'medium' })).map((a) => a.alert_id),
      ['x3', 'x2'],
    );
    assert.deepEqual(
      (await store.listAlerts({ type: 'spoofing' })).map((a) => a.alert_id),
      ['x2'],
    );
    assert.deepEqual(
      (await store.listAlerts({ symbol: 'ABC' })).map((a) => a.alert_id),
      ['x2'],
    );
    assert.deepEqual(
      (await store.listAlerts({ account: 'A' })).map((a) => a.alert_id),
      ['x3', 'x1'],
    );
    assert.deepEqual(
      (await store.listAlerts({ sinceMs: Date.parse('2026-03-02T11:00:00Z'), untilMs: Date.parse('2026-03-02T12:00:00Z') })).map(
        (a) => a.alert_id,
      ),
      ['x2'],
    );
    assert.deepEqual(
      (await store.listAlerts({ sort: 'time_asc' })).map((a) => a.alert_id),
      ['x1', 'x2', 'x3'],
    );
    assert.deepEqual(
      (await store.listAlerts({ sort: 'risk_desc' })).map((a) => a.alert_id),
      ['x2', 'x3', 'x1'],
    );
    assert.equal(await store.countAlerts({ minLevel: 'medium' }), 2);
    assert.equal(await store.countAlertsUpTo({}, 2), 2);
    assert.equal(await store.countAlertsUpTo({}, 10), 3);
    assert.equal(await store.countAlertsUpTo({ type: 'spoofing' }, 10), 1);
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
    await assert.rejects(
      store.claimMonitor({ ...claim, pid: 222 }, () => true),
      ConflictError,
    );
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

  t('case actions update the case and append to the audit trail', async (store) => {
    await store.upsertAlerts([sampleAlert()]);
    await store.applyCaseAction('a1', { kind: 'assign', assignee: 'ann' }, 'lead', '2026-03-03T09:00:00.000Z');
    await store.applyCaseAction('a1', { kind: 'comment', text: 'looks like a ring' }, 'ann', '2026-03-03T09:05:00.000Z');
    await store.applyCaseAction('a1', { kind: 'escalate', note: 'to compliance officer' }, 'ann', '2026-03-03T09:10:00.000Z');
    const a = await store.applyCaseAction(
      'a1',
      { kind: 'resolve', resolution: 'false_positive', note: 'market maker' },
      'ann',
      '2026-03-03T09:20:00.000Z',
    );
    assert.equal(a.status, 'false_positive');
    assert.equal(a.resolved_by, 'ann');
    assert.equal(a.resolution_note, 'market maker');
    const c = (await store.caseFields(['a1', 'missing'])).get('a1');
    assert.deepEqual(c, { assignee: 'ann', escalated: true, escalated_at: '2026-03-03T09:10:00.000Z', escalated_by: 'ann' });
    const h = await store.caseHistory('a1');
    assert.deepEqual(
      h.map((e) => [e.action, e.actor, e.at]),
      [
        ['assign', 'lead', '2026-03-03T09:00:00.000Z'],
        ['comment', 'ann', '2026-03-03T09:05:00.000Z'],
        ['escalate', 'ann', '2026-03-03T09:10:00.000Z'],
        ['resolve', 'ann', '2026-03-03T09:20:00.000Z'],
      ],
    );
    assert.equal(h[0]?.before.assignee, null);
    assert.equal(h[0]?.after.assignee, 'ann');
    assert.equal(h[1]?.note, 'looks like a ring');
    assert.deepEqual(h[1]?.before, h[1]?.after);
    assert.equal(h[3]?.before.status, 'active');
    assert.equal(h[3]?.after.status, 'false_positive');
    assert.ok(h[0].seq < h[3].seq);
    // A re-detection later keeps the case.
    await store.upsertAlerts([sampleAlert({ risk_score: 0.95 })]);
    assert.equal((await store.caseFields(['a1'])).get('a1')?.assignee, 'ann');
    assert.equal((await store.getAlert('a1'))?.status, 'false_positive');
    await assert.rejects(store.applyCaseAction('nope', { kind: 'comment', text: 'x' }, 'ann', '2026-03-03T09:00:00.000Z'), NotFoundError);
    assert.deepEqual(await store.caseHistory('nope'), []);
  });

  t('timeline counts alerts per bucket, level and type', async (store) => {
    await store.upsertAlerts([
      sampleAlert({ alert_id: 'h1', timestamp: '2026-03-02T10:10:00.000Z' }),
      sampleAlert({ alert_id: 'h2', timestamp: '2026-03-02T10:50:00.000Z' }),
      sampleAlert({ alert_id: 'h3', timestamp: '2026-03-02T11:05:00.000Z', level: 'low', type: 'volume_spike' }),
    ]);
    const hour = 3_600_000;
    assert.deepEqual(await store.timeline({}, hour), [
      { start_ms: Date.parse('2026-03-02T10:00:00Z'), level: 'high', type: 'wash_trading', count: 2 },
      { start_ms: Date.parse('2026-03-02T11:00:00Z'), level: 'low', type: 'volume_spike', count: 1 },
    ]);
    assert.equal((await store.timeline({ level: 'low' }, hour)).length, 1);
  });

  t('the change feed numbers every insert and update', async (store) => {
    assert.equal(await store.latestChange(), 0);
    await store.upsertAlerts([sampleAlert({ alert_id: 'c1' }), sampleAlert({ alert_id: 'c2' })]);
    const first = await store.changesSince(0, 10);
    assert.deepEqual(
      first.map((c) => [c.alert.alert_id, c.created]),
      [
        ['c1', true],
        ['c2', true],
      ],
    );
    const mark = await store.latestChange();
    assert.equal(mark, first[1]!.seq);
    await store.upsertAlerts([sampleAlert({ alert_id: 'c1', risk_score: 0.99 })]);
    await store.applyCaseAction('c2', { kind: 'assign', assignee: 'bob' }, 'lead', '2026-03-03T09:00:00.000Z');
    const next = await store.changesSince(mark, 10);
    assert.deepEqual(
      next.map((c) => [c.alert.alert_id, c.created]),
      [
        ['c1', false],
        ['c2', false],
      ],
    );
    assert.equal(next[0]?.alert.risk_score, 0.99);
    assert.deepEqual((await store.changesSince(0, 1)).length, 1);
    assert.deepEqual(await store.changesSince(await store.latestChange(), 10), []);
  });

  t('tokens are stored by hash, listed without it, and revoked', async (store) => {
    const tok = await store.createToken({ id: 't1', name: 'ann', role: 'analyst', hash: 'h1', createdAt: '2026-03-03T00:00:00.000Z' });
    assert.deepEqual(tok, { id: 't1', name: 'ann', role: 'analyst', createdAt: '2026-03-03T00:00:00.000Z', revokedAt: null });
    await assert.rejects(
      store.createToken({ id: 't2', name: 'ann', role: 'viewer', hash: 'h2', createdAt: '2026-03-03T00:00:00.000Z' }),
      ConflictError,
    );
    assert.equal((await store.findTokenByHash('h1'))?.name, 'ann');
    assert.equal(await store.findTokenByHash('h9'), undefined);
    assert.deepEqual(
      (await store.listTokens()).map((x) => x.name),
      ['ann'],
    );
    assert.equal((await store.revokeToken('ann', '2026-03-04T00:00:00.000Z')).revokedAt, '2026-03-04T00:00:00.000Z');
    assert.equal(await store.findTokenByHash('h1'), undefined);
    await assert.rejects(store.revokeToken('t1', '2026-03-05T00:00:00.000Z'), NotFoundError);
    assert.ok(!JSON.stringify(await store.listTokens()).includes('h1'));
  });

  t('webhook outbox: queued once, retried when due, delivered', async (store) => {
    const item = { alertId: 'a1', url: 'http://127.0.0.1:9/hook', payload: '{"x":1}' };
    assert.equal(await store.enqueueWebhooks([item, item], 1000), 1);
    assert.equal(await store.enqueueWebhooks([item], 2000), 0);
    const due = await store.dueWebhooks(1000, 10);
    assert.equal(due.length, 1);
    assert.equal(due[0]?.payload, '{"x":1}');
    await store.recordWebhookAttempt(due[0].id, { ok: false, error: 'ECONNREFUSED', nextAttemptMs: 5000 });
    assert.deepEqual(await store.dueWebhooks(4999, 10), []);
    const again = await store.dueWebhooks(5000, 10);
    assert.equal(again[0]?.attempts, 1);
    assert.equal(again[0]?.lastError, 'ECONNREFUSED');
    await store.recordWebhookAttempt(again[0].id, { ok: true, atIso: '2026-03-03T00:00:05.000Z' });
    assert.deepEqual(await store.dueWebhooks(1e15, 10), []);
    const all = await store.listWebhooks(10);
    assert.equal(all[0]?.deliveredAt, '2026-03-03T00:00:05.000Z');
    assert.equal(all[0]?.attempts, 2);
    assert.equal(await store.getCursor('webhooks'), undefined);
    await store.setCursor('webhooks', 42);
    await store.setCursor('webhooks', 43);
    assert.equal(await store.getCursor('webhooks'), 43);
  });
}

/** Runs raw SQL against a store's database (the append-only check needs to bypass the interface). */
export type RawExec = (store: AlertStore, sql: string) => Promise<void>;

/** The audit trail refuses UPDATE and DELETE at the database level (each implementation supplies raw SQL access). */
export function runAuditAppendOnlyContract(
  name: string,
  open: () => Promise<AlertStore>,
  exec: RawExec,
  options: { skip?: string | false } = {},
): void {
  test(`${name}: the audit trail cannot be edited or deleted, even with SQL`, { skip: options.skip ?? false }, async () => {
    const store = await open();
    try {
      await store.upsertAlerts([sampleAlert()]);
      await store.applyCaseAction('a1', { kind: 'comment', text: 'original' }, 'ann', '2026-03-03T09:00:00.000Z');
      await assert.rejects(exec(store, "UPDATE case_audit SET note = 'forged'"), /append-only/);
      await assert.rejects(exec(store, 'DELETE FROM case_audit'), /append-only/);
      assert.equal((await store.caseHistory('a1'))[0]?.note, 'original');
    } finally {
      await store.close();
    }
  });
}
