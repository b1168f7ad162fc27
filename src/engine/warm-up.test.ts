import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../config/config.js';
import { DETECTORS } from '../detect/registry.js';
import { DEFAULT_WARM_UP_EVENTS, warmUp } from './warm-up.js';

test('warm-up runs the simulated market through every detector, alerts included, and keeps nothing', async () => {
  // The default size: the simulator's first scenarios (after its baselines warm up) fall inside it.
  const stats = await warmUp(parseConfig({}), DETECTORS, DEFAULT_WARM_UP_EVENTS);
  assert.ok(stats);
  // Rounds run in engines of their own, so a cancel or fill whose order was placed in an earlier
  // round is rejected there (≈ 0.4% of the default market).
  assert.ok(stats.events <= DEFAULT_WARM_UP_EVENTS && stats.events > 0.99 * DEFAULT_WARM_UP_EVENTS, String(stats.events));
  // Both kinds of event and the alert path are exercised (the simulator injects manipulations).
  assert.ok(stats.trades > 0 && stats.orders > 0, JSON.stringify(stats));
  assert.ok(stats.alerts > 0, 'the warm-up raised no alert: emit and enrich stay cold');
});

test('warm-up of 0 events does nothing', async () => {
  assert.equal(await warmUp(parseConfig({}), DETECTORS, 0), null);
});
