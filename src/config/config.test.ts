import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseConfig } from './config.js';
import { configDocs } from './docs.js';
import { DEFAULT_THRESHOLDS } from './thresholds.js';

test('defaults are the documented ones', () => {
  const c = parseConfig({});
  assert.equal(c.thresholds.volume_spike_multiplier, 3);
  assert.equal(c.thresholds.price_change_threshold, 0.15);
  assert.deepEqual(c.thresholds, DEFAULT_THRESHOLDS);
});

test('unknown keys are rejected, naming the key', () => {
  assert.throws(
    () => parseConfig({ thresholds: { volume_spike_multiplyer: 3 } }, 'my.json'),
    /my\.json: unknown key\(s\) 'thresholds\.volume_spike_multiplyer'/,
  );
  assert.throws(() => parseConfig({ colour: 'red' }), /unknown key\(s\) 'colour'/);
});

test('bad values are rejected with their path', () => {
  assert.throws(() => parseConfig({ thresholds: { price_change_threshold: -1 } }), /thresholds\.price_change_threshold/);
  assert.throws(() => parseConfig({ sessions: { X: { open: '9:30', close: '16:00' } } }), /sessions\.X\.open/);
});

test('docs/CONFIG.md is the generated reference', () => {
  const file = new URL('../../../docs/CONFIG.md', import.meta.url);
  assert.equal(readFileSync(file, 'utf8'), `${configDocs()}\n`, 'regenerate with: ./bin/surveillance.js config --docs > docs/CONFIG.md');
});
