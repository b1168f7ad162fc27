import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, type Config } from '../../config/config.js';
import type { Alert } from '../../domain/alert.js';
import type { MarketEvent } from '../../domain/events.js';
import { DETECTORS } from '../../detect/registry.js';
import { simulate, simulatorSessions } from '../../ingest/simulator/simulator.js';
import type { EventBatch } from '../../ingest/source.js';
import { MemorySink, RejectsFile, runFiles } from '../pipeline.js';
import { detectInThreads } from './threads.js';

// Symbols go to the threads in turn as they first appear: with 4 threads one of them gets none.
const SYMBOLS = ['AAPL', 'NVDA', 'IBM'];
/** How many rows a late trade is moved down (about a second of event time, inside the 2 s window). */
const LATE = 60;
const HEADER = 'type,ts,symbol,price,qty,buyer,seller,trade_id,order_id,account,side,action';

function csvRow(e: MarketEvent): string | undefined {
  switch (e.type) {
    case 'trade':
      return `trade,${e.tsMs},${e.symbol},${e.price},${e.qty},${e.buyer},${e.seller},${e.tradeId},,,${e.side ?? ''},`;
    case 'order':
      return `order,${e.tsMs},${e.symbol},${e.price},${e.qty},,,,${e.orderId},${e.account},${e.side},${e.action}`;
    case 'quote':
      return undefined; // canonical CSV carries no quotes
  }
}

/** 26 simulated minutes (100k events) raising spoofing, layering and a volume spike. */
const tape: MarketEvent[] = [
  ...simulate({
    symbols: SYMBOLS,
    seed: 2,
    startMs: Date.UTC(2026, 2, 2, 14, 30),
    durationMs: 26 * 60_000,
    inject: true,
    scenarioTypes: ['wash_trading', 'spoofing', 'volume_spike', 'layering'],
  }).batches,
].flat();

/**
 * The tape as canonical CSV, with bad rows (unparsable time, out of order beyond the reorder
 * window, a cancel of an order never placed) and some rows moved a little late (inside the
 * window: there the stream's clock is ahead of the row's own time).
 */
function tapeFile(dir: string): string {
  const kept = tape.map(csvRow).filter((r) => r !== undefined);
  for (let i = 100; i + LATE < kept.length; i += 37) {
    if (kept[i]!.startsWith('trade') || kept[i]!.endsWith(',cancel')) kept.splice(i + LATE, 0, kept.splice(i, 1)[0]!);
  }
  const t0 = Date.UTC(2026, 2, 2, 14, 30);
  kept.splice(5000, 0, 'trade,not-a-time,AAPL,1,1,a,b,x1,,,buy,');
  kept.splice(9000, 0, `trade,${t0},MSFT,10,1,a,b,x2,,,buy,`);
  kept.splice(12000, 0, `order,${t0 + 400_000},TSLA,10,1,,,,never-placed,a,buy,cancel`);
  const path = join(dir, 'tape.csv');
  writeFileSync(path, `${HEADER}\n${kept.join('\n')}\n`);
  return path;
}

const config: Config = parseConfig({ sessions: simulatorSessions(SYMBOLS) });
const byId = (alerts: Iterable<Alert>): string[] => [...alerts].map((a) => JSON.stringify(a)).sort();

test('detection threads give the single-thread alerts, rejects and stats exactly', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'threads-'));
  const input = tapeFile(dir);
  const runs = [];
  for (const threads of [1, 2, 3, 4]) {
    const sink = new MemorySink();
    const rejects = new RejectsFile(join(dir, `rejects-${threads}.ndjson`));
    const stats = await runFiles({ inputs: [input], config, detectors: DETECTORS, sink, rejects, threads });
    runs.push({ alerts: byId(sink.alerts.values()), rejects: readFileSync(rejects.path!, 'utf8'), stats });
  }
  const [one, ...threaded] = runs;
  assert.ok(one!.alerts.length >= 3, `the tape raises alerts (${one!.alerts.length})`);
  for (const reason of [/bad timestamp 'not-a-time'/, /124970 ms before the latest event/, /order never-placed never seen/])
    assert.match(one!.rejects, reason);
  for (const run of threaded) {
    assert.deepEqual(run.stats, one!.stats);
    assert.equal(run.rejects, one!.rejects);
    assert.deepEqual(run.alerts, one!.alerts);
  }
});

test('a warm-up on every detection thread leaves the alerts unchanged and is done before the input is read', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'threads-warm-'));
  const input = tapeFile(dir);
  const runs = [];
  for (const threads of [1, 2]) {
    const sink = new MemorySink();
    const order: string[] = [];
    const stats = await runFiles({
      inputs: [input],
      config,
      detectors: DETECTORS,
      sink,
      rejects: new RejectsFile(null),
      threads,
      warmUpEvents: threads === 1 ? 0 : 3000,
      onReady: (warm) => order.push(`ready ${warm?.events ?? 0}`),
      onEvents: () => order.push('batch'),
    });
    assert.equal(order[0], `ready ${threads === 1 ? 0 : 3000}`, 'ready (after the warm-up) comes before the first batch');
    assert.equal(order.filter((o) => o.startsWith('ready')).length, 1);
    runs.push({ alerts: byId(sink.alerts.values()), stats });
  }
  assert.ok(runs[0]!.alerts.length >= 3);
  assert.deepEqual(runs[1], runs[0], 'no warm-up event reaches the sink or the stats');
});

async function* batchesOf(events: MarketEvent[]): AsyncGenerator<EventBatch> {
  yield { file: 'test', events, lines: [] };
}

const someTrades: MarketEvent[] = SYMBOLS.map((symbol, i) => ({
  type: 'trade',
  tsMs: 1_700_000_000_000 + i,
  symbol,
  price: 10,
  qty: 1,
  buyer: 'a',
  seller: 'b',
  tradeId: `t${i}`,
}));

test('a detection thread that fails fails the run with its error', async () => {
  // Detectors are built in the threads: a configuration they cannot use fails there, not here.
  const broken = { ...config, thresholds: undefined } as unknown as Config;
  await assert.rejects(
    detectInThreads(batchesOf(someTrades), 2, { config: broken, detectors: DETECTORS, sink: new MemorySink() }),
    /detection thread [12] of 2 failed: Cannot read properties of undefined/,
  );
});

test('a failing alert sink fails the run; unregistered detectors are refused', async () => {
  const volumeSpike = DETECTORS.find((d) => d.pattern === 'volume_spike')!;
  const sink = {
    write(): void {
      throw new Error('disk full');
    },
  };
  await assert.rejects(detectInThreads(batchesOf(tape), 2, { config, detectors: DETECTORS, sink }), /disk full/);
  const copy = { ...volumeSpike };
  await assert.rejects(
    detectInThreads(batchesOf(someTrades), 2, { config, detectors: [copy], sink: new MemorySink() }),
    /not the registered one/,
  );
});
