import type { Alert } from '../domain/alert.js';

/** One trade or order event recorded with an alert's evidence. */
export interface EvidenceEvent {
  readonly ts: number;
  readonly kind: 'trade' | 'order';
  readonly id: string;
  readonly price: number;
  readonly qty: number;
  readonly side: 'buy' | 'sell' | null;
  /** Orders: new | modify | cancel | fill. */
  readonly action: string | null;
  readonly account: string | null;
  /** Trades: the two accounts (wash trading graph). */
  readonly buyer: string | null;
  readonly seller: string | null;
}

/** Reads a number that may come as text. */
const num = (v: unknown): number | undefined => {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
};
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/**
 * The market data the store holds for an alert: the evidence snapshot the engine records in
 * `evidence.details.events` ([{ts, kind, id, price, qty, side, action, account, buyer?, seller?}]).
 * Malformed entries are skipped, not fatal: the page renders what there is and says what is missing.
 */
export function marketView(a: Alert): {
  alert_id: string;
  symbols: readonly string[];
  window_start: string;
  window_end: string;
  trade_ids: readonly string[];
  order_ids: readonly string[];
  events: EvidenceEvent[];
  note: string | null;
} {
  const raw = a.evidence.details?.['events'];
  const events: EvidenceEvent[] = [];
  if (Array.isArray(raw)) {
    for (const e of raw as unknown[]) {
      if (typeof e !== 'object' || e === null) continue;
      const o = e as Record<string, unknown>;
      const ts = num(o['ts']) ?? (typeof o['ts'] === 'string' ? Date.parse(o['ts']) : undefined);
      const price = num(o['price']);
      const qty = num(o['qty']);
      const kind = o['kind'] === 'order' ? 'order' : o['kind'] === 'trade' ? 'trade' : undefined;
      if (ts === undefined || !Number.isFinite(ts) || price === undefined || qty === undefined || !kind) continue;
      const side = o['side'] === 'buy' || o['side'] === 'sell' ? o['side'] : null;
      events.push({
        ts,
        kind,
        id: typeof o['id'] === 'string' ? o['id'] : typeof o['id'] === 'number' ? String(o['id']) : '',
        price,
        qty,
        side,
        action: str(o['action']),
        account: str(o['account']),
        buyer: str(o['buyer']),
        seller: str(o['seller']),
      });
    }
    events.sort((x, y) => x.ts - y.ts);
  }
  return {
    alert_id: a.alert_id,
    symbols: a.affected_symbols,
    window_start: a.window_start,
    window_end: a.window_end,
    trade_ids: a.evidence.tradeIds,
    order_ids: a.evidence.orderIds,
    events,
    note: events.length > 0 ? null : 'no market data snapshot was recorded with this alert (only the ids of its trades and orders)',
  };
}
