import type { MarketEvent, Side, Trade } from '../../domain/events.js';
import { InputError } from '../../domain/errors.js';
import { readLines, splitCsvLine } from '../lines.js';
import { parseDecimal, parseTimestamp } from '../fields.js';
import type { EventSource, InputFormat, OpenOptions, Sniff } from '../source.js';

/**
 * Binance public trades as collected for pump-and-dump research (../shared/data/binance-pumps):
 * CSV, usually gzipped, header `symbol,timestamp,datetime,side,price,amount,btc_volume`.
 * - `symbol` 'VIB/BTC' becomes 'VIBBTC' (Binance's own spelling, no separator), upper-cased.
 * - `timestamp` is epoch ms; `datetime` (ISO) is used only when `timestamp` is empty.
 * - `side` is the taker (aggressor) side; the tape is anonymous, so buyer and seller are ''.
 * - `amount` is the quantity in the base coin; `btc_volume` (= price × amount) is ignored.
 * - There is no trade id: `tradeId` is `<file name>:<line>`, deterministic for a given file.
 */

const REQUIRED = ['symbol', 'timestamp', 'side', 'price', 'amount'] as const;

class RowError extends Error {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(reason);
  }
}

/** Binance writes pairs as BASE/QUOTE; the engine keys symbols without the separator. */
export function normaliseBinanceSymbol(raw: string): string {
  return raw
    .trim()
    .replace(/[/\-_]/g, '')
    .toUpperCase();
}

/** Column positions of the header, or a reason why the header is not this format's. */
function layoutOf(header: readonly string[]): Record<string, number> | string {
  const names = header.map((h) => h.trim().toLowerCase());
  const index: Record<string, number> = {};
  for (const c of [...REQUIRED, 'datetime']) {
    const at = names.indexOf(c);
    if (at >= 0) index[c] = at;
  }
  const missing = REQUIRED.filter((c) => index[c] === undefined);
  if (missing.length > 0) return `header lacks column(s) ${missing.join(', ')}; found: ${header.join(',')}`;
  return index;
}

function tradeFromCells(cells: readonly string[], index: Record<string, number>, tradeId: string): Trade {
  const cell = (c: string): string => {
    const at = index[c];
    return at === undefined ? '' : (cells[at] ?? '').trim();
  };
  const symbolRaw = cell('symbol');
  if (symbolRaw === '') throw new RowError('symbol', 'missing symbol');
  const tsRaw = cell('timestamp') || cell('datetime');
  const tsMs = tsRaw === '' ? undefined : parseTimestamp(tsRaw);
  if (tsMs === undefined) throw new RowError('timestamp', `bad timestamp '${tsRaw}' (epoch ms)`);
  const sideRaw = cell('side').toLowerCase();
  let side: Side;
  if (sideRaw === 'buy') side = 'buy';
  else if (sideRaw === 'sell') side = 'sell';
  else throw new RowError('side', `unknown side '${cell('side')}' (buy|sell)`);
  const price = parseDecimal(cell('price'));
  if (price === undefined || price <= 0) throw new RowError('price', `price must be a positive number, got '${cell('price')}'`);
  const qty = parseDecimal(cell('amount'));
  if (qty === undefined || qty <= 0) throw new RowError('amount', `amount must be a positive number, got '${cell('amount')}'`);
  return { type: 'trade', tsMs, symbol: normaliseBinanceSymbol(symbolRaw), price, qty, buyer: '', seller: '', tradeId, side };
}

async function* readBinanceTrades(options: OpenOptions): EventSource {
  const { path, rejects, symbols } = options;
  const file = path === '-' ? 'stdin' : path;
  const name = baseName(file);
  let index: Record<string, number> | undefined;
  for await (const chunk of readLines(path, options)) {
    const events: MarketEvent[] = [];
    const lines: number[] = [];
    for (let i = 0; i < chunk.lines.length; i++) {
      const line = chunk.lines[i]!;
      const lineNo = chunk.firstLine + i;
      if (line.trim() === '') continue;
      if (index === undefined) {
        const l = layoutOf(splitCsvLine(line));
        if (typeof l === 'string') {
          rejects.reject({ file, line: lineNo, field: 'header', reason: l, raw: line });
          // Without the header no row can be read: the file as a whole is unusable.
          throw new InputError(`${file}:${lineNo}: field header: ${l}`, file, lineNo, 'header');
        }
        index = l;
        continue;
      }
      try {
        const trade = tradeFromCells(splitCsvLine(line), index, `${name}:${lineNo}`);
        if (symbols && !symbols.has(trade.symbol)) continue;
        events.push(trade);
        lines.push(lineNo);
      } catch (err) {
        if (err instanceof RowError) rejects.reject({ file, line: lineNo, field: err.field, reason: err.message, raw: line });
        else throw err;
      }
    }
    if (events.length > 0) yield { file, events, lines };
  }
}

function baseName(p: string): string {
  const i = p.lastIndexOf('/');
  return i >= 0 ? p.slice(i + 1) : p;
}

/** Binance trades CSV (`symbol,timestamp,datetime,side,price,amount,btc_volume`), gzip or plain. */
export const binanceTradesFormat: InputFormat = {
  name: 'binance-trades',
  description:
    "Binance trades CSV 'symbol,timestamp,datetime,side,price,amount,btc_volume' (gzip ok); anonymous, side = taker; 'VIB/BTC' → 'VIBBTC'",
  detect(sniff: Sniff): boolean {
    const first = sniff.head.find((l) => l.trim() !== '');
    if (first === undefined) return false;
    const cols = splitCsvLine(first).map((c) => c.trim().toLowerCase());
    // 'amount' and 'timestamp' (instead of canonical 'qty'/'ts') are what make this format certain.
    return typeof layoutOf(cols) !== 'string' && !cols.includes('qty');
  },
  open: readBinanceTrades,
};
