import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { levelRank, type Level } from '../domain/alert.js';
import type { AlertStore, OutboxItem } from '../store/alert-store.js';

export interface WebhookOptions {
  readonly url: string;
  readonly secret: string;
  /** Alerts at this level or more severe are sent. */
  readonly minLevel: Level;
  readonly pollMs?: number;
  /** First retry delay; doubles per attempt up to `maxBackoffMs`. */
  readonly baseBackoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly timeoutMs?: number;
  readonly onError?: (err: unknown) => void;
  /** Injected clock (tests). */
  readonly now?: () => number;
}

/** The signature header: `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` (timestamp guards replays). */
export function signWebhook(secret: string, timestampS: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampS}.${body}`).digest('hex')}`;
}

/** The delay before attempt n+1 after n failed attempts: base × 2^(n−1), capped. */
export function backoffMs(failedAttempts: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, failedAttempts - 1));
}

const CURSOR_PREFIX = 'webhook:';

/**
 * Sends new alerts at or above a level to a URL. Two steps, both through the store so nothing is
 * lost across restarts or while the receiver is down: (1) read the change feed from a persisted
 * cursor and queue first sightings in the outbox (deduplicated per alert and URL), then advance the
 * cursor; (2) POST due outbox items, recording each attempt and backing off exponentially.
 * Delivery is at least once: receivers de-duplicate by the X-Surveillance-Delivery header.
 */
export class WebhookDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(
    private readonly store: AlertStore,
    private readonly o: WebhookOptions,
  ) {
    this.now = o.now ?? Date.now;
  }

  /** Starts the loop (first tick immediately). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.o.pollMs ?? 500);
    this.timer.unref();
    void this.tick();
  }

  /** One round: queue new alerts, then deliver what is due. Never runs twice at once. */
  tick(): Promise<void> {
    if (!this.running) {
      this.running = (async () => {
        try {
          await this.enqueueNew();
          await this.deliverDue();
        } catch (err) {
          this.o.onError?.(err);
        } finally {
          this.running = undefined;
        }
      })();
    }
    return this.running;
  }

  private async enqueueNew(): Promise<void> {
    const key = CURSOR_PREFIX + this.o.url;
    let cursor = await this.store.getCursor(key);
    if (cursor === undefined) {
      // First start for this URL: send what is new from now on, not the whole history.
      await this.store.setCursor(key, await this.store.latestChange());
      return;
    }
    const min = levelRank(this.o.minLevel);
    for (;;) {
      const changes = await this.store.changesSince(cursor, 500);
      if (changes.length === 0) return;
      const items = changes
        .filter((c) => levelRank(c.alert.level) <= min && c.alert.status === 'active')
        .map((c) => ({
          alertId: c.alert.alert_id,
          url: this.o.url,
          payload: JSON.stringify({ event: 'alert.new', alert: c.alert }),
        }));
      await this.store.enqueueWebhooks(items, this.now());
      cursor = changes[changes.length - 1]!.seq;
      await this.store.setCursor(key, cursor);
      if (changes.length < 500) return;
    }
  }

  private async deliverDue(): Promise<void> {
    // Every due item is sent to the URL stored with it: items queued under an earlier URL are not stranded.
    const due = await this.store.dueWebhooks(this.now(), 50);
    for (const item of due) {
      try {
        await this.post(item);
        await this.store.recordWebhookAttempt(item.id, { ok: true, atIso: new Date(this.now()).toISOString() });
      } catch (err) {
        const next = this.now() + backoffMs(item.attempts + 1, this.o.baseBackoffMs ?? 1000, this.o.maxBackoffMs ?? 300_000);
        await this.store.recordWebhookAttempt(item.id, { ok: false, error: (err as Error).message, nextAttemptMs: next });
      }
    }
  }

  private post(item: OutboxItem): Promise<void> {
    const url = new URL(item.url);
    const ts = Math.floor(this.now() / 1000);
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          timeout: this.o.timeoutMs ?? 5000,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(item.payload),
            'x-surveillance-timestamp': String(ts),
            'x-surveillance-signature': signWebhook(this.o.secret, ts, item.payload),
            'x-surveillance-delivery': String(item.id),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            const s = res.statusCode ?? 0;
            if (s >= 200 && s < 300) resolve();
            else reject(new Error(`receiver answered HTTP ${s}`));
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('receiver timed out')));
      req.on('error', reject);
      req.end(item.payload);
    });
  }

  /** Stops the loop and waits for a round in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
