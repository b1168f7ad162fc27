import type { AlertChange, AlertStore } from '../store/alert-store.js';

/** Called with each batch of changes, in change order. */
export type ChangeListener = (changes: readonly AlertChange[]) => void;

/**
 * One poller of the store's change feed shared by every live client. Why polling: the monitor
 * writes from another process (or host, with PostgreSQL), so the feed must come from the store;
 * a numbered change column makes the poll cheap (index range scan) and gap-free for a single writer.
 * It polls only while someone listens.
 */
export class ChangeHub {
  private readonly listeners = new Set<ChangeListener>();
  private cursor: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    private readonly store: AlertStore,
    private readonly options: { intervalMs?: number; batch?: number; onError?: (err: unknown) => void } = {},
  ) {}

  /** Adds a listener; returns the function that removes it. */
  subscribe(fn: ChangeListener): () => void {
    this.listeners.add(fn);
    if (!this.timer) {
      this.timer = setInterval(() => void this.poll(), this.options.intervalMs ?? 500);
      this.timer.unref();
    }
    return () => {
      this.listeners.delete(fn);
      if (this.listeners.size === 0) this.stop();
    };
  }

  /** Reads the feed once and tells every listener (exposed for tests and shutdown flushes). */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      if (this.cursor === undefined) {
        // Live clients see changes from when they connect; history is one GET away.
        this.cursor = await this.store.latestChange();
        return;
      }
      for (;;) {
        const changes = await this.store.changesSince(this.cursor, this.options.batch ?? 200);
        if (changes.length === 0) return;
        this.cursor = changes[changes.length - 1]!.seq;
        for (const l of this.listeners) l(changes);
        if (changes.length < (this.options.batch ?? 200)) return;
      }
    } catch (err) {
      this.options.onError?.(err);
    } finally {
      this.polling = false;
    }
  }

  /** Stops polling (server shutdown). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.cursor = undefined;
  }
}
