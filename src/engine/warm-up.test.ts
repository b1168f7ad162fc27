import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../config/config.js';
import { DETECTORS } from '../detect/registry.js';
import { DEFAULT_WARM_UP_EVENTS, WARM_UP_ROUNDS_EVENTS, warmUp } from './warm-up.js';

test('warm-up runs the simulated market through every detector, alerts included, and keeps nothing', async () => {
  const stats = await warmUp(parseConfig({}), DETECTORS, DEFAULT_WARM_UP_EVENTS);
  assert.ok(stats);
  // Rounds run in engines of their own, so a cancel or fill whose order was placed in an earlier
  // round is rejected there (≈ 0.4% of the rounds' market).
  assert.ok(stats.events <= DEFAULT_WARM_UP_EVENTS && stats.events > 0.99 * DEFAULT_WARM_UP_EVENTS, String(stats.events));
  // Both kinds of event and the alert path are exercised (the simulator injects manipulations).
  assert.ok(stats.trades > 0 && stats.orders > 0, JSON.stringify(stats));
  // The alert market (past the rounds) makes most detectors raise alerts, so their alert paths are
  // compiled before live events meet them; the rounds alone raised 3 patterns' alerts.
  assert.ok(stats.patterns.length >= 6, `alerts of ${stats.patterns.join(', ')} only: alert paths stay cold`);
});

test('a warm-up of the rounds only (100k events) runs no alert market', async () => {
  const stats = await warmUp(parseConfig({}), DETECTORS, WARM_UP_ROUNDS_EVENTS);
  assert.ok(stats);
  assert.ok(stats.events <= WARM_UP_ROUNDS_EVENTS && stats.events > 0.99 * WARM_UP_ROUNDS_EVENTS, String(stats.events));
  assert.ok(stats.patterns.length < 6, stats.patterns.join(', '));
});

test('warm-up of 0 events does nothing', async () => {
  assert.equal(await warmUp(parseConfig({}), DETECTORS, 0), null);
});
