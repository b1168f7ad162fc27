import type { MarketEvent, OrderAction, OrderEvent, Side } from '../../domain/events.js';
import { InputError } from '../../domain/errors.js';
import { parseDecimal, parseTimestamp } from '../fields.js';
import { readLines } from '../lines.js';
import { RecordError } from '../reader-kit/json-fields.js';
import type { EventSource, InputFormat, OpenOptions, Sniff } from '../source.js';

/**
 * Databento market-by-order CSV (decoded DBN, `pretty_px` decimal prices): A add → new, C → cancel
 * (size = size cancelled), M → modify (new price and size), F → fill of a resting order, T → a
 * Trade (aggressor from `side`), R → clear book: a cancel for every order still live on that
 * instrument, so the order lifecycle downstream stays consistent.
 */

const REQUIRED = ['ts_event', 'instrument_id', 'action', 'side', 'price', 'size', 'order_id'] as const;

interface Layout {
  readonly at: Readonly<Record<(typeof REQUIRED)[number], number>>;
}

function layoutOf(header: string): Layout | string {
  const cols = header.split(',').map((c) => c.trim().toLowerCase());
  const at: Record<string, number> = {};
  for (const name of REQUIRED) {
    const i = name === 'ts_event' ? cols.findIndex((c) => c === 'ts_event' || c === 'ts_event_ns') : cols.indexOf(name);
    if (i < 0) return `header lacks column '${name}'; found: ${header}`;
    at[name] = i;
  }
  return { at: at as Layout['at'] };
}

/** The contract code at the start of a Databento file name (`esh4-glbx-…` → ESH4), if any. */
export function contractFromFileName(name: string): string | undefined {
  const m = /^([a-z]{1,4}[fghjkmnquvxz]\d{1,2})[-_.]/i.exec(name);
  return m ? m[1]!.toUpperCase() : undefined;
}

interface Live {
  readonly symbol: string;
  readonly side: Side;
  price: number;
  remaining: number;
}

function nsToMs(raw: string, field: string): number {
  if (raw.length >= 13 && /^\d+$/.test(raw)) return Number(raw.slice(0, raw.length - 6));
  const ms = parseTimestamp(raw);
  if (ms === undefined) throw new RecordError(field, `bad timestamp '${raw}'`);
  return ms;
}

function positive(raw: string, field: string): number {
  const n = parseDecimal(raw);
  if (n === undefined) throw new RecordError(field, `bad number '${raw}'`);
  if (n <= 0) throw new RecordError(field, `${field} must be positive, got '${raw}'`);
  return n;
}

function sideOf(raw: string): Side | undefined {
  if (raw === 'B') return 'buy';
  if (raw === 'A') return 'sell';
  if (raw === 'N') return undefined;
  throw new RecordError('side', `unknown side '${raw}' (B|A|N)`);
}

