import { textOf } from '../../domain/events.js';
import type { MarketEvent, Quote, Trade } from '../../domain/events.js';
import { readLines } from '../lines.js';
import { SkipTally } from '../reader-kit/skip-tally.js';
import {
  RecordError,
  idField,
  positiveField,
  isRecordingLine,
  splitRecording,
  textField,
  timeField,
  type Json,
} from '../reader-kit/json-fields.js';
import type { EventSource, InputFormat, OpenOptions, Sniff } from '../source.js';

/**
 * Binance websocket recordings (hftbacktest style): one message per line, `<receive_ns> <json>`,
 * the JSON either a combined-stream envelope `{"stream":…,"data":{…}}` or the bare payload.
 * `trade`/`aggTrade` → Trade (aggressor from `m`), `bookTicker` → Quote, `depthUpdate` and REST
 * depth snapshots → skipped and counted (bookTicker already carries the best bid/ask).
 */

const DEPTH_WHY =
  'diff-depth level changes; rebuilding the book from them (plus a REST snapshot) would only repeat the best bid/ask that the bookTicker stream already gives';

/** Maps one Binance payload; returns undefined for kinds it counts as skipped. */
function mapPayload(
  data: Json,
  recvMs: number,
  offset: { ms: number },
  tally: SkipTally,
  lineNo: number,
  raw: string,
): MarketEvent | undefined {
  const e = data['e'];
  if (typeof data['E'] === 'number') offset.ms = data['E'] - recvMs;
  if (e === 'trade' || e === 'aggTrade') {
    const x = data['X'];
    if (x !== undefined && x !== 'MARKET') {
      tally.skip(`trade X=${textOf(x)}`, lineNo, raw, 'futures insurance-fund/ADL executions are not market trades');
      return undefined;
    }
    const m = data['m'];
    if (typeof m !== 'boolean') throw new RecordError('m', `missing or bad buyer-is-maker flag ${JSON.stringify(m)}`);
    const t: Trade = {
      type: 'trade',
      tsMs: timeField(data, 'T'),
      symbol: textField(data, 's').toUpperCase(),
      price: positiveField(data, 'p'),
      qty: positiveField(data, 'q'),
      buyer: '',
      seller: '',
      tradeId: e === 'trade' ? idField(data, 't') : `a${idField(data, 'a')}`,
      // Buyer is maker → the seller hit the bid: the aggressor sold.
      side: m ? 'sell' : 'buy',
    };
    return t;
  }
  if (e === 'bookTicker' || (e === undefined && 'b' in data && 'A' in data && 'u' in data)) {
    // Spot bookTicker has no event time: receive time shifted by the latest observed
    // (exchange − receive) offset, so it lines up with the exchange-stamped trades.
    const tsMs =
      typeof data['T'] === 'number' ? timeField(data, 'T') : typeof data['E'] === 'number' ? timeField(data, 'E') : recvMs + offset.ms;
    const q: Quote = {
      type: 'quote',
      tsMs,
      symbol: textField(data, 's').toUpperCase(),
      bidPrice: positiveField(data, 'b'),
      bidQty: positiveField(data, 'B'),
      askPrice: positiveField(data, 'a'),
      askQty: positiveField(data, 'A'),
    };
    return q;
  }
  if (e === 'depthUpdate') {
    tally.skip('depthUpdate', lineNo, raw, DEPTH_WHY);
    return undefined;
  }
  if ('lastUpdateId' in data && 'bids' in data) {
    tally.skip('REST depth snapshot', lineNo, raw, 'book snapshot without symbol or time, only the base for diff-depth updates');
    return undefined;
  }
  if ('result' in data && 'id' in data) {
    tally.skip('subscription response', lineNo, raw, 'control message, no market data');
    return undefined;
  }
  throw new RecordError('e', `unknown Binance message type ${JSON.stringify(e)}`);
}

async function* readBinanceWs(options: OpenOptions): EventSource {
  const { path, rejects, symbols } = options;
  const file = path === '-' ? 'stdin' : path;
  const tally = new SkipTally(file, 'e');
  const offset = { ms: 0 };
  for await (const chunk of readLines(path, options)) {
    const out: MarketEvent[] = [];
    const outLines: number[] = [];
    for (let i = 0; i < chunk.lines.length; i++) {
      const line = chunk.lines[i]!;
      const lineNo = chunk.firstLine + i;
      if (line.length === 0) continue;
      try {
        const { recvMs, msg } = splitRecording(line);
        const data = (typeof msg['data'] === 'object' && msg['data'] !== null ? msg['data'] : msg) as Json;
        const ev = mapPayload(data, recvMs, offset, tally, lineNo, line);
        if (ev === undefined || (symbols && !symbols.has(ev.symbol))) continue;
        out.push(ev);
        outLines.push(lineNo);
      } catch (err) {
        if (!(err instanceof RecordError)) throw err;
        rejects.reject({ file, line: lineNo, field: err.field, reason: err.message, raw: line });
      }
    }
    if (out.length > 0) yield { file, events: out, lines: outLines };
  }
  tally.flush(rejects);
}

/** Binance websocket recordings (`<receive_ns> <json>` per line). */
export const binanceWsFormat: InputFormat = {
  name: 'binance-ws',
  description:
    'Binance websocket recordings, `<receive_ns> <json>` per line: trade/aggTrade → trades, bookTicker → quotes, depthUpdate counted and skipped',
  detect(sniff: Sniff): boolean {
    const first = sniff.head.find((l) => l.trim() !== '');
    if (first === undefined) return false;
    if (isRecordingLine(first, '{"stream":"')) return first.includes('@');
    return isRecordingLine(first, '{"e":"');
  },
  open: readBinanceWs,
};
