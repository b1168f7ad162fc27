import type { Command } from 'commander';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { SurveillanceError, UsageError } from '../../domain/errors.js';
import { runWorker } from '../../bus/worker.js';
import type { MarketEvent } from '../../domain/events.js';
import { detectorsFor } from '../../detect/registry.js';
import { Engine, type EngineStats } from '../../engine/engine.js';
import { runBatches, runFiles } from '../../engine/pipeline.js';
import { DEFAULT_WARM_UP_EVENTS } from '../../engine/warm-up.js';
import { simulate } from '../../ingest/simulator/simulator.js';
import { configFor, HOST, monitorAlive, parseNonNegative, parseSymbols, parseThreads, storeFor, type GlobalOptions } from '../context.js';
import { num, out, paint } from '../output.js';
import { parseColumnMap, printRaised, printRejects, rejectsFor, StoreSink } from '../run-common.js';

interface StartOptions {
  stream: string;
  workers?: string;
  workerId?: string;
  leaseTtl?: string;
  idleExit?: string;
  checkpointInterval?: string;
  symbols?: string;
  duration?: string;
  source: string;
  format?: string;
  map?: string;
  rejects?: string;
  strict?: boolean;
  seed?: string;
  warmUp: string;
  threads: string;
}

/**
 * Releases simulated batches at the pace of the wall clock (live mode): a batch is processed once
 * the wall clock has reached its last event's time.
 */
async function* paced(batches: Iterable<MarketEvent[]>, signal: AbortSignal): AsyncGenerator<MarketEvent[]> {
  for (const batch of batches) {
    if (signal.aborted) return;
    const last = batch[batch.length - 1];
    if (last) {
      const wait = last.tsMs - Date.now();
      if (wait > 0) {
        try {
          await sleep(wait, undefined, { signal });
        } catch {
          return;
        }
      }
    }
    yield batch;
  }
}

