import type { Trade } from '../../domain/events.js';
import { InputError } from '../../domain/errors.js';
import { parseDecimal } from '../fields.js';
import { readLines, splitCsvLine } from '../lines.js';
import { RecordError } from '../reader-kit/json-fields.js';
import type { EventSource, InputFormat, OpenOptions, Sniff } from '../source.js';
import { dayClock, type LocalDate } from '../timezone.js';

/**
 * NEPSE floorsheets (`MM_DD_YYYY.csv[.gz]`): `Transact. No.,Symbol,Buyer,Seller,Quantity,Rate,
 * Amount`, one file per trading day, buyer and seller broker ids. There are no timestamps, and the
 * file is not in time order, so the reader holds one day's rows, sorts them by transaction number
 * (YYYYMMDD + 8 digits, increasing through the day) and spreads them evenly over the continuous
 * session, 11:00–15:00 Asia/Kathmandu: row k of n gets 11:00 + ⌊k·4h/n⌋. Times are therefore
 * synthetic: their order is real, their spacing is not. Memory is one day's floorsheet.
 */

const HEADER = 'Transact. No.,Symbol,Buyer,Seller,Quantity,Rate,Amount';
const SESSION_OPEN_MS = 11 * 3_600_000;
const SESSION_MS = 4 * 3_600_000;
const KATHMANDU = 'Asia/Kathmandu';
const BATCH = 8192;

/** The trading day from a floorsheet file name `MM_DD_YYYY.csv(.gz)`, or undefined. */
export function nepseFileDate(name: string): LocalDate | undefined {
  const m = /^(\d{2})_(\d{2})_(\d{4})\.csv(\.gz)?$/.exec(name);
  if (!m) return undefined;
  const year = Number(m[3]);
  const month = Number(m[1]);
  const day = Number(m[2]);
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCMonth() === month - 1 && d.getUTCDate() === day ? { year, month, day } : undefined;
}

interface Row {
  readonly txn: string;
  readonly symbol: string;
  readonly buyer: string;
  readonly seller: string;
  readonly qty: number;
  readonly price: number;
  readonly line: number;
}

/**
 * Broker ids are opaque codes: mostly numbers, but the floorsheets also carry codes such as `D01`
 * (1,911 rows of 2021, bank stocks) — rejecting them lost real trades.
 */
const BROKER_ID = /^[A-Za-z0-9]+$/;

function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function positive(raw: string, field: string): number {
  // Quantities above 999 come quoted with thousands separators ("2,000").
  const n = parseDecimal(raw.includes(',') ? raw.replaceAll(',', '') : raw);
  if (n === undefined || n <= 0) throw new RecordError(field, `${field} must be a positive number, got '${raw}'`);
  return n;
}

async function* readNepse(options: OpenOptions): EventSource {
  const { path, rejects, symbols } = options;
  const file = path === '-' ? 'stdin' : path;
  const base = file.slice(file.lastIndexOf('/') + 1);
  const date = nepseFileDate(base);
  if (!date) {
    rejects.reject({
      file,
      line: 0,
      field: 'file name',
      reason: 'a floorsheet has no timestamps: its day comes from the file name MM_DD_YYYY.csv(.gz); rename the file',
      raw: base,
    });
    return;
  }
  const ymd = `${date.year}${String(date.month).padStart(2, '0')}${String(date.day).padStart(2, '0')}`;
  const rows: Row[] = [];
  let header = false;
  for await (const chunk of readLines(path, options)) {
    for (let i = 0; i < chunk.lines.length; i++) {
      const line = chunk.lines[i]!;
      const lineNo = chunk.firstLine + i;
      if (line.length === 0) continue;
      if (!header) {
        if (!line.startsWith(HEADER)) {
          const reason = `expected header '${HEADER}'`;
          rejects.reject({ file, line: lineNo, field: 'header', reason, raw: line });
          throw new InputError(`${file}:${lineNo}: field header: ${reason}`, file, lineNo, 'header');
        }
        header = true;
        continue;
      }
      try {
        const c = splitCsvLine(line);
        if (c.length < 6) throw new RecordError('line', `expected 7 columns, got ${c.length}`);
        const txn = c[0]!.trim();
        if (!isDigits(txn) || txn.length < 12) throw new RecordError('Transact. No.', `bad transaction number '${txn}'`);
        if (!txn.startsWith(ymd)) throw new RecordError('Transact. No.', `transaction ${txn} is not of the file's day ${ymd}`);
        const symbol = c[1]!.trim().toUpperCase();
        if (symbol === '') throw new RecordError('Symbol', 'missing symbol');
        const buyer = c[2]!.trim();
        const seller = c[3]!.trim();
        if (!BROKER_ID.test(buyer)) throw new RecordError('Buyer', `bad broker id '${buyer}' (letters and digits expected)`);
        if (!BROKER_ID.test(seller)) throw new RecordError('Seller', `bad broker id '${seller}' (letters and digits expected)`);
        const qty = positive(c[4]!, 'Quantity');
        const price = positive(c[5]!, 'Rate');
        if (symbols && !symbols.has(symbol)) continue;
        rows.push({ txn, symbol, buyer, seller, qty, price, line: lineNo });
      } catch (err) {
        if (!(err instanceof RecordError)) throw err;
        rejects.reject({ file, line: lineNo, field: err.field, reason: err.message, raw: line });
      }
    }
  }
  // Same length and all digits: text order is numeric order, with no precision question.
  rows.sort((a, b) => a.txn.length - b.txn.length || (a.txn < b.txn ? -1 : a.txn > b.txn ? 1 : 0));
  const clock = dayClock(date, KATHMANDU);
  const n = rows.length;
  for (let start = 0; start < n; start += BATCH) {
    const events: Trade[] = [];
    const lines: number[] = [];
    for (let k = start; k < Math.min(n, start + BATCH); k++) {
      const r = rows[k]!;
      events.push({
        type: 'trade',
        tsMs: clock(SESSION_OPEN_MS + Math.floor((k * SESSION_MS) / n)),
        symbol: r.symbol,
        price: r.price,
        qty: r.qty,
        buyer: r.buyer,
        seller: r.seller,
        tradeId: r.txn,
      });
      lines.push(r.line);
    }
    yield { file, events, lines };
  }
}

/** NEPSE floorsheets (broker ids both sides, synthetic in-session times). */
export const nepseFormat: InputFormat = {
  name: 'nepse',
  description:
    'Nepal Stock Exchange floorsheets (MM_DD_YYYY.csv[.gz]): trades with buyer/seller broker ids; synthetic times 11:00–15:00 Kathmandu in transaction-number order',
  detect(sniff: Sniff): boolean {
    return sniff.head.find((l) => l.trim() !== '')?.startsWith(HEADER) === true;
  },
  open: readNepse,
};
