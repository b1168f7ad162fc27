import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

/** End-to-end: the real `surveillance` binary in a temporary directory with its own store. */
const BIN = fileURLToPath(new URL('../../../bin/surveillance.js', import.meta.url));

function workspace(): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(join(tmpdir(), 'cli-'));
  return { dir, env: { ...process.env, SURVEILLANCE_DB: join(dir, 'alerts.db'), NO_COLOR: '1', SURVEILLANCE_USER: 'tester' } };
}

function cli(
  ws: { dir: string; env: NodeJS.ProcessEnv },
  args: string[],
  input?: string,
): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ws.dir, env: ws.env, encoding: 'utf8', input, timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function startMonitor(ws: { dir: string; env: NodeJS.ProcessEnv }, args: string[]): ChildProcess & { output: () => string } {
  const p = spawn(process.execPath, [BIN, 'start', ...args], { cwd: ws.dir, env: ws.env, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  p.stdout.on('data', (d: Buffer) => (output += d.toString()));
  p.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return Object.assign(p, { output: () => output });
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const exited = (p: ChildProcess): Promise<number | null> =>
  new Promise((r) => (p.exitCode !== null ? r(p.exitCode) : p.once('exit', (c) => r(c))));

/** A canonical trades file with a volume burst and a price jump on XYZ. */
function tape(path: string): void {
  const rows = ['ts,symbol,price,qty,buyer,seller,trade_id,side'];
  const t0 = Date.parse('2026-03-02T14:00:00Z');
  let price = 100;
  for (let i = 0; i < 6000; i++) {
    if (i >= 5000 && i < 5030) price *= 1.01;
    const qty = i >= 4000 && i < 4100 ? 500 : 10 + (i % 7);
    rows.push(`${t0 + i * 1000},XYZ,${price.toFixed(2)},${qty},B${i % 11},S${i % 13},T${i},${i % 2 ? 'buy' : 'sell'}`);
  }
  rows.push('not-a-time,XYZ,1,1,,,,');
  writeFileSync(path, `${rows.join('\n')}\n`);
}

test('list-patterns names all eight patterns, also as JSON', () => {
  const ws = workspace();
  const r = cli(ws, ['list-patterns']);
  assert.equal(r.code, 0);
  for (const p of [
    'pump_and_dump',
    'wash_trading',
    'spoofing',
    'layering',
    'volume_spike',
    'price_anomaly',
    'concentrated_trading',
    'unusual_timing',
  ])
    assert.match(r.stdout, new RegExp(p));
  assert.equal((JSON.parse(cli(ws, ['list-patterns', '--json']).stdout) as unknown[]).length, 8);
});

test('replay → alerts → summary → resolve, with rejects kept and ids stable across re-runs', () => {
  const ws = workspace();
  tape(join(ws.dir, 'tape.csv'));
  const r = cli(ws, ['replay', 'tape.csv', '--rejects', 'rejects.ndjson']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Events: 6,000/);
  assert.match(r.stdout, /events\/s/);
  assert.match(r.stderr, /tape\.csv:6002: field ts/);
  const rejects = readFileSync(join(ws.dir, 'rejects.ndjson'), 'utf8').trim().split('\n');
  assert.equal(rejects.length, 1);
  assert.equal(JSON.parse(rejects[0]!).line, 6002);

  const alerts = JSON.parse(cli(ws, ['alerts', '--json', '--limit', '100']).stdout) as { alert_id: string; type: string; level: string }[];
  assert.ok(
    alerts.some((a) => a.type === 'volume_spike'),
    'volume spike found',
  );
  assert.ok(
    alerts.some((a) => a.type === 'price_anomaly'),
    'price anomaly found',
  );
  // Re-processing the same input never duplicates.
  assert.equal(cli(ws, ['replay', 'tape.csv', '--rejects', 'r2.ndjson']).code, 0);
  assert.equal((JSON.parse(cli(ws, ['alerts', '--json', '--limit', '100']).stdout) as unknown[]).length, alerts.length);

  const first = alerts[0]!;
  const one = cli(ws, ['alerts', '--id', first.alert_id]);
  assert.equal(one.code, 0);
  assert.match(one.stdout, /Evidence — measured against thresholds/);
  assert.equal(cli(ws, ['alerts', '--level', first.level, '--json']).code, 0);
  assert.equal(cli(ws, ['alerts', '--level', 'severe']).code, 2);

  const res = cli(ws, ['resolve', '--alert-id', first.alert_id, '--resolution', 'false_positive', '--note', 'known news']);
  assert.equal(res.code, 0, res.stderr);
  const after = JSON.parse(cli(ws, ['alerts', '--id', first.alert_id, '--json']).stdout) as {
    status: string;
    resolved_by: string;
    resolution_note: string;
  };
  assert.deepEqual([after.status, after.resolved_by, after.resolution_note], ['false_positive', 'tester', 'known news']);
  assert.equal(cli(ws, ['resolve', '--alert-id', 'nope']).code, 4);

  const summary = JSON.parse(cli(ws, ['summary', '--json']).stdout) as {
    total: number;
    byStatus: { false_positive: number };
    recommendations: string[];
  };
  assert.equal(summary.total, alerts.length);
  assert.equal(summary.byStatus.false_positive, 1);
  assert.ok(summary.recommendations.length > 0);
  assert.match(cli(ws, ['summary']).stdout, /Risk distribution/);
});

test('--strict stops at the first bad row with a non-zero exit naming file, line and field', () => {
  const ws = workspace();
  tape(join(ws.dir, 'tape.csv'));
  const r = cli(ws, ['replay', 'tape.csv', '--strict', '--no-store']);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /tape\.csv:6002: field ts/);
});

test('replay --threads N detects on N threads with the same results; a bad N is a usage error', () => {
  const ws = workspace();
  tape(join(ws.dir, 'tape.csv'));
  const runs = [1, 2].map((n) => {
    const r = cli(ws, ['replay', 'tape.csv', '--no-store', '--json', '--threads', String(n), '--rejects', `r${n}.ndjson`]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  });
  assert.equal(runs[1]!['threads'], 2);
  for (const key of ['events', 'trades', 'firstTsMs', 'lastTsMs', 'alerts', 'rejected', 'alerts_by_type'])
    assert.deepEqual(runs[1]![key], runs[0]![key], key);
  const bad = cli(ws, ['replay', 'tape.csv', '--threads', '0']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--threads must be a whole number ≥ 1, got '0'/);
});

test('bad usage exits non-zero with a clear message', () => {
  const ws = workspace();
  const missing = cli(ws, ['replay', 'nope.csv']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /input file not found: nope\.csv/);
  assert.equal(cli(ws, ['start']).code, 2); // sim needs --symbols
  assert.equal(cli(ws, ['frobnicate']).code, 2);
  writeFileSync(join(ws.dir, 'bad.json'), '{"thresholds":{"nope":1}}');
  const bad = cli(ws, ['--config', 'bad.json', 'status']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown key\(s\) 'thresholds\.nope'/);
});

test('start (simulator) / status / stop from separate processes; a second start is refused', async () => {
  const ws = workspace();
  assert.match(cli(ws, ['status']).stdout, /Monitor: INACTIVE/);
  assert.match(cli(ws, ['stop']).stdout, /No monitor is running/);
  const mon = startMonitor(ws, ['--symbols', 'AAA,BBB', '--duration', '60', '--seed', '3']);
  await waitFor('monitor start', () => /Monitoring/.test(mon.output()));
  await waitFor('events counted', () => {
    const s = JSON.parse(cli(ws, ['status', '--json']).stdout) as { active: boolean; monitor: { events: number } | null };
    return s.active && (s.monitor?.events ?? 0) > 0;
  });
  const st = cli(ws, ['status']);
  assert.match(st.stdout, /Monitor: ACTIVE/);
  assert.match(st.stdout, /symbols: AAA, BBB/);
  assert.match(st.stdout, /volume_spike_multiplier\s+3/);
  const second = cli(ws, ['start', '--symbols', 'CCC', '--duration', '5']);
  assert.equal(second.code, 5);
  assert.match(second.stderr, /already running/);
  const t = Date.now();
  const stop = cli(ws, ['stop']);
  assert.equal(stop.code, 0, stop.stderr);
  assert.match(stop.stdout, /stopped/);
  assert.ok(Date.now() - t < 5000, 'stop returns promptly');
  assert.equal(await exited(mon), 0);
  assert.match(mon.output(), /Monitor stopped: [\d,]+ events processed/);
  assert.match(mon.output(), /Alerts raised: \d+/);
  assert.match(cli(ws, ['status']).stdout, /Monitor: INACTIVE[\s\S]*last run/);
});

test('a monitor killed with -9 shows as INACTIVE and a new one can start', async () => {
  const ws = workspace();
  const mon = startMonitor(ws, ['--symbols', 'AAA', '--duration', '60']);
  await waitFor('monitor start', () => /Monitoring/.test(mon.output()));
  mon.kill('SIGKILL');
  await exited(mon);
  assert.match(cli(ws, ['status']).stdout, /Monitor: INACTIVE[\s\S]*killed\?/);
  const again = startMonitor(ws, ['--symbols', 'AAA', '--duration', '1']);
  assert.equal(await exited(again), 0, again.output());
});

test('start --source - reads stdin until it ends and stores the alerts', () => {
  const ws = workspace();
  tape(join(ws.dir, 'tape.csv'));
  const r = cli(ws, ['start', '--source', '-', '--rejects', 'rej.ndjson'], readFileSync(join(ws.dir, 'tape.csv'), 'utf8'));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Monitor stopped: 6,000 events/);
  assert.match(r.stdout, /Warmed up on 300,000 simulated events/);
  assert.ok((JSON.parse(cli(ws, ['alerts', '--json']).stdout) as unknown[]).length > 0);
  // The warm-up's own alerts (its simulated symbols) are never stored.
  assert.ok(!cli(ws, ['alerts', '--json']).stdout.includes('WARMUP'));
  const bad = cli(ws, ['start', '--source', '-', '--warm-up', '-1'], '');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--warm-up must be a non-negative number/);
});

test('start --threads 2 detects on two warmed-up threads and stores the same alerts', () => {
  const one = workspace();
  const two = workspace();
  tape(join(one.dir, 'tape.csv'));
  const input = readFileSync(join(one.dir, 'tape.csv'), 'utf8');
  assert.equal(cli(one, ['start', '--source', '-', '--warm-up', '0'], input).code, 0);
  const r = cli(two, ['start', '--source', '-', '--threads', '2', '--warm-up', '2000'], input);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Warmed up on 2,000 simulated events in [\d.]+ s on every detection thread/);
  assert.match(r.stdout, /2 detection threads/);
  assert.match(r.stdout, /Monitor stopped: 6,000 events/);
  const alerts = (ws: typeof one): string[] =>
    (JSON.parse(cli(ws, ['alerts', '--json', '--limit', '1000']).stdout) as { alert_id: string; type: string }[])
      .map((a) => `${a.alert_id} ${a.type}`)
      .sort();
  assert.ok(alerts(one).length > 0);
  assert.deepEqual(alerts(two), alerts(one));
  const bad = cli(two, ['start', '--source', '-', '--threads', '0'], '');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--threads must be a whole number ≥ 1, got '0'/);
});

