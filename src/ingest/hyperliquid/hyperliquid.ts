import type { MarketEvent, Trade } from '../../domain/events.js';
import {
  RecordError,
  idField,
  isRecordingLine,
  positiveField,
  splitRecording,
  textField,
  timeField,
  type Json,
} from '../reader-kit/json-fields.js';
import { readLines } from '../lines.js';
import { SkipTally } from '../reader-kit/skip-tally.js';
import type { EventSource, InputFormat, OpenOptions, Sniff } from '../source.js';

/**
 * Hyperliquid websocket recordings, `<receive_ns> {"channel":…,"data":…}` per line. `trades`
 * messages carry both accounts (`users: [buyer, seller]`) and the aggressor (`side` B/A);
 * `l2Book` snapshots give the best bid/ask as a Quote.
 */

function trade(t: Json): Trade {
  const users = t['users'];
  if (!Array.isArray(users) || users.length !== 2 || typeof users[0] !== 'string' || typeof users[1] !== 'string') {
    throw new RecordError('users', `expected users: [buyer, seller], got ${JSON.stringify(users)}`);
  }
  const side = t['side'];
  if (side !== 'B' && side !== 'A') throw new RecordError('side', `unknown side ${JSON.stringify(side)} (B|A)`);
  return {
    type: 'trade',
    tsMs: timeField(t, 'time'),
    symbol: textField(t, 'coin').toUpperCase(),
    price: positiveField(t, 'px'),
    qty: positiveField(t, 'sz'),
    buyer: users[0],
    seller: users[1],
    tradeId: idField(t, 'tid'),
    // Hyperliquid's side is the taker's: B = bought (lifted the ask), A = sold.
    side: side === 'B' ? 'buy' : 'sell',
  };
}

function bestLevel(levels: unknown, at: number, name: string): Json {
  const side = Array.isArray(levels) ? (levels[at] as unknown) : undefined;
  const top = Array.isArray(side) ? (side[0] as unknown) : undefined;
  if (typeof top !== 'object' || top === null) throw new RecordError(`levels.${name}`, `no ${name} level in l2Book`);
  return top as Json;
}

async function* readHyperliquid(options: OpenOptions): EventSource {
  const { path, rejects, symbols } = options;
  const file = path === '-' ? 'stdin' : path;
  const tally = new SkipTally(file, 'channel');
  // The first trades message after subscribing is a snapshot of trades from before the recording
  // began, older than the book messages before it: everything up to it is held and sorted by time.
  let startup = true;
  const held: { e: MarketEvent; line: number }[] = [];
  for await (const chunk of readLines(path, options)) {
    const out: MarketEvent[] = [];
    const outLines: number[] = [];
    const keep = (e: MarketEvent, lineNo: number): void => {
      if (symbols && !symbols.has(e.symbol)) return;
      if (startup) {
        held.push({ e, line: lineNo });
        return;
      }
      out.push(e);
      outLines.push(lineNo);
    };
    const release = (): void => {
      startup = false;
      held.sort((a, b) => a.e.tsMs - b.e.tsMs || a.line - b.line);
      for (const h of held.splice(0)) {
        out.push(h.e);
        outLines.push(h.line);
      }
    };
    for (let i = 0; i < chunk.lines.length; i++) {
      const line = chunk.lines[i]!;
      const lineNo = chunk.firstLine + i;
      if (line.length === 0) continue;
      try {
        const { msg } = splitRecording(line);
        const channel = msg['channel'];
        const data = msg['data'];
        if (channel === 'trades') {
          if (!Array.isArray(data)) throw new RecordError('data', 'trades message without a data array');
          // Map all first so one bad trade rejects its message as a whole, not half of it.
          const mapped = data.map((t) => trade(t as Json));
          for (const t of mapped) keep(t, lineNo);
          if (startup) release();
        } else if (channel === 'l2Book') {
          const book = data as Json;
          const bid = bestLevel(book['levels'], 0, 'bid');
          const ask = bestLevel(book['levels'], 1, 'ask');
          keep(
            {
              type: 'quote',
              tsMs: timeField(book, 'time'),
              symbol: textField(book, 'coin').toUpperCase(),
              bidPrice: positiveField(bid, 'px', 'bid.px'),
              bidQty: positiveField(bid, 'sz', 'bid.sz'),
              askPrice: positiveField(ask, 'px', 'ask.px'),
              askQty: positiveField(ask, 'sz', 'ask.sz'),
            },
            lineNo,
          );
        } else if (channel === 'subscriptionResponse' || channel === 'pong') {
          tally.skip(String(channel), lineNo, line, 'control message, no market data');
        } else {
          throw new RecordError('channel', `unknown Hyperliquid channel ${JSON.stringify(channel)}`);
        }
      } catch (err) {
        if (!(err instanceof RecordError)) throw err;
        rejects.reject({ file, line: lineNo, field: err.field, reason: err.message, raw: line });
      }
    }
    if (startup && held.length > 10_000) release(); // no trades channel: stop holding
    if (out.length > 0) yield { file, events: out, lines: outLines };
  }
  if (startup && held.length > 0) {
    const events = held.sort((a, b) => a.e.tsMs - b.e.tsMs || a.line - b.line);
    yield { file, events: events.map((h) => h.e), lines: events.map((h) => h.line) };
  }
  tally.flush(rejects);
}

/** Hyperliquid websocket recordings (trades with both accounts, l2Book best bid/ask). */
export const hyperliquidFormat: InputFormat = {
  name: 'hyperliquid',
  description:
    'Hyperliquid websocket recordings, `<receive_ns> {"channel":…}` per line: trades with buyer/seller addresses, l2Book → best bid/ask quotes',
  detect(sniff: Sniff): boolean {
    const first = sniff.head.find((l) => l.trim() !== '');
    return first !== undefined && isRecordingLine(first, '{"channel":"');
  },
  open: readHyperliquid,
};
