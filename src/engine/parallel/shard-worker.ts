import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../../config/config.js';
import type { Alert, PatternType } from '../../domain/alert.js';
import { registeredDetector } from '../../detect/registry.js';
import { Engine } from '../engine.js';
import { warmUpThread } from '../warm-up.js';
import { ColumnDecoder, type EventColumns } from './event-columns.js';

/**
 * A detection thread: one engine with its own detectors over the symbols routed to it
 * (threads.ts). Each batch is answered with the alerts it raised and the engine's alert counters,
 * which is also the sender's signal that the batch is done. An error ends the thread, and the
 * sender fails the run with it.
 */

export interface ShardInit {
  readonly patterns: readonly PatternType[];
  readonly config: Config;
  /** Simulated events run through scratch engines (rounds, warm-up.ts) before the thread says it is ready (live inputs: warm-up.ts). */
  readonly warmUpEvents: number;
}

export type ShardRequest = { readonly kind: 'events'; readonly batch: EventColumns } | { readonly kind: 'end'; readonly nowMs: number };

export interface ShardReply {
  /** `ready`: started (and warmed up), sent once before any batch is answered. */
  readonly kind: 'ready' | 'done' | 'ended';
  readonly alerts: readonly Alert[];
  /** The engine's `alerts` and `alertUpdates` counters so far. */
  readonly raised: number;
  readonly updates: number;
}

const port = parentPort;
if (!port) throw new Error('shard-worker.js runs as a worker thread (see threads.ts)');
const init = workerData as ShardInit;
let alerts: Alert[] = [];
// Each pattern's registered factory, in the order the caller gave (the engine runs them in that order).
const factories = init.patterns.map(registeredDetector);
const engine = new Engine(factories, init.config, { write: (a) => void alerts.push(...a) });
const decoder = new ColumnDecoder();

function reply(kind: ShardReply['kind']): void {
  const message: ShardReply = { kind, alerts, raised: engine.stats.alerts, updates: engine.stats.alertUpdates };
  alerts = [];
  port!.postMessage(message);
}

// Requests are handled one after the other, after the warm-up: a batch's alerts are flushed before the next starts.
let queue = warmUpThread(init.config, factories, init.warmUpEvents).then(() => reply('ready'));
port.on('message', (request: ShardRequest) => {
  queue = queue.then(async () => {
    if (request.kind === 'events') {
      const { events, clock } = decoder.decode(request.batch);
      await engine.process(events, clock);
      reply('done');
    } else {
      // The stream's clock at its end, so open episodes close at the same time as in one engine.
      await engine.advanceTo(request.nowMs);
      await engine.end();
      reply('ended');
    }
  });
});
