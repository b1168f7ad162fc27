import type { MarketEvent, Quote } from '../../domain/events.js';
import { parseDecimal, scaleDown } from '../fields.js';
import { RecordError } from '../reader-kit/json-fields.js';
import { SkipTally } from '../reader-kit/skip-tally.js';
import type { EventSource, InputFormat, OpenOptions, Sniff } from '../source.js';
import { NEW_YORK, dayClock, parseLocalDate, type LocalDate } from '../timezone.js';
import { entryChunks, zipEntries, type ZipEntry } from './zip.js';

/**
 * QuantConnect LEAN tick zips (`<type>_<market>_tick_<sym>_<yyyymmdd>_<trade|quote>.zip`), read
 * straight from the zip (zip.ts: native inflate, one entry at a time). Each entry is a headerless CSV whose name
 * gives date and symbol; time is ms after midnight in LEAN's data time zone: New York for equities,
 * UTC for futures (LEAN's market-hours database; the COMEX gold sample's 21:00–22:00 quiet hour is
 * the CME 17:00–18:00 ET maintenance break, which confirms it). Equity prices are ×10,000 integers,
 * future prices plain decimals.
 */

type Kind = 'trade' | 'quote';
type SecurityType = 'equity' | 'future';

const ZIP_NAME = /^(equity|future)_[a-z0-9]+_tick_([a-z0-9.^-]+)_(\d{8})_(trade|quote)\.zip$/i;

/** Security type and kind from a LEAN zip name, or undefined. */
export function leanZipName(name: string): { type: SecurityType; kind: Kind } | undefined {
  const m = ZIP_NAME.exec(name);
  return m ? { type: m[1]!.toLowerCase() as SecurityType, kind: m[4]!.toLowerCase() as Kind } : undefined;
}

const MONTH_CODES = 'FGHJKMNQUVXZ';

/**
 * Date and symbol from an entry name: `20131008_spy_Trade_Tick.csv` → SPY;
 * `20131007_gc_tick_trade_201312.csv` → GCZ13 (root + month code + year of the expiry).
 */
export function leanEntryName(name: string): { date: LocalDate; symbol: string } | undefined {
  const base = name.slice(name.lastIndexOf('/') + 1).replace(/\.csv$/i, '');
  const parts = base.split('_');
  const date = parseLocalDate(parts[0] ?? '');
  const root = parts[1];
  if (!date || !root) return undefined;
  const expiry = parts[parts.length - 1]!;
  if (parts.length >= 3 && /^\d{6}$/.test(expiry)) {
    const month = Number(expiry.slice(4));
    if (month < 1 || month > 12) return undefined;
    return { date, symbol: `${root.toUpperCase()}${MONTH_CODES[month - 1]}${expiry.slice(2, 4)}` };
  }
  return { date, symbol: root.toUpperCase() };
}

interface EntryChunk {
  readonly entry: string;
  readonly lines: string[];
  readonly firstLine: number;
}

