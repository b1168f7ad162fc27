import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAlertStoreContract, runAuditAppendOnlyContract } from '../contract/alert-store-contract.js';
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