/** `start`: the monitor. Runs until --duration elapses, the input ends, or `stop`. */
export function registerStart(program: Command, g: () => GlobalOptions): void {
  program
    .command('start')
    .description('monitor symbols live (built-in simulator, a growing file, or stdin)')
    .option('--symbols <list>', 'symbols to monitor, e.g. AAPL,MSFT (required for sim; a filter otherwise)')
    .option('--duration <seconds>', 'stop after this many seconds; 0 = until stopped or the input ends', '0')
    .option('--source <source>', 'sim (built-in live simulator), a FILE to follow, or - for stdin', 'sim')
    .option('--format <name>', 'input format for FILE/stdin (default: detected)')
    .option('--map <pairs>', 'column mapping for canonical CSV, e.g. ts=timestamp,qty=amount')
    .option('--rejects <path>', 'where rejected rows are kept (NDJSON)')
    .option('--strict', 'stop at the first bad row (non-zero exit)')
    .option('--seed <n>', 'simulator seed (default: from the start time)')
    .option(
      '--warm-up <events>',
      'with a FILE or stdin: simulated events run first through scratch engines (a fresh one every 20k events for the first 100k, then one over a market where seven of the eight patterns raise alerts), so the first live events and alerts are not slowed by JIT compilation; 0 = none',
      String(DEFAULT_WARM_UP_EVENTS),
    )
    .option(
      '--threads <n>',
      'with a FILE or stdin: detection threads, symbols split over them, each warmed up before the input is read (pays only with cores to spare beyond reading and storing; see docs/PERFORMANCE.md)',
      '1',
    )
    .option('--stream <name>', 'with --source nats://…: the JetStream stream to consume', 'SURVEILLANCE')
    .option('--workers <n>', 'with --source nats://…: run N worker processes sharing the partitions')
    .option('--worker-id <id>', "with --source nats://…: this worker's id (default host-pid)")
    .option('--lease-ttl <seconds>', "with --source nats://…: a dead worker's partitions move after this", '5')
    .option('--checkpoint-interval <seconds>', "with --source nats://…: how often each partition's detector state is checkpointed", '5')
    .option('--idle-exit <seconds>', 'with --source nats://…: stop when nothing arrived for this long (batch jobs)')
    .action(async (o: StartOptions) => {
      const durationS = parseNonNegative('--duration', o.duration, 0);
      const warmUpEvents = parseNonNegative('--warm-up', o.warmUp, DEFAULT_WARM_UP_EVENTS);
      const threads = parseThreads(o.threads);
      if (o.source.startsWith('nats://')) {
        await runBusWorkers(o, durationS, g);
        return;
      }
      const isSim = o.source === 'sim';
      const symbols = parseSymbols(o.symbols, isSim);
      if (!isSim && o.source !== '-' && !existsSync(o.source)) throw new UsageError(`--source file not found: ${o.source}`);
      const { config } = configFor(g());
      const store = await storeFor(g());
      const controller = new AbortController();
      const stopOn = (): void => controller.abort();
      process.once('SIGTERM', stopOn);
      process.once('SIGINT', stopOn);
      const timer = durationS > 0 ? setTimeout(stopOn, durationS * 1000) : undefined;
      let stats: EngineStats | undefined;
      let heartbeat: NodeJS.Timeout | undefined;
      const sink = new StoreSink(store);
      const rejects = rejectsFor(o.rejects, o.strict === true);
      try {
        await store.claimMonitor({ pid: process.pid, host: HOST, symbols, source: o.source, config }, (m) => monitorAlive(m));
        // Commits every batch with alerts: SQLite's WAL checkpoints must not stall them (5–30 ms each).
        await store.beginStreaming?.();
        const monitoring = (): void =>
          out(
            `${paint('Monitoring', 'green')} ${symbols.join(', ') || '(all symbols)'} from ${isSim ? 'the built-in simulator' : o.source}` +
              `${durationS > 0 ? ` for ${durationS}s` : ' until stopped'} (pid ${process.pid}` +
              `${threads > 1 ? `, ${threads} detection threads` : ''}); alerts go to the store as they happen.`,
          );
        if (isSim) monitoring();
        const live = { events: 0, alerts: 0 };
        const onBatch = (s: EngineStats): void => {
          live.events = s.events;
          live.alerts = s.alerts;
        };
        heartbeat = setInterval(() => {
          void store.heartbeatMonitor(process.pid, live.events, live.alerts).catch(() => undefined);
        }, 1000);
        if (isSim) {
          const seed = o.seed !== undefined ? parseNonNegative('--seed', o.seed, 0) : Date.now() % 2 ** 31;
          // Live, the simulated market trades around the clock (a 24h market, like crypto): a monitor
          // started at night should still see activity. `test` simulates an exchange session instead.
          const sim = simulate({ symbols, seed, startMs: Date.now(), durationMs: null, inject: true, session: null });
          const engine = new Engine(detectorsFor(), config, sink);
          stats = await runBatches(paced(sim.batches, controller.signal), engine, onBatch, controller.signal);
        } else {
          stats = await runFiles({
            inputs: [o.source],
            format: o.format,
            columnMap: parseColumnMap(o.map),
            symbols: symbols.length ? new Set(symbols) : undefined,
            follow: o.source !== '-',
            signal: controller.signal,
            config: config,
            detectors: detectorsFor(),
            sink,
            rejects,
            onBatch,
            threads,
            // The simulator is paced by the wall clock (its code is warm long before it is busy); a
            // file or stdin can deliver a burst at once, so their first events are not left to cold code.
            warmUpEvents,
            onReady: (warm) => {
              if (warm)
                out(
                  // The events asked for: the warm-up's rounds reject the few whose order began in an earlier round.
                  `Warmed up on ${num(warmUpEvents)} simulated events in ${(warm.ms / 1000).toFixed(1)} s` +
                    `${threads > 1 ? ' on every detection thread' : ''} (--warm-up; none of it is stored).`,
                );
              monitoring();
            },
          });
        }
      } finally {
        if (timer) clearTimeout(timer);
        if (heartbeat) clearInterval(heartbeat);
        process.off('SIGTERM', stopOn);
        process.off('SIGINT', stopOn);
        if (stats) await store.releaseMonitor(process.pid, stats.events, stats.alerts);
        else await store.releaseMonitor(process.pid, 0, 0).catch(() => undefined);
        await rejects.close();
        await store.close();
      }
      out(`Monitor stopped: ${num(stats.events)} events processed (trades ${num(stats.trades)}, orders ${num(stats.orders)}).`);
      printRaised(sink.raised);
      printRejects(rejects);
    });
}

