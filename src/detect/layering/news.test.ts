import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeState, encodeState } from '../../engine/snapshot.js';
import { NewsLog } from './news.js';

test('news: found by account, side and time window; forgotten keepMs after', () => {
  const log = new NewsLog(10_000);
  log.add('XYZ', 'A', 'buy', 1_000);
  log.add('XYZ', 'B', 'sell', 1_500);
  log.add('ABC', 'A', 'sell', 2_000);
  assert.ok(log.placedWithin('XYZ', 'A', 'buy', 500, 500));
  assert.ok(log.placedWithin('XYZ', 'A', 'buy', 1_000, 0), 'at the cancel itself');
  assert.ok(!log.placedWithin('XYZ', 'A', 'buy', 1_001, 500), 'before the cancel');
  assert.ok(!log.placedWithin('XYZ', 'A', 'buy', 400, 500), 'too long after');
  assert.ok(!log.placedWithin('XYZ', 'A', 'sell', 0, 5_000), 'other side');
  assert.ok(!log.placedWithin('XYZ', 'C', 'buy', 0, 5_000), 'other account');
  assert.ok(log.placedWithin('ABC', 'A', 'sell', 2_000, 0));
  log.expire(11_200); // cutoff 1 200: only XYZ's first entry is older
  assert.ok(!log.placedWithin('XYZ', 'A', 'buy', 0, 5_000));
  assert.ok(log.placedWithin('XYZ', 'B', 'sell', 1_500, 0));
  log.expire(20_000);
  assert.ok(!log.placedWithin('XYZ', 'B', 'sell', 0, 5_000));
  assert.ok(!log.placedWithin('ABC', 'A', 'sell', 0, 5_000));
});

test('news: many entries compact and survive a checkpoint', () => {
  const log = new NewsLog(1_000);
  for (let t = 0; t < 5_000; t++) {
    log.add('XYZ', t % 2 ? 'A' : 'B', 'buy', t);
    if (t % 100 === 0) log.expire(t);
  }
  const copy = decodeState(encodeState(log)) as NewsLog;
  assert.ok(copy instanceof NewsLog);
  for (const l of [log, copy]) {
    assert.ok(l.placedWithin('XYZ', 'A', 'buy', 4_999, 0));
    assert.ok(!l.placedWithin('XYZ', 'A', 'buy', 0, 3_000), 'the old ones are gone');
  }
});
