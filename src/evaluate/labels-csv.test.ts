import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, UsageError } from '../domain/errors.js';
import type { ScenarioLabel } from '../ingest/simulator/contract.js';
import { formatLabelsCsv, parseLabelsCsv, readLabelsCsv } from './labels-csv.js';

const labels: ScenarioLabel[] = [
  {
    scenario_id: 'S1',
    type: 'wash_trading',
    symbol: 'AAA',
    accounts: ['A1', 'A2'],
    startMs: Date.parse('2026-03-02T14:50:00Z'),
    endMs: Date.parse('2026-03-02T14:56:00Z'),
  },
  {
    scenario_id: 'S2',
    type: 'volume_spike',
    symbol: 'BBB',
    accounts: [],
    startMs: Date.parse('2026-03-02T15:00:00.250Z'),
    endMs: Date.parse('2026-03-02T15:02:00Z'),
    incidental: true,
  },
];

test('labels round-trip through CSV', () => {
  const text = formatLabelsCsv(labels);
  assert.match(text, /^scenario_id,type,symbol,accounts,start,end,incidental\n/);
  assert.match(text, /S1,wash_trading,AAA,A1;A2,2026-03-02T14:50:00.000Z,2026-03-02T14:56:00.000Z,false/);
  assert.deepEqual(parseLabelsCsv(text), [{ ...labels[0] }, { ...labels[1] }]);
});

test('the plain six-column header is enough, quoted cells and CRLF are accepted', () => {
  const text = 'scenario_id,type,symbol,accounts,start,end\r\n"x,1",spoofing,aaa,"A1;A2",2026-03-02T14:50:00Z,2026-03-02T14:51:00Z\r\n\r\n';
  const [l] = parseLabelsCsv(text);
  assert.equal(l?.scenario_id, 'x,1');
  assert.equal(l?.symbol, 'AAA');
  assert.deepEqual(l?.accounts, ['A1', 'A2']);
  assert.equal(l?.incidental, undefined);
  assert.equal(formatLabelsCsv([l]).split('\n')[0], 'scenario_id,type,symbol,accounts,start,end');
});

test('errors name the file, line and field', () => {
  const head = 'scenario_id,type,symbol,accounts,start,end\n';
  const cases: [string, number, string][] = [
    ['S1,wash,AAA,,2026-03-02T14:50:00Z,2026-03-02T14:51:00Z\n', 2, 'type'],
    ['S1,spoofing,AAA,,March 2,2026-03-02T14:51:00Z\n', 2, 'start'],
    ['S1,spoofing,AAA,,2026-03-02T14:50:00Z,2026-03-02T14:40:00Z\n', 2, 'end'],
    [
      'S1,spoofing,AAA,,2026-03-02T14:50:00Z,2026-03-02T14:51:00Z\n,spoofing,AAA,,2026-03-02T14:50:00Z,2026-03-02T14:51:00Z\n',
      3,
      'scenario_id',
    ],
  ];
  for (const [body, line, field] of cases) {
    assert.throws(
      () => parseLabelsCsv(head + body, 'l.csv'),
      (e: unknown) => {
        assert.ok(e instanceof InputError);
        assert.equal(e.line, line);
        assert.equal(e.field, field);
        assert.match(e.message, new RegExp(`^l\\.csv:${line}: field '${field}'`));
        return true;
      },
    );
  }
  assert.throws(
    () => parseLabelsCsv('scenario_id,type,symbol,start,end\n', 'h.csv'),
    (e: unknown) => e instanceof InputError && e.field === 'accounts' && e.line === 1,
  );
});

test('reading a file: missing file is a usage error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'labels-'));
  const p = join(dir, 'l.csv');
  writeFileSync(p, formatLabelsCsv(labels));
  assert.equal(readLabelsCsv(p).length, 2);
  assert.throws(() => readLabelsCsv(join(dir, 'nope.csv')), UsageError);
});