test('start --source - processes a line as soon as it arrives, while stdin stays open', async () => {
  const ws = workspace();
  const mon = startMonitor(ws, ['--source', '-']);
  await waitFor('monitor start', () => /Monitoring/.test(mon.output()));
  mon.stdin!.write('ts,symbol,price,qty,buyer,seller,trade_id,side\n2026-03-02T14:00:00Z,XYZ,10,1,B,S,T1,buy\n');
  // The status heartbeat (every second) reports the event: it was not held back for more input.
  await waitFor(
    'the event processed',
    () => (JSON.parse(cli(ws, ['status', '--json']).stdout) as { monitor: { events: number } }).monitor.events === 1,
  );
  assert.equal(cli(ws, ['stop']).code, 0);
  assert.equal(await exited(mon), 0);
  assert.match(mon.output(), /Monitor stopped: 1 events/);
});

test('start --source FILE follows a growing file until stopped', async () => {
  const ws = workspace();
  const path = join(ws.dir, 'live.csv');
  writeFileSync(path, 'ts,symbol,price,qty,buyer,seller,trade_id,side\n');
  const mon = startMonitor(ws, ['--source', 'live.csv']);
  await waitFor('monitor start', () => /Monitoring/.test(mon.output()));
  tape(join(ws.dir, 'tape.csv'));
  const body = readFileSync(join(ws.dir, 'tape.csv'), 'utf8').split('\n').slice(1).join('\n');
  writeFileSync(path, body, { flag: 'a' });
  await waitFor(
    'events followed',
    () => (JSON.parse(cli(ws, ['status', '--json']).stdout) as { monitor: { events: number } }).monitor.events >= 6000,
  );
  assert.equal(cli(ws, ['stop']).code, 0);
  assert.equal(await exited(mon), 0);
  assert.ok(
    readdirSync(ws.dir).some((f) => f.startsWith('surveillance-rejects-')),
    'rejects file next to the run',
  );
});

test('test runs the simulator with injected scenarios and evaluate scores a labels file', () => {
  const ws = workspace();
  const r = cli(ws, ['test', '--symbols', 'AAA,BBB', '--duration', '7200', '--labels-out', 'labels.csv']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /precision\s+recall/);
  assert.match(r.stdout, /macro-F1/);
  const labels = readFileSync(join(ws.dir, 'labels.csv'), 'utf8');
  assert.match(labels, /^scenario_id,type,symbol,accounts,start,end/);
  const e = cli(ws, ['evaluate', '--labels', 'labels.csv']);
  assert.equal(e.code, 0, e.stderr);
  assert.match(e.stdout, /macro-F1/);
});

test('a reader that closes the pipe early (| head) ends the command quietly, exit 0', async () => {
  const ws = workspace();
  const p = spawn(process.execPath, [BIN, 'config', '--docs'], { cwd: ws.dir, env: ws.env, stdio: ['ignore', 'pipe', 'pipe'] });
  p.stdout.destroy(); // the reader is gone before the first line is written
  let stderr = '';
  p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => p.on('close', resolve));
  assert.equal(stderr, '');
  assert.equal(code, 0);
});
