import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

/**
 * Runs SQLite's WAL checkpoints on a thread of their own, so that the writer's commits never pay
 * for one.
 *
 * By default the connection that commits past 1,000 WAL pages (≈ 4 MB: about a hundred alert
 * versions, each ≈ 35 KB of JSON with its evidence context) copies the WAL into the database file
 * and syncs both inside that commit: 5–30 ms instead of ≈ 0.5 ms, measured on this project's live
 * path, where it was the largest single stall. With `wal_autocheckpoint = 0` on the writer, this
 * thread's own connection makes a PASSIVE checkpoint every `intervalMs`; PASSIVE takes no lock the
 * writer waits for, and once the WAL is fully copied the writer starts it again from the beginning,
 * so it does not grow.
 */
export class Checkpointer {
  private readonly worker: Worker;
  private closed = false;

  private constructor(worker: Worker) {
    this.worker = worker;
  }

  /**
   * Starts the thread for the database file at `path` (already in WAL mode). Every `intervalMs` it
   * copies what was committed since (small, so it usually finishes between two commits); a WAL past
   * `restartFrames` pages (16 MB by default) is copied in full, holding the writer if need be.
   */
  static async start(path: string, intervalMs = 200, restartFrames = 4096): Promise<Checkpointer> {
    const worker = new Worker(new URL('./checkpointer-entry.js', import.meta.url), { workerData: { path, intervalMs, restartFrames } });
    // `once` rejects if the thread fails to start ('error' before its first message).
    const [msg] = (await once(worker, 'message')) as [CheckpointReply];
    if (msg.kind !== 'ready') throw new Error(`checkpointer: unexpected first message ${JSON.stringify(msg)}`);
    // Not a reason for the process to stay up: `close` stops it; an exiting process simply ends it
    // (a checkpoint is atomic and the WAL stays valid either way). Referenced again while a caller
    // awaits its answer.
    worker.unref();
    return new Checkpointer(worker);
  }

  /** Makes one checkpoint now and says how far it got (tests; a caller that wants the WAL small). */
  async checkpoint(): Promise<CheckpointResult> {
    this.worker.ref();
    this.worker.postMessage('checkpoint');
    const [msg] = (await once(this.worker, 'message').finally(() => this.worker.unref())) as [CheckpointReply];
    if (msg.kind !== 'checkpointed') throw new Error(`checkpointer: ${msg.kind === 'error' ? msg.message : JSON.stringify(msg)}`);
    return msg.result;
  }

  /** Closes the thread's connection and waits for the thread to end. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.worker.ref();
    const exited = once(this.worker, 'exit');
    this.worker.postMessage('close');
    await exited;
  }
}

/** SQLite's answer to `PRAGMA wal_checkpoint`: frames in the WAL and frames copied so far. */
export interface CheckpointResult {
  readonly busy: number;
  readonly log: number;
  readonly checkpointed: number;
}

export type CheckpointReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'checkpointed'; readonly result: CheckpointResult }
  | { readonly kind: 'error'; readonly message: string };
