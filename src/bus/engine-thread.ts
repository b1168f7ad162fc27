import { Worker } from 'node:worker_threads';
import type { Config } from '../config/config.js';
import type { Alert, PatternType } from '../domain/alert.js';
import type { DetectorFactory } from '../detect/detector.js';

/** What the thread is started with: detectors by pattern name (functions cannot cross threads). */
export interface ThreadData {
  readonly patterns: readonly PatternType[];
  readonly config: Config;
}

export type Request =
  | { readonly op: 'open'; readonly partition: number; readonly bytes?: Uint8Array }
  | { readonly op: 'process'; readonly partition: number; readonly bytes: Uint8Array }
  | { readonly op: 'snapshot' | 'end' | 'close'; readonly partition: number };

/** The answer to the request the thread was given last (it gets one at a time). */
export interface Reply {
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

/** A request waiting for the thread. */
interface Queued {
  readonly req: Request;
  readonly resolve: (r: Reply) => void;
  readonly reject: (e: Error) => void;
  /** Withdraws a waiting message when its partition stops. */
  readonly stop?: AbortSignal;
  readonly withdraw?: () => void;
}

/** Rejection of a `process` withdrawn before the thread took it (its partition was stopped). */
export class Withdrawn extends Error {}

/**
 * A worker's detection thread: the engines of the partitions it owns, one per partition, in a
 * worker_thread. Detection and snapshots of tens of MB take seconds of CPU; in the main thread they
 * delayed lease refreshes past the lease TTL and stalled the object store puts (each chunk waits for
 * an event-loop turn), so partitions moved back and forth and checkpoints timed out.
 *
 * The thread gets one request at a time from two queues. Each partition has at most one request
 * waiting (its consumer awaits each), so partitions take turns. Control requests — open (restore),
 * snapshot, end, close — go before messages to detect: a partition being handed over finishes in
 * about one message's time instead of a turn of every partition, and a stopped partition withdraws
 * the message it is waiting with (it stays unacknowledged for the next owner).
 */
export class EngineThread {
  private readonly control: Queued[] = [];
  private readonly messages: Queued[] = [];
  private inFlight: Queued | null = null;
  /** Set when the thread died (out of memory, a bug): every later request fails with it. */
  failed: Error | null = null;

  private constructor(
    private readonly worker: Worker,
    /** The engines' fingerprint: detectors, their versions, configuration (a checkpoint must match). */
    readonly fingerprint: string,
  ) {
    worker.on('message', (r: Reply) => {
      const q = this.inFlight;
      this.inFlight = null;
      if (r.error !== undefined) q?.reject(new Error(r.error));
      else q?.resolve(r);
      this.next();
    });
    const die = (err: Error): void => {
      this.failed ??= err;
      for (const q of [this.inFlight, ...this.control.splice(0), ...this.messages.splice(0)]) q?.reject(err);
      this.inFlight = null;
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

  /**
   * A fresh engine for the partition, restored from `state` (an `Engine.snapshot()`) if given. The
   * state's memory moves to the thread when it owns its whole buffer (tens of MB are not copied):
   * the caller must not use it afterwards.
   */
  async open(partition: number, state?: Uint8Array): Promise<void> {
    await this.call(state ? { op: 'open', partition, bytes: ownBytes(state) } : { op: 'open', partition });
  }

  /**
   * Detects on one bus message's payload; returns its event count and the alerts it raised or
   * updated. Rejects with `Withdrawn` when `stop` aborts before the thread took the message.
   */
  async process(partition: number, payload: Uint8Array, stop: AbortSignal): Promise<{ events: number; alerts: Alert[] }> {
    // Copied (a message is small), so the caller keeps its bytes and no larger buffer they sit in is cloned.
    const r = await this.call({ op: 'process', partition, bytes: new Uint8Array(payload) }, stop);
    return { events: r.events ?? 0, alerts: r.alerts ?? [] };
  }

  /** The partition engine's whole state (`Engine.snapshot()`) and the event time it had reached. */
  async snapshot(partition: number): Promise<{ bytes: Uint8Array; eventTimeMs: number }> {
    const r = await this.call({ op: 'snapshot', partition });
    return { bytes: r.bytes!, eventTimeMs: r.eventTimeMs ?? 0 };
  }

  /** Ends the partition's input (open episodes close); returns the alerts that raised. */
  async end(partition: number): Promise<Alert[]> {
    return (await this.call({ op: 'end', partition })).alerts ?? [];
  }

  /** Drops the partition's engine. */
  async close(partition: number): Promise<void> {
    await this.call({ op: 'close', partition });
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }

  private call(req: Request, stop?: AbortSignal): Promise<Reply> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise<Reply>((resolve, reject) => {
      if (req.op !== 'process') {
        this.control.push({ req, resolve, reject });
      } else {
        const withdraw = (): void => {
          const i = this.messages.indexOf(q);
          if (i >= 0) this.messages.splice(i, 1);
          reject(new Withdrawn('partition stopped before the message was processed'));
        };
        const q: Queued = { req, resolve, reject, stop, withdraw };
        if (stop?.aborted) return withdraw();
        stop?.addEventListener('abort', withdraw, { once: true });
        this.messages.push(q);
      }
      this.next();
    });
  }

  /** Hands the thread its next request when it is free. */
  private next(): void {
    if (this.inFlight || this.failed) return;
    const q = this.control.shift() ?? this.messages.shift();
    if (!q) return;
    if (q.withdraw) q.stop?.removeEventListener('abort', q.withdraw);
    this.inFlight = q;
    const bytes = 'bytes' in q.req ? q.req.bytes : undefined;
    try {
      this.worker.postMessage(q.req, bytes ? [bytes.buffer as ArrayBuffer] : []);
    } catch (err) {
      // Not sent (bytes that cannot be cloned or moved): this request fails, the next ones go on.
      this.inFlight = null;
      q.reject(err as Error);
      this.next();
    }
  }
}
