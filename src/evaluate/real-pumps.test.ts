import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingShared, sharedFile } from '../testing/shared-data.js';
import { evaluateRealPumps, formatRealPumpsReport } from './real-pumps.js';

const DIR = 'binance-pumps';

// Targets reached with the default thresholds (docs/detectors/pump_and_dump.md). Three of the 27
// labelled events (MTH 2021-07-27, NEBL 2021-04-02, SNM 2021-11-20) show no price rise in the data.
test(
  'real Binance pumps: ≥ 24 of 27 detected at first alert, ≤ 0.5 false pump alerts per symbol-day',
  { skip: sharedFile(`${DIR}/labels.csv`) ? false : missingShared(DIR) },
  async () => {
    const report = await evaluateRealPumps(sharedFile(DIR)!);
    assert.equal(report.events.length, 27);
    assert.ok(report.detected >= 24, formatRealPumpsReport(report));
    assert.ok(report.falseAlertsPerSymbolDay <= 0.5, formatRealPumpsReport(report));
    assert.ok(report.early >= 20, 'most are raised during the pump, before the dump');
    assert.ok(report.symbolDays > 100);
  },
);
