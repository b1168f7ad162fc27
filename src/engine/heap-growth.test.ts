import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../domain/errors.js';
import { boundHeapGrowth, DEFAULT_HEAP_GROWTH_PERCENT } from './heap-growth.js';

test('heap growth: the default, an override, and a clear error for a bad value', () => {
  assert.equal(boundHeapGrowth({}), DEFAULT_HEAP_GROWTH_PERCENT);
  assert.equal(boundHeapGrowth({ SURVEILLANCE_HEAP_GROWTH_PERCENT: '0' }), 0);
  assert.throws(() => boundHeapGrowth({ SURVEILLANCE_HEAP_GROWTH_PERCENT: 'lots' }), UsageError);
  assert.throws(() => boundHeapGrowth({ SURVEILLANCE_HEAP_GROWTH_PERCENT: '-5' }), /whole number ≥ 0, got '-5'/);
  boundHeapGrowth({});
});
