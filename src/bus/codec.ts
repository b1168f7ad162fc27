import type { MarketEvent, OrderAction, Side } from '../domain/events.js';
import { assertNever } from '../domain/events.js';

/**
 * The wire format of events on the bus: one JSON array per message, each event a compact tuple
 * (about 3× smaller than objects, and JSON.parse of arrays is fast):
 *   trade: ["t", tsMs, symbol, price, qty, buyer, seller, tradeId, side|""]
 *   order: ["o", tsMs, symbol, orderId, account, side, action, price, qty]
 *   quote: ["q", tsMs, symbol, bidPrice, bidQty, askPrice, askQty]
 */
type Tuple = (string | number)[];

/** Encodes events as one message payload. */
export function encodeEvents(events: readonly MarketEvent[]): Uint8Array {
  const rows: Tuple[] = new Array<Tuple>(events.length);
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    switch (e.type) {
      case 'trade':
        rows[i] = ['t', e.tsMs, e.symbol, e.price, e.qty, e.buyer, e.seller, e.tradeId, e.side ?? ''];
        break;
      case 'order':
        rows[i] = ['o', e.tsMs, e.symbol, e.orderId, e.account, e.side, e.action, e.price, e.qty];
        break;
      case 'quote':
        rows[i] = ['q', e.tsMs, e.symbol, e.bidPrice, e.bidQty, e.askPrice, e.askQty];
        break;
      default:
        assertNever(e, 'event type');
    }
  }
  return Buffer.from(JSON.stringify(rows));
}

/** Decodes a message payload; throws on anything that is not a valid event tuple. */
export function decodeEvents(data: Uint8Array): MarketEvent[] {
  const rows = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8')) as Tuple[];
  if (!Array.isArray(rows)) throw new Error('bus message is not an array of events');
  return rows.map((r) => {
    switch (r[0]) {
      case 't': {
        const side = r[8] as string;
        return {
          type: 'trade',
          tsMs: r[1] as number,
          symbol: r[2] as string,
          price: r[3] as number,
          qty: r[4] as number,
          buyer: r[5] as string,
          seller: r[6] as string,
          tradeId: r[7] as string,
          side: side === '' ? undefined : (side as Side),
        };
      }
      case 'o':
        return {
          type: 'order',
          tsMs: r[1] as number,
          symbol: r[2] as string,
          orderId: r[3] as string,
          account: r[4] as string,
          side: r[5] as Side,
          action: r[6] as OrderAction,
          price: r[7] as number,
          qty: r[8] as number,
        };
      case 'q':
        return {
          type: 'quote',
          tsMs: r[1] as number,
          symbol: r[2] as string,
          bidPrice: r[3] as number,
          bidQty: r[4] as number,
          askPrice: r[5] as number,
          askQty: r[6] as number,
        };
      case undefined:
      default:
        throw new Error(`unknown event tuple kind ${JSON.stringify(r[0])}`);
    }
  });
}

/** The partition of a symbol: FNV-1a hash modulo the partition count (stable across processes and runs). */
export function partitionOf(symbol: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < symbol.length; i++) {
    h ^= symbol.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}

/** The subject a partition's events are published on. */
export function subjectFor(stream: string, partition: number): string {
  return `${stream}.events.${partition}`;
}
