import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Alert } from '../domain/alert.js';
import { StoreSink } from './run-common.js';

/** A store stub that records each upsert call (one call = one transaction). */
class RecordingStore {
  readonly calls: string[][] = [];
  async upsertAlerts(alerts: readonly Alert[]): Promise<void> {
    this.calls.push(alerts.map((a) => `${a.alert_id}@${a.description}`));
  }
}

function alert(id: string, version: string): Alert {
  return { alert_id: id, description: version } as unknown as Alert;
}

test('without coalescing every batch is one store write (live latency)', async () => {
  const store = new RecordingStore();
  const sink = new StoreSink(store);
  await sink.write([alert('a', '1')]);
  await sink.write([alert('b', '1')]);
  assert.deepEqual(store.calls, [['a@1'], ['b@1']]);
});

test('coalescing holds alerts until the threshold, keeps the latest version, and flushes the rest', async () => {
  const store = new RecordingStore();
  const sink = new StoreSink(store, 3);
  await sink.write([alert('a', '1')]);
  await sink.write([alert('a', '2'), alert('b', '1')]);
  assert.equal(store.calls.length, 0);
  await sink.write([alert('c', '1')]);
  assert.deepEqual(store.calls, [['a@2', 'b@1', 'c@1']]);
  await sink.write([alert('d', '1')]);
  await sink.flush();
  await sink.flush();
  assert.deepEqual(store.calls, [['a@2', 'b@1', 'c@1'], ['d@1']]);
  assert.equal(sink.writes, 2);
  assert.deepEqual([...sink.raised.keys()], ['a', 'b', 'c', 'd']);
});