async function* readMbo(options: OpenOptions): EventSource {
  const { path, rejects, symbols } = options;
  const file = path === '-' ? 'stdin' : path;
  const base = file.slice(file.lastIndexOf('/') + 1);
  const root = contractFromFileName(base);
  const symbolOf = new Map<string, string>();
  const symbolFor = (instrumentId: string): string => {
    let s = symbolOf.get(instrumentId);
    if (s === undefined) {
      // The file name names one contract: it belongs to the first instrument seen; any other
      // instrument id in the same file keeps its id so two books never merge.
      s = root !== undefined && symbolOf.size === 0 ? root : `${root ?? 'INSTR'}.${instrumentId}`;
      symbolOf.set(instrumentId, s);
    }
    return s;
  };
  const live = new Map<string, Live>();
  let layout: Layout | undefined;
  for await (const chunk of readLines(path, options)) {
    const out: MarketEvent[] = [];
    const outLines: number[] = [];
    for (let i = 0; i < chunk.lines.length; i++) {
      const line = chunk.lines[i]!;
      const lineNo = chunk.firstLine + i;
      if (line.length === 0) continue;
      if (layout === undefined) {
        const l = layoutOf(line);
        if (typeof l === 'string') {
          rejects.reject({ file, line: lineNo, field: 'header', reason: l, raw: line });
          throw new InputError(`${file}:${lineNo}: field header: ${l}`, file, lineNo, 'header');
        }
        layout = l;
        continue;
      }
      try {
        const c = line.split(',');
        const { at } = layout;
        const action = c[at.action] ?? '';
        const tsMs = nsToMs(c[at.ts_event] ?? '', 'ts_event');
        const instrument = c[at.instrument_id] ?? '';
        if (instrument === '') throw new RecordError('instrument_id', 'missing instrument_id');
        const symbol = symbolFor(instrument);
        const keep = symbols === undefined || symbols.has(symbol);
        const sideRaw = c[at.side] ?? '';
        const orderId = c[at.order_id] ?? '';
        const order = (act: OrderAction, side: Side, price: number, qty: number): OrderEvent => ({
          type: 'order',
          tsMs,
          symbol,
          orderId,
          account: '',
          side,
          action: act,
          price,
          qty,
        });
        switch (action) {
          case 'A': {
            const side = sideOf(sideRaw);
            if (side === undefined) throw new RecordError('side', 'an add needs side B or A');
            if (orderId === '' || orderId === '0') throw new RecordError('order_id', `missing order_id '${orderId}'`);
            const price = positive(c[at.price] ?? '', 'price');
            const qty = positive(c[at.size] ?? '', 'size');
            live.set(orderId, { symbol, side, price, remaining: qty });
            if (keep) {
              out.push(order('new', side, price, qty));
              outLines.push(lineNo);
            }
            break;
          }
          case 'C':
          case 'M':
          case 'F': {
            const known = live.get(orderId);
            const side = sideOf(sideRaw) ?? known?.side;
            if (side === undefined) throw new RecordError('side', `side N on ${action} of an order never added (${orderId})`);
            const price = positive(c[at.price] ?? '', 'price');
            const qty = positive(c[at.size] ?? '', 'size');
            if (known) {
              if (action === 'M') {
                known.price = price;
                known.remaining = qty;
              } else if ((known.remaining -= qty) <= 0) live.delete(orderId);
            }
            if (keep) {
              out.push(order(action === 'C' ? 'cancel' : action === 'M' ? 'modify' : 'fill', side, price, qty));
              outLines.push(lineNo);
            }
            break;
          }
          case 'T': {
            const price = positive(c[at.price] ?? '', 'price');
            const qty = positive(c[at.size] ?? '', 'size');
            if (keep) {
              out.push({
                type: 'trade',
                tsMs,
                symbol,
                price,
                qty,
                buyer: '',
                seller: '',
                tradeId: `${base}:${lineNo}`,
                side: sideOf(sideRaw),
              });
              outLines.push(lineNo);
            }
            break;
          }
          case 'R': {
            for (const [id, o] of live) {
              if (o.symbol !== symbol) continue;
              live.delete(id);
              if (keep) {
                out.push({
                  type: 'order',
                  tsMs,
                  symbol,
                  orderId: id,
                  account: '',
                  side: o.side,
                  action: 'cancel',
                  price: o.price,
                  qty: o.remaining,
                });
                outLines.push(lineNo);
              }
            }
            break;
          }
          default:
            throw new RecordError('action', `unknown action '${action}' (A|C|M|F|T|R)`);
        }
      } catch (err) {
        if (!(err instanceof RecordError)) throw err;
        rejects.reject({ file, line: lineNo, field: err.field, reason: err.message, raw: line });
      }
    }
    if (out.length > 0) yield { file, events: out, lines: outLines };
  }
}

/** Databento market-by-order CSV. */
export const databentoMboFormat: InputFormat = {
  name: 'databento-mbo',
  description: 'Databento market-by-order CSV (A/C/M/F/T/R actions with order ids) → order lifecycle and trades',
  detect(sniff: Sniff): boolean {
    const first = sniff.head.find((l) => l.trim() !== '');
    if (first === undefined) return false;
    const cols = first.toLowerCase().split(',');
    return (
      cols.includes('action') && cols.includes('order_id') && cols.includes('instrument_id') && cols.some((c) => c.startsWith('ts_event'))
    );
  },
  open: readMbo,
};
