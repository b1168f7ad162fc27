import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAlertStoreContract, runAuditAppendOnlyContract, sampleAlert } from '../contract/alert-store-contract.js';
import { openSqliteStore, type SqliteAlertStore } from './sqlite-store.js';

const fresh = (): string => join(mkdtempSync(join(tmpdir(), 'store-')), 'alerts.db');

runAlertStoreContract('sqlite', async () => openSqliteStore(fresh()));

test('sqlite: migrations are recorded and re-opening does not re-apply them', async () => {
  const path = fresh();
  const a = openSqliteStore(path);
  await a.close();
  const b = openSqliteStore(path);
  const versions = b.db.prepare('SELECT version FROM schema_migrations').all();
  assert.deepEqual(versions, [{ version: 1 }, { version: 2 }]);
  assert.equal(b.db.pragma('journal_mode', { simple: true }), 'wal');
  await b.close();
});

test('sqlite: while streaming, WAL checkpoints run on their own thread and the WAL restarts after each', async () => {
  const path = fresh();
  const store = openSqliteStore(path);
  await store.beginStreaming();
  assert.equal(store.db.pragma('wal_autocheckpoint', { simple: true }), 0);
  const checkpointer = store.backgroundCheckpointer!;
  // ≈ 6 MB of alert versions, one commit each, as a live monitor writes them: past the 1,000 pages
  // (≈ 4 MB) at which the committing connection would otherwise have checkpointed by itself.
  const evidence = { tradeIds: Array.from({ length: 2000 }, (_, i) => `T${i}`), orderIds: [], metrics: [] };
  for (let i = 0; i < 200; i++) await store.upsertAlerts([sampleAlert({ alert_id: `a${i % 50}`, confidence: i / 200, evidence })]);
  const first = await checkpointer.checkpoint();
  assert.ok(first.log > 1000, `the writer left the WAL to the checkpointer (${first.log} frames)`);
  assert.equal(first.checkpointed, first.log);
  // Fully copied: the next commit starts the WAL again from its beginning.
  await store.upsertAlerts([sampleAlert({ alert_id: 'a1', confidence: 0.5 })]);
  const second = await checkpointer.checkpoint();
  assert.ok(second.log < 100, `the WAL restarted (${second.log} frames)`);
  await store.close();
  assert.equal(existsSync(`${path}-wal`), false, 'closing the last connection removes the WAL');
  const again = openSqliteStore(path);
  assert.equal(await again.countAlerts(), 50);
  assert.equal((await again.getAlert('a1'))!.confidence, 0.5);
  await again.close();
});

test('sqlite: an in-memory store streams without a checkpointer', async () => {
  const store = openSqliteStore(':memory:');
  await store.beginStreaming();
  assert.equal(store.backgroundCheckpointer, undefined);
  await store.upsertAlerts([sampleAlert()]);
  assert.equal(await store.countAlerts(), 1);
  await store.close();
});

test('sqlite: several processes write and read one database at once', async () => {
  const path = fresh();
  const store = openSqliteStore(path);
  await store.close();
  const worker = fileURLToPath(new URL('./concurrent-writer.fixture.js', import.meta.url));
  const run = (id: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const p = spawn(process.execPath, [worker, path, id, '300'], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      p.stderr.on('data', (d: Buffer) => (err += d.toString()));
      p.on('exit', (code) => (code === 0 ? resolve(code) : reject(new Error(`writer ${id} exited ${code}: ${err}`))));
    });
  await Promise.all([run('p1'), run('p2'), run('p3')]);
  const check = openSqliteStore(path);
  assert.equal(await check.countAlerts(), 900);
  await check.close();
});

runAuditAppendOnlyContract(
  'sqlite',
  async () => openSqliteStore(fresh()),
  async (store, sql) => {
    (store as SqliteAlertStore).db.exec(sql);
  },
);