/** Streams the lines of the zip's `entries` (from `zipEntries`), entry after entry, in constant memory. */
export async function* zipLines(path: string, entries: readonly ZipEntry[], signal?: AbortSignal): AsyncGenerator<EntryChunk> {
  for (const entry of entries) {
    const decoder = new TextDecoder('utf-8');
    let carry = '';
    let lineNo = 1;
    const chunks = await entryChunks(path, entry);
    let done = false;
    const iterator = chunks[Symbol.asyncIterator]() as AsyncIterator<Buffer, undefined>;
    while (!done) {
      if (signal?.aborted) {
        await iterator.return?.();
        return;
      }
      const next = await iterator.next();
      done = next.done === true;
      const text = carry + decoder.decode(done ? undefined : next.value, { stream: !done });
      const lines = text.split('\n');
      carry = done ? '' : lines.pop()!;
      if (done && lines[lines.length - 1] === '') lines.pop();
      for (let i = 0; i < lines.length; i++) {
        const l = lines[i]!;
        if (l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
      }
      if (lines.length > 0) yield { entry: entry.name, lines, firstLine: lineNo };
      lineNo += lines.length;
    }
  }
}

/**
 * The common equity trade line (`ms,price,qty,exchange,condition,suspicious` with plain digits, not
 * flagged suspicious) read in place, without splitting it. Anything else is declined and read by the
 * reference code below, so values, rejects and their reasons stay exactly as they were.
 */
class FastTradeLine {
  ms = 0;
  price = 0;
  qty = 0;

  /** True when `line` is such a line; its fields are then in `ms`, `price` and `qty`. */
  trade(line: string): boolean {
    const c0 = line.indexOf(',');
    const c1 = c0 < 0 ? -1 : line.indexOf(',', c0 + 1);
    const c2 = c1 < 0 ? -1 : line.indexOf(',', c1 + 1);
    const c3 = c2 < 0 ? -1 : line.indexOf(',', c2 + 1);
    const c4 = c3 < 0 ? -1 : line.indexOf(',', c3 + 1);
    if (c4 < 0) return false;
    const c5 = line.indexOf(',', c4 + 1);
    const end5 = c5 < 0 ? line.length : c5;
    if (end5 - c4 === 2 && line.charCodeAt(c4 + 1) === 49) return false; // suspicious '1': rejected by the reference
    const ms = digits(line, 0, c0);
    const price = digits(line, c0 + 1, c1);
    const qty = digits(line, c1 + 1, c2);
    if (ms < 0 || ms >= 86_400_000 || price <= 0 || qty <= 0) return false;
    this.ms = ms;
    this.price = price;
    this.qty = qty;
    return true;
  }
}

/** The unsigned integer `line[start, end)` (1–15 digits), or -1. */
function digits(line: string, start: number, end: number): number {
  if (end <= start || end - start > 15) return -1;
  let n = 0;
  for (let k = start; k < end; k++) {
    const d = line.charCodeAt(k) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function int(raw: string, field: string, allowZero: boolean): number {
  if (!isDigits(raw)) throw new RecordError(field, `${field} must be an unsigned integer, got '${raw}'`);
  const n = Number(raw);
  if (!allowZero && n === 0) throw new RecordError(field, `${field} must be positive, got '${raw}'`);
  return n;
}

function priceOf(raw: string, type: SecurityType, field: string, allowZero: boolean): number {
  if (type === 'equity') return scaleDown(int(raw, field, allowZero), 4);
  const n = parseDecimal(raw);
  if (n === undefined || n < 0 || (!allowZero && n === 0)) throw new RecordError(field, `bad ${field} '${raw}'`);
  return n;
}

interface EntryState {
  readonly symbol: string;
  readonly clock: (ms: number) => number;
  bid: number;
  bidQty: number;
  ask: number;
  askQty: number;
}

function readLean(kind: Kind): (options: OpenOptions) => EventSource {
  return async function* (options: OpenOptions): EventSource {
    const { path, rejects, symbols } = options;
    const base = path.slice(path.lastIndexOf('/') + 1);
    const named = leanZipName(base);
    if (!named) {
      rejects.reject({
        file: path,
        line: 0,
        field: 'file name',
        reason:
          'LEAN tick zips carry security type and kind only in their name (<equity|future>_<market>_tick_<sym>_<yyyymmdd>_<trade|quote>.zip); rename the file',
        raw: base,
      });
      return;
    }
    const tz = named.type === 'equity' ? NEW_YORK : 'UTC';
    const tally = new SkipTally(path, 'bid/ask');
    const states = new Map<string, EntryState | null>();
    // Futures zips hold one file per contract month, each starting again at midnight: their events
    // are merged by time (held in memory: such zips are small). Single-entry zips stream.
    const entries = await zipEntries(path);
    const multi = entries.length > 1;
    const held: { event: MarketEvent; line: number; file: string; order: number }[] = [];
    const fast = new FastTradeLine();
    for await (const chunk of zipLines(path, entries, options.signal)) {
      const file = `${path}#${chunk.entry}`;
      let st = states.get(chunk.entry);
      if (st === undefined) {
        const e = leanEntryName(chunk.entry);
        st = e ? { symbol: e.symbol, clock: dayClock(e.date, tz), bid: 0, bidQty: 0, ask: 0, askQty: 0 } : null;
        states.set(chunk.entry, st);
        if (!e)
          rejects.reject({
            file,
            line: 0,
            field: 'entry name',
            reason: `cannot read date and symbol from zip entry '${chunk.entry}' (expected yyyymmdd_sym_…csv); entry skipped`,
            raw: chunk.entry,
          });
      }
      if (st === null || (symbols && !symbols.has(st.symbol))) continue;
      const out: MarketEvent[] = [];
      const outLines: number[] = [];
      for (let i = 0; i < chunk.lines.length; i++) {
        const line = chunk.lines[i]!;
        const lineNo = chunk.firstLine + i;
        if (line.length === 0) continue;
        if (kind === 'trade' && named.type === 'equity' && fast.trade(line)) {
          out.push({
            type: 'trade',
            tsMs: st.clock(fast.ms),
            symbol: st.symbol,
            price: scaleDown(fast.price, 4),
            qty: fast.qty,
            buyer: '',
            seller: '',
            tradeId: `${chunk.entry}:${lineNo}`,
          });
          outLines.push(lineNo);
          continue;
        }
        try {
          const c = line.split(',');
          const want = kind === 'trade' ? 6 : 8;
          if (c.length < want) throw new RecordError('line', `expected ${want} columns, got ${c.length}`);
          if (c[want - 1] === '1') throw new RecordError('suspicious', 'flagged suspicious by the data vendor');
          const ms = int(c[0]!, 'time', true);
          if (ms >= 86_400_000) throw new RecordError('time', `ms after midnight out of range '${c[0]}'`);
          const tsMs = st.clock(ms);
          if (kind === 'trade') {
            out.push({
              type: 'trade',
              tsMs,
              symbol: st.symbol,
              price: priceOf(c[1]!, named.type, 'price', false),
              qty: int(c[2]!, 'quantity', false),
              buyer: '',
              seller: '',
              tradeId: `${chunk.entry}:${lineNo}`,
            });
            outLines.push(lineNo);
            continue;
          }
          // A quote tick updates one or both sides (0 = side not in this tick): carry the other.
          const bid = priceOf(c[1]!, named.type, 'bid', true);
          const bidQty = int(c[2]!, 'bid_size', true);
          const ask = priceOf(c[3]!, named.type, 'ask', true);
          const askQty = int(c[4]!, 'ask_size', true);
          if (bid === 0 && ask === 0) throw new RecordError('bid/ask', 'quote with neither bid nor ask');
          if (bid > 0) {
            st.bid = bid;
            st.bidQty = bidQty;
          }
          if (ask > 0) {
            st.ask = ask;
            st.askQty = askQty;
          }
          if (st.bid === 0 || st.ask === 0) {
            tally.skip('one-sided quote', lineNo, line, 'a quote before both sides have been seen has no best bid/ask to report');
            continue;
          }
          const q: Quote = {
            type: 'quote',
            tsMs,
            symbol: st.symbol,
            bidPrice: st.bid,
            bidQty: st.bidQty,
            askPrice: st.ask,
            askQty: st.askQty,
          };
          out.push(q);
          outLines.push(lineNo);
        } catch (err) {
          if (!(err instanceof RecordError)) throw err;
          rejects.reject({ file, line: lineNo, field: err.field, reason: err.message, raw: line });
        }
      }
      if (out.length === 0) continue;
      if (!multi) {
        yield { file, events: out, lines: outLines };
        continue;
      }
      for (let i = 0; i < out.length; i++) held.push({ event: out[i]!, line: outLines[i]!, file, order: held.length });
    }
    if (held.length > 0) {
      held.sort((a, b) => a.event.tsMs - b.event.tsMs || a.order - b.order);
      for (let i = 0; i < held.length; i += 4096) {
        const part = held.slice(i, i + 4096);
        yield { file: path, events: part.map((h) => h.event), lines: part.map((h) => h.line) };
      }
    }
    tally.flush(rejects);
  };
}

function detector(kind: Kind): (sniff: Sniff) => boolean {
  return (sniff) => sniff.magic[0] === 0x50 && sniff.magic[1] === 0x4b && leanZipName(sniff.name)?.kind === kind;
}

/** LEAN trade tick zips. */
export const leanTradesFormat: InputFormat = {
  name: 'lean-trades',
  description: 'QuantConnect LEAN trade tick zips (equity ×10,000 prices in New York time; futures in UTC), read from the zip directly',
  detect: detector('trade'),
  open: readLean('trade'),
};

/** LEAN quote tick zips. */
export const leanQuotesFormat: InputFormat = {
  name: 'lean-quotes',
  description: 'QuantConnect LEAN quote tick zips → best bid/ask quotes (one-sided ticks carry the other side forward)',
  detect: detector('quote'),
  open: readLean('quote'),
};
