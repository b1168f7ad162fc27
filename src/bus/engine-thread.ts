import { Worker } from 'node:worker_threads';
import type { Config } from '../config/config.js';
import type { Alert } from '../domain/alert.js';
import type { DetectorFactory } from '../detect/detector.js';

/** What the thread is started with: detectors by pattern name (functions cannot cross threads). */
export interface ThreadData {
  readonly patterns: readonly string[];
  readonly config: Config;
}

export type Request =
  | { readonly id: number; readonly op: 'open'; readonly partition: number; readonly bytes?: Uint8Array }
  | { readonly id: number; readonly op: 'process'; readonly partition: number; readonly bytes: Uint8Array }
  | { readonly id: number; readonly op: 'snapshot' | 'end' | 'close'; readonly partition: number };

export interface Reply {
  readonly id: number;
  readonly error?: string;
  readonly events?: number;
  readonly alerts?: Alert[];
  readonly bytes?: Uint8Array;
  readonly eventTimeMs?: number;
}

/**
 * Bytes that own their whole ArrayBuffer, so it can be transferred to the other thread instead of
 * copied (a view into a larger buffer — a NATS read buffer, Node's Buffer pool — is copied first).
 */
export function ownBytes(b: Uint8Array): Uint8Array {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer ? b : new Uint8Array(b);
}

/**
 * A worker's detection thread: the engines of the partitions it owns, one per partition, in a
 * worker_thread. Detection and snapshots of tens of MB take seconds of CPU; in the main thread they
 * delayed lease refreshes past the lease TTL and stalled the object store puts (each chunk waits for
 * an event-loop turn), so partitions moved back and forth and checkpoints timed out. Requests are
 * answered in order; each partition has at most one in flight (its consumer awaits each), so
 * partitions take turns at the thread's CPU.
 */
export class EngineThread {
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  /** Set when the thread died (out of memory, a bug): every later request fails with it. */
  failed: Error | null = null;

  private constructor(
    private readonly worker: Worker,
    /** The engines' fingerprint: detectors, their versions, configuration (a checkpoint must match). */
    readonly fingerprint: string,
  ) {
    worker.on('message', (r: Reply) => {
      const p = this.pending.get(r.id);
      this.pending.delete(r.id);
      if (r.error !== undefined) p?.reject(new Error(r.error));
      else p?.resolve(r);
    });
    const die = (err: Error): void => {
      this.failed ??= err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', die);
    worker.on('exit', (code) => die(new Error(`detection thread exited (code ${code})`)));
  }

  static async start(detectors: readonly DetectorFactory[], config: Config): Promise<EngineThread> {
    const data: ThreadData = { patterns: detectors.map((d) => d.pattern), config };
    const worker = new Worker(new URL('./engine-thread-entry.js', import.meta.url), { workerData: data });
    const fingerprint = await new Promise<string>((resolve, reject) => {
      worker.once('message', (m: { fingerprint: string }) => resolve(m.fingerprint));
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`detection thread exited (code ${code})`)));
    });
    return new EngineThread(worker, fingerprint);
  }

  /** A fresh engine for the partition, restored from `state` (an `Engine.snapshot()`) if given. */
  async open(partition: number, state?: Uint8Array): Promise<void> {
    await this.call(state ? { id: 0, op: 'open', partition, bytes: ownBytes(state) } : { id: 0, op: 'open', partition });
  }

  /** Detects on one bus message's payload; returns its event count and the alerts it raised or updated. */
  async process(partition: number, payload: Uint8Array): Promise<{ events: number; alerts: Alert[] }> {
    const r = await this.call({ id: 0, op: 'process', partition, bytes: ownBytes(payload) });
    return { events: r.events ?? 0, alerts: r.alerts ?? [] };
  }

  /** The partition engine's whole state (`Engine.snapshot()`) and the event time it had reached. */
  async snapshot(partition: number): Promise<{ bytes: Uint8Array; eventTimeMs: number }> {
    const r = await this.call({ id: 0, op: 'snapshot', partition });
    return { bytes: r.bytes!, eventTimeMs: r.eventTimeMs ?? 0 };
  }

  /** Ends the partition's input (open episodes close); returns the alerts that raised. */
  async end(partition: number): Promise<Alert[]> {
    return (await this.call({ id: 0, op: 'end', partition })).alerts ?? [];
  }

  /** Drops the partition's engine. */
  async close(partition: number): Promise<void> {
    await this.call({ id: 0, op: 'close', partition });
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }

  private call(req: Request): Promise<Reply> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    const bytes = 'bytes' in req ? req.bytes : undefined;
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...req, id }, bytes ? [bytes.buffer as ArrayBuffer] : []);
    });
  }
}
