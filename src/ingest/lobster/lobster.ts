import type { MarketEvent, Side } from '../../domain/events.js';
import { scaleDown } from '../fields.js';
import { readLines } from '../lines.js';
import { RecordError } from '../reader-kit/json-fields.js';
import { SkipTally } from '../reader-kit/skip-tally.js';
import type { EventSource, InputFormat, OpenOptions, Sniff } from '../source.js';
import { NEW_YORK, dayClock, parseLocalDate, type LocalDate } from '../timezone.js';

/**
 * LOBSTER message files (`TICKER_YYYY-MM-DD_start_end_message_LEVELS.csv`): `time,type,order_id,
 * size,price×10⁴,direction`, time in seconds after midnight New York. Type 1 → new, 2 → cancel of
 * `size` shares (partial), 3 → cancel (full delete), 4 → fill of the resting order plus a Trade,
 * 5 → a Trade against a hidden order (no visible order), 6 → a cross (auction) Trade, 7 → trading
 * halt: counted and skipped (no event type for it). `direction` is the resting order's side, so a
 * trade's aggressor is the opposite side.
 */

const NAME = /^([A-Za-z0-9.^-]+)_(\d{4}-\d{2}-\d{2})_\d+_\d+_message_\d+\.csv(\.gz)?$/;

/** Symbol and date from a LOBSTER message file name, or undefined. */
export function lobsterFileName(name: string): { symbol: string; date: LocalDate } | undefined {
  const m = NAME.exec(name);
  const date = m ? parseLocalDate(m[2]!) : undefined;
  return m && date ? { symbol: m[1]!.toUpperCase(), date } : undefined;
}

function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Seconds after midnight with up to 9 decimals → whole ms, in text so no float rounding. */
export function secondsToMs(raw: string): number | undefined {
  const dot = raw.indexOf('.');
  const whole = dot < 0 ? raw : raw.slice(0, dot);
  const frac = dot < 0 ? '' : raw.slice(dot + 1);
  if (!isDigits(whole) || (dot >= 0 && !isDigits(frac))) return undefined;
  return Number(whole) * 1000 + Number((frac + '000').slice(0, 3));
}

function positiveInt(raw: string, field: string): number {
  if (!isDigits(raw) || Number(raw) <= 0) throw new RecordError(field, `${field} must be a positive integer, got '${raw}'`);
  return Number(raw);
}

async function* readLobster(options: OpenOptions): EventSource {
  const { path, rejects, symbols } = options;
  const file = path === '-' ? 'stdin' : path;
  const base = file.slice(file.lastIndexOf('/') + 1);
  const named = lobsterFileName(base);
  if (!named) {
    rejects.reject({
      file,
      line: 0,
      field: 'file name',
      reason: 'LOBSTER files carry symbol and date only in their name (TICKER_YYYY-MM-DD_…_message_N.csv); rename the file',
      raw: base,
    });
    return;
  }
  const { symbol } = named;
  if (symbols && !symbols.has(symbol)) return;
  const clock = dayClock(named.date, NEW_YORK);
  const tally = new SkipTally(file, 'type');
  for await (const chunk of readLines(path, options)) {
    const out: MarketEvent[] = [];
    const outLines: number[] = [];
    for (let i = 0; i < chunk.lines.length; i++) {
      const line = chunk.lines[i]!;
      const lineNo = chunk.firstLine + i;
      if (line.length === 0) continue;
      try {
        const c = line.split(',');
        if (c.length < 6) throw new RecordError('line', `expected 6 columns (time,type,order_id,size,price,direction), got ${c.length}`);
        const ms = secondsToMs(c[0]!);
        if (ms === undefined || ms >= 86_400_000) throw new RecordError('time', `bad seconds after midnight '${c[0]}'`);
        const tsMs = clock(ms);
        const type = c[1]!;
        if (type === '7') {
          tally.skip('trading halt (type 7)', lineNo, line, 'halt/quote/resume notices have no trade or order event type');
          continue;
        }
        const dir = c[5]!;
        if (dir !== '1' && dir !== '-1') throw new RecordError('direction', `unknown direction '${dir}' (1|-1)`);
        const side: Side = dir === '1' ? 'buy' : 'sell';
        const aggressor: Side = side === 'buy' ? 'sell' : 'buy';
        const orderId = c[2]!;
        const qty = positiveInt(c[3]!, 'size');
        const price = scaleDown(positiveInt(c[4]!, 'price'), 4);
        const tradeId = `${base}:${lineNo}`;
        switch (type) {
          case '1':
          case '2':
          case '3':
          case '4':
            if (!isDigits(orderId)) throw new RecordError('order_id', `bad order id '${orderId}'`);
            out.push({
              type: 'order',
              tsMs,
              symbol,
              orderId,
              account: '',
              side,
              action: type === '1' ? 'new' : type === '4' ? 'fill' : 'cancel',
              price,
              qty,
            });
            outLines.push(lineNo);
            if (type === '4') {
              out.push({ type: 'trade', tsMs, symbol, price, qty, buyer: '', seller: '', tradeId, side: aggressor });
              outLines.push(lineNo);
            }
            break;
          case '5':
            out.push({ type: 'trade', tsMs, symbol, price, qty, buyer: '', seller: '', tradeId, side: aggressor });
            outLines.push(lineNo);
            break;
          case '6':
            out.push({ type: 'trade', tsMs, symbol, price, qty, buyer: '', seller: '', tradeId, side: undefined });
            outLines.push(lineNo);
            break;
          default:
            throw new RecordError('type', `unknown event type '${type}' (1–7)`);
        }
      } catch (err) {
        if (!(err instanceof RecordError)) throw err;
        rejects.reject({ file, line: lineNo, field: err.field, reason: err.message, raw: line });
      }
    }
    if (out.length > 0) yield { file, events: out, lines: outLines };
  }
  tally.flush(rejects);
}

/** LOBSTER message files. */
export const lobsterFormat: InputFormat = {
  name: 'lobster',
  description: 'LOBSTER message files (TICKER_DATE_…_message_N.csv): order lifecycle, visible and hidden executions; New York time',
  detect(sniff: Sniff): boolean {
    return lobsterFileName(sniff.name) !== undefined;
  },
  open: readLobster,
};
