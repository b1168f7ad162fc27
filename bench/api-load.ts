/**
 * Load check of the HTTP API: listing alerts from a store of N alerts (default 1,000,000).
 *   npx tsc -p . && node dist/bench/api-load.js [--alerts 1000000] [--seconds 10] [--concurrency 8] [--max-requests 50000] [--db FILE]
 * Generates the SQLite store once (multi-row inserts; reused when it already holds N alerts), starts
 * `surveillance serve` as a child process on 127.0.0.1, and drives it with a bounded keep-alive
 * client (count and time bounded). Prints requests/s and latency percentiles per query shape.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LEVELS, PATTERN_TYPES } from '../src/domain/alert.js';
import { newToken } from '../src/api/auth.js';
import { openSqliteStore, type SqliteAlertStore } from '../src/store/sqlite/sqlite-store.js';

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
};
const N = Number(arg('alerts', '1000000'));
const SECONDS = Math.min(60, Number(arg('seconds', '10')));
const CONC = Math.min(64, Number(arg('concurrency', '8')));
const MAX_REQ = Math.min(200_000, Number(arg('max-requests', '50000')));
const DB = arg('db', join(tmpdir(), `surveillance-bench-${N}.db`));

const SYMBOLS = Array.from({ length: 500 }, (_, i) => `S${String(i).padStart(3, '0')}`);

function generate(store: SqliteAlertStore, n: number): void {
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const cols = 15;
  const rowsPer = Math.floor(32766 / cols);
  const stmt = (k: number) =>
    store.db.prepare(
      `INSERT INTO alerts (alert_id, type, level, level_rank, confidence, risk_score, ts_ms, window_start_ms, window_end_ms, symbols, users, data, status, created_at, updated_at)
       VALUES ${Array.from({ length: k }, () => `(${Array(cols).fill('?').join(',')})`).join(',')}`,
    );
  const full = stmt(rowsPer);
  const now = new Date().toISOString();
  let i = 0;
  const started = Date.now();
  while (i < n) {
    const k = Math.min(rowsPer, n - i);
    const params: unknown[] = [];
    for (let j = 0; j < k; j++, i++) {
      const level = LEVELS[i % 7 === 0 ? 0 : i % 5 === 0 ? 1 : i % 3 === 0 ? 2 : 3];
      const type = PATTERN_TYPES[i % PATTERN_TYPES.length]!;
      const ts = t0 + i * 2_000;
      const sym = SYMBOLS[(i * 7919) % SYMBOLS.length]!;
      const users = [`ACC${(i * 31) % 20000}`, `ACC${(i * 17 + 5) % 20000}`];
      const alert = {
        alert_id: `b${i.toString(36).padStart(8, '0')}`,
        type,
        manipulation_type: null,
        anomaly_type: type,
        level,
        description: `synthetic ${type} on ${sym}`,
        confidence: 0.5,
        risk_score: (i % 100) / 100,
        timestamp: new Date(ts).toISOString(),
        window_start: new Date(ts - 60_000).toISOString(),
        window_end: new Date(ts).toISOString(),
        affected_symbols: [sym],
        affected_users: users,
        evidence: { tradeIds: [`t${i}`], orderIds: [], metrics: [{ name: 'm', value: 1, threshold: 0.5, op: '>=' }] },
        status: i % 10 === 0 ? 'resolved' : 'active',
        detector_version: 1,
      };
      params.push(
        alert.alert_id,
        type,
        level,
        LEVELS.indexOf(level),
        0.5,
        alert.risk_score,
        ts,
        ts - 60_000,
        ts,
        `,${sym},`,
        `,${users.join(',')},`,
        JSON.stringify(alert),
        alert.status,
        now,
        now,
      );
    }
    store.db.transaction(() => (k === rowsPer ? full : stmt(k)).run(...params))();
    if (i % 100_000 < rowsPer)
      process.stdout.write(`  generated ${i.toLocaleString('en-US')} alerts (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  }
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  console.log(`# HTTP API load check — ${new Date().toISOString()}`);
  console.log(
    `machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; node ${process.version}`,
  );
  const store = openSqliteStore(DB);
  const have = await store.countAlerts();
  if (have !== N) {
    if (have !== 0) throw new Error(`${DB} holds ${have} alerts, not ${N}: remove it or pass --db`);
    console.log(`generating ${N.toLocaleString('en-US')} alerts into ${DB} …`);
    const t = Date.now();
    generate(store, N);
    console.log(`generated in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
  const tok = newToken(`bench-${process.pid}-${Date.now()}`, 'viewer');
  await store.createToken(tok.record);
  await store.close();

  const bin = fileURLToPath(new URL('../../bin/surveillance.js', import.meta.url));
  if (!existsSync(bin)) throw new Error(`missing ${bin}`);
  const child = spawn(process.execPath, [bin, '--db', DB, 'serve', '--port', '0', '--host', '127.0.0.1'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (c) => reject(new Error(`serve exited ${c}`)));
  });
  const agent = new Agent({ keepAlive: true, maxSockets: CONC });
  const get = (path: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const t = process.hrtime.bigint();
      const req = request(`${base}${path}`, { agent, headers: { authorization: `Bearer ${tok.secret}` } }, (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(Number(process.hrtime.bigint() - t) / 1e6)
            : reject(new Error(`${path}: HTTP ${res.statusCode}`)),
        );
      });
      req.on('error', reject);
      req.end();
    });
  const shapes: [string, () => string][] = [
    ['first page (newest 50)', () => '/api/alerts?limit=50'],
    ['filtered: level=critical', () => '/api/alerts?level=critical&limit=50'],
    ['filtered: status+type', () => '/api/alerts?status=active&type=spoofing&limit=50'],
    ['deep page (offset ≤ 10k)', () => `/api/alerts?limit=50&offset=${Math.floor(Math.random() * 10_000)}`],
  ];
  console.log(
    `store: ${N.toLocaleString('en-US')} alerts (SQLite, ${DB}); server: surveillance serve; client: ${CONC} keep-alive connections, ≤ ${SECONDS} s and ≤ ${MAX_REQ} requests per shape`,
  );
  await get('/api/alerts?limit=1'); // warm-up
  try {
    for (const [name, path] of shapes) {
      const lat: number[] = [];
      const deadline = Date.now() + SECONDS * 1000;
      let sent = 0;
      const t0 = process.hrtime.bigint();
      await Promise.all(
        Array.from({ length: CONC }, async () => {
          while (sent < MAX_REQ && Date.now() < deadline) {
            sent++;
            lat.push(await get(path()));
          }
        }),
      );
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      lat.sort((a, b) => a - b);
      console.log(
        `${name.padEnd(28)} ${String(lat.length).padStart(6)} req  ${(lat.length / secs).toFixed(0).padStart(6)} req/s  p50 ${pct(lat, 50).toFixed(1)} ms  p99 ${pct(lat, 99).toFixed(1)} ms  max ${lat[lat.length - 1]!.toFixed(1)} ms`,
      );
    }
  } finally {
    agent.destroy();
    child.kill('SIGTERM');
  }
}

await main();
