import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Alert, PatternType } from '../domain/alert.js';
import type { ScenarioLabel } from '../ingest/simulator/contract.js';
import { matches, score } from './score.js';

const T0 = Date.parse('2026-03-02T15:00:00Z');
const MIN = 60_000;

function alert(id: string, type: PatternType, symbol: string, fromMin: number, toMin: number, users: string[] = [], atMin = toMin): Alert {
  return {
    alert_id: id,
    type,
    manipulation_type: null,
    anomaly_type: null,
    level: 'medium',
    description: '',
    confidence: 0.8,
    risk_score: 0.5,
    timestamp: new Date(T0 + atMin * MIN).toISOString(),
    window_start: new Date(T0 + fromMin * MIN).toISOString(),
    window_end: new Date(T0 + toMin * MIN).toISOString(),
    affected_symbols: [symbol],
    affected_users: users,
    evidence: { tradeIds: [], orderIds: [], metrics: [] },
    status: 'active',
    detector_version: 1,
  };
}

function label(
  id: string,
  type: PatternType,
  symbol: string,
  fromMin: number,
  toMin: number,
  accounts: string[] = [],
  incidental = false,
): ScenarioLabel {
  return {
    scenario_id: id,
    type,
    symbol,
    accounts,
    startMs: T0 + fromMin * MIN,
    endMs: T0 + toMin * MIN,
    ...(incidental ? { incidental: true } : {}),
  };
}

test('matching: type, symbol, window overlap with slack, accounts for account-level patterns', () => {
  const l = label('S1', 'wash_trading', 'AAA', 0, 10, ['A1', 'A2']);
  assert.ok(matches(alert('a', 'wash_trading', 'AAA', 5, 12, ['A2', 'A9']), l));
  assert.ok(!matches(alert('a', 'wash_trading', 'AAA', 5, 12, ['A9']), l), 'no labelled account');
  assert.ok(!matches(alert('a', 'wash_trading', 'BBB', 5, 12, ['A1']), l), 'other symbol');
  assert.ok(!matches(alert('a', 'spoofing', 'AAA', 5, 12, ['A1']), l), 'other type');
  assert.ok(matches(alert('a', 'wash_trading', 'AAA', 10.5, 12, ['A1']), l), 'within 60 s slack');
  assert.ok(!matches(alert('a', 'wash_trading', 'AAA', 12, 13, ['A1']), l), 'beyond slack');
  assert.ok(!matches(alert('a', 'wash_trading', 'AAA', 10.5, 12, ['A1']), l, 0), 'no slack');
  // Spoofing and layering stand for each other; market-wide patterns ignore accounts.
  assert.ok(matches(alert('a', 'layering', 'AAA', 1, 2, ['S']), label('S2', 'spoofing', 'AAA', 0, 3, ['S'])));
  assert.ok(matches(alert('a', 'volume_spike', 'AAA', 1, 2, ['X']), label('S3', 'volume_spike', 'AAA', 0, 3, ['Y'])));
});

test('precision, recall, F1, delay and macro-F1', () => {
  const labels = [
    label('S1', 'spoofing', 'AAA', 0, 10, ['S']),
    label('S2', 'spoofing', 'AAA', 30, 40, ['S2']),
    label('S3', 'volume_spike', 'BBB', 0, 5),
    label('N1', 'price_anomaly', 'BBB', 0, 5, [], true),
  ];
  const alerts = [
    alert('a1', 'spoofing', 'AAA', 1, 3, ['S'], 3), // hit S1, 3 min after its start
    alert('a2', 'layering', 'AAA', 2, 6, ['S'], 6), // stands for spoofing: also hits S1
    alert('a3', 'spoofing', 'AAA', 100, 101, ['Z']), // false positive
    alert('a4', 'volume_spike', 'BBB', 1, 2, [], 1), // hit S3
    alert('a5', 'price_anomaly', 'BBB', 1, 2), // incidental: neither way
  ];
  const s = score(alerts, labels);
  const by = (t: PatternType) => s.byType.find((x) => x.type === t)!;
  assert.deepEqual(
    [by('spoofing').labels, by('spoofing').detected, by('spoofing').truePositives, by('spoofing').falsePositives],
    [2, 1, 1, 1],
  );
  assert.equal(by('spoofing').precision, 0.5);
  assert.equal(by('spoofing').recall, 0.5);
  assert.equal(by('spoofing').delayMedianMs, 3 * MIN);
  assert.deepEqual([by('layering').truePositives, by('layering').precision, by('layering').labels], [1, 1, 0]);
  assert.equal(by('volume_spike').f1, 1);
  assert.deepEqual([by('price_anomaly').incidental, by('price_anomaly').falsePositives, by('price_anomaly').alerts], [1, 0, 1]);
  // Judged types: spoofing (0.5) and volume_spike (1); layering has no labels and no false positives.
  assert.ok(Math.abs(s.macroF1 - 0.75) < 1e-9);
  assert.deepEqual(
    s.missed.map((l) => l.scenario_id),
    ['S2'],
  );
  assert.deepEqual(
    s.falsePositives.map((a) => a.alert_id),
    ['a3'],
  );
});

test('first-seen times override the (last-update) alert timestamp for delays', () => {
  const labels = [label('S1', 'pump_and_dump', 'AAA', 0, 20)];
  const alerts = [alert('p', 'pump_and_dump', 'AAA', 1, 20, [], 20)];
  assert.equal(score(alerts, labels).byType.find((x) => x.type === 'pump_and_dump')!.delayMeanMs, 20 * MIN);
  const s = score(alerts, labels, { firstSeenMs: new Map([['p', T0 + 2 * MIN]]) });
  assert.equal(s.byType.find((x) => x.type === 'pump_and_dump')!.delayMeanMs, 2 * MIN);
});

test('nothing to judge gives zero macro-F1, not NaN; a type with only false positives scores 0', () => {
  assert.equal(score([], []).macroF1, 0);
  const s = score([alert('x', 'wash_trading', 'AAA', 0, 1, ['A'])], [label('S1', 'volume_spike', 'AAA', 0, 1)]);
  assert.equal(s.byType.find((t) => t.type === 'wash_trading')!.f1, 0);
  assert.equal(s.macroF1, 0);
});
