/**
 * The body of a worker's detection thread (see engine-thread.ts): one Engine per owned partition,
 * driven by requests from the worker's main thread, answered in arrival order. Everything that
 * costs CPU in proportion to the events or the state — decoding messages, detection, snapshots,
 * restores — runs here, so the main thread's lease refreshes, acknowledgements and checkpoint
 * writes never wait behind it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Alert } from '../domain/alert.js';
import { registeredDetector } from '../detect/registry.js';
import { Engine } from '../engine/engine.js';
import { decodeEvents } from './codec.js';
import { ownBytes, type Reply, type Request, type ThreadData } from './engine-thread.js';

const { patterns, config } = workerData as ThreadData;
const factories = patterns.map(registeredDetector);

/** A partition's engine and the alerts of its current request. */
interface Slot {
  readonly engine: Engine;
  alerts: Alert[];
}

const newSlot = (): Slot => {
  const slot: Slot = { engine: new Engine(factories, config, { write: (a) => void slot.alerts.push(...a) }), alerts: [] };
  return slot;
};
const slots = new Map<number, Slot>();
const port = parentPort!;
port.postMessage({ ready: true, fingerprint: newSlot().engine.fingerprint });

port.on('message', (req: Request) => {
  void handle(req).then(
    (reply) => port.postMessage(reply, reply.bytes ? [reply.bytes.buffer as ArrayBuffer] : []),
    (err: unknown) => port.postMessage({ error: (err as Error).message } satisfies Reply),
  );
});

async function handle(req: Request): Promise<Reply> {
  if (req.op === 'open') {
    const slot = newSlot();
    if (req.bytes) slot.engine.restore(req.bytes);
    slots.set(req.partition, slot);
    return {};
  }
  const slot = slots.get(req.partition);
  if (!slot) throw new Error(`partition ${req.partition} is not open in the detection thread`);
  slot.alerts = [];
  switch (req.op) {
    case 'process': {
      const events = decodeEvents(req.bytes);
      await slot.engine.process(events);
      return { events: events.length, alerts: slot.alerts };
    }
    case 'snapshot':
      return { bytes: ownBytes(slot.engine.snapshot()), eventTimeMs: slot.engine.now };
    case 'end':
      await slot.engine.end();
      return { alerts: slot.alerts };
    case 'close':
      slots.delete(req.partition);
      return {};
  }
}