/**
 * `start --source nats://…`: a worker (or N worker processes) consuming the stream's partitions.
 * Workers share the store; they do not take the single-monitor slot (they are many by design).
 */
async function runBusWorkers(o: StartOptions, durationS: number, g: () => GlobalOptions): Promise<void> {
  const workers = Math.floor(parseNonNegative('--workers', o.workers, 1));
  if (workers > 1 && !o.workerId) {
    // Supervisor: one child process per worker (each its own core), stopped together.
    const args = process.argv.slice(2).filter((_, i, a) => a[i] !== '--workers' && a[i - 1] !== '--workers');
    const children = Array.from({ length: workers }, (_, i) =>
      spawn(process.execPath, [process.argv[1]!, ...args, '--worker-id', `${HOST}-${process.pid}-${i + 1}`], { stdio: 'inherit' }),
    );
    const forward = (sig: NodeJS.Signals): void => {
      for (const c of children) c.kill(sig);
    };
    process.once('SIGTERM', () => forward('SIGTERM'));
    process.once('SIGINT', () => forward('SIGINT'));
    const codes = await Promise.all(children.map((c) => new Promise<number>((r) => c.once('exit', (code) => r(code ?? 1)))));
    const bad = codes.find((c) => c !== 0);
    if (bad !== undefined) throw new SurveillanceError(`a worker exited with code ${bad}`);
    return;
  }
  // Options are checked before anything is opened or printed.
  const leaseTtlMs = parseNonNegative('--lease-ttl', o.leaseTtl, 5) * 1000;
  const checkpointIntervalMs = parseNonNegative('--checkpoint-interval', o.checkpointInterval, 5) * 1000;
  const idleExitMs = o.idleExit !== undefined ? parseNonNegative('--idle-exit', o.idleExit, 0) * 1000 : 0;
  const { config } = configFor(g());
  const store = await storeFor(g());
  const controller = new AbortController();
  const stopOn = (): void => controller.abort();
  process.once('SIGTERM', stopOn);
  process.once('SIGINT', stopOn);
  const timer = durationS > 0 ? setTimeout(stopOn, durationS * 1000) : undefined;
  const workerId = o.workerId ?? `${HOST}-${process.pid}`;
  try {
    out(`${paint('Worker', 'green')} ${workerId} consuming ${o.stream} from ${o.source}`);
    const stats = await runWorker({
      url: o.source,
      stream: o.stream,
      workerId,
      store,
      config,
      detectors: detectorsFor(),
      signal: controller.signal,
      leaseTtlMs,
      checkpointIntervalMs,
      idleExitMs,
    });
    out(
      `Worker ${workerId} stopped: ${num(stats.events)} events in ${num(stats.messages)} messages, ${num(stats.alerts)} alert writes; ` +
        `${num(stats.restored)} partitions restored from checkpoints, ${num(stats.reread)} messages re-read, ` +
        `${num(stats.checkpoints)} checkpoints written (last ${num(stats.checkpointBytes)} bytes stored for ${num(stats.checkpointStateBytes)} bytes of state, ` +
        `slowest ${num(stats.checkpointMaxMs)} ms); slowest lease refresh ${num(stats.leaseRefreshMaxMs)} ms, ${num(stats.leasesLost)} leases lost.`,
    );
  } finally {
    if (timer) clearTimeout(timer);
    process.off('SIGTERM', stopOn);
    process.off('SIGINT', stopOn);
    await store.close();
  }
}
