import type { MarketEvent, OrderAction, Side } from '../../domain/events.js';
import { parseDecimal } from '../fields.js';
import { readLines } from '../lines.js';
import { RecordError } from '../reader-kit/json-fields.js';
import { SkipTally } from '../reader-kit/skip-tally.js';
import type { EventSource, InputFormat, OpenOptions, Sniff } from '../source.js';

/**
 * FIX 4.2/4.4 tag=value logs, one message per line (SOH or '|' between fields, any log prefix
 * before `8=FIX`). 35=D → new, 35=F → cancel, 35=G → modify, 35=8 with ExecType 1/2 (4.2) or F
 * (4.4) → fill at LastPx×LastQty. Requests, not acknowledgements, carry the trader's intent (what
 * spoofing and layering are about), so other execution reports and session messages are counted and
 * skipped. Orders keep one id through cancel/replace chains: the ClOrdID of their 35=D.
 */

const SOH = '\x01';
const FILL_EXEC_TYPES = new Set(['1', '2', 'F']);

/** Parses one FIX message into tag → value; verifies CheckSum (10) when present. */
export function parseFix(msg: string, delimiter: string): Map<string, string> {
  const fields = new Map<string, string>();
  let sum = 0;
  let pos = 0;
  while (pos < msg.length) {
    let end = msg.indexOf(delimiter, pos);
    if (end < 0) end = msg.length;
    const eq = msg.indexOf('=', pos);
    if (eq < 0 || eq > end) throw new RecordError('fix', `field without '=' at offset ${pos}`);
    const tag = msg.slice(pos, eq);
    const value = msg.slice(eq + 1, end);
    if (tag === '10') {
      const expected = String(sum % 256).padStart(3, '0');
      if (value !== expected) throw new RecordError('10', `CheckSum ${value} does not match ${expected}`);
    } else {
      // The checksum counts every byte up to 10=, the delimiter as SOH (1) whatever the log shows.
      for (let i = pos; i < end; i++) sum += msg.charCodeAt(i);
      sum += 1;
    }
    if (!fields.has(tag)) fields.set(tag, value);
    pos = end + 1;
  }
  return fields;
}

/** FIX UTCTimestamp `YYYYMMDD-HH:MM:SS[.sss]` → epoch ms. */
export function fixTime(raw: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})-(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/.exec(raw);
  if (!m) return undefined;
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) + Number(((m[7] ?? '') + '000').slice(0, 3));
  return Number.isFinite(ms) ? ms : undefined;
}

function sideOf(raw: string | undefined): Side {
  if (raw === '1' || raw === '3') return 'buy';
  if (raw === '2' || raw === '4' || raw === '5' || raw === '6') return 'sell';
  throw new RecordError('54', `unknown Side '${raw ?? ''}' (1 buy; 2, 5, 6 sell)`);
}

function positive(f: Map<string, string>, tag: string, name: string): number {
  const raw = f.get(tag);
  const n = raw === undefined ? undefined : parseDecimal(raw);
  if (n === undefined || n <= 0) throw new RecordError(tag, `${name} (${tag}) must be a positive number, got '${raw ?? ''}'`);
  return n;
}

function need(f: Map<string, string>, tag: string, name: string): string {
  const v = f.get(tag);
  if (v === undefined || v === '') throw new RecordError(tag, `missing ${name} (${tag})`);
  return v;
}

interface OrderState {
  readonly root: string;
  price: number;
  qty: number;
  filled: number;
}

const SESSION_TYPES: Readonly<Record<string, string>> = {
  '0': 'Heartbeat',
  '1': 'TestRequest',
  '2': 'ResendRequest',
  '3': 'Reject',
  '4': 'SequenceReset',
  '5': 'Logout',
  A: 'Logon',
};

async function* readFix(options: OpenOptions): EventSource {
  const { path, rejects, symbols } = options;
  const file = path === '-' ? 'stdin' : path;
  const tally = new SkipTally(file, '35');
  // ClOrdID → the order it belongs to; one entry per order id seen (cancel/replace chains).
  const orders = new Map<string, OrderState>();
  for await (const chunk of readLines(path, options)) {
    const out: MarketEvent[] = [];
    const outLines: number[] = [];
    for (let i = 0; i < chunk.lines.length; i++) {
      const line = chunk.lines[i]!;
      const lineNo = chunk.firstLine + i;
      if (line.trim() === '') continue;
      try {
        const start = line.indexOf('8=FIX');
        if (start < 0) throw new RecordError('8', 'no FIX message (8=FIX…) on this line');
        let msg = line.slice(start);
        const delimiter = msg.includes(SOH) ? SOH : '|';
        if (msg.endsWith(delimiter)) msg = msg.slice(0, -1);
        const f = parseFix(msg, delimiter);
        const type = need(f, '35', 'MsgType');
        if (type !== 'D' && type !== 'F' && type !== 'G' && type !== '8') {
          const name = SESSION_TYPES[type];
          tally.skip(
            `MsgType ${type}${name ? ` (${name})` : ''}`,
            lineNo,
            line,
            name ? 'session-level message' : 'message type with no trade or order event',
          );
          continue;
        }
        if (type === '8' && !FILL_EXEC_TYPES.has(f.get('150') ?? '')) {
          tally.skip(
            `ExecutionReport ExecType ${f.get('150') ?? '?'}`,
            lineNo,
            line,
            'acknowledgements; the orders themselves come from D/F/G requests',
          );
          continue;
        }
        const timeRaw = f.get('60') ?? f.get('52');
        const tsMs = timeRaw === undefined ? undefined : fixTime(timeRaw);
        if (tsMs === undefined)
          throw new RecordError(f.has('60') ? '60' : '52', `bad or missing TransactTime/SendingTime '${timeRaw ?? ''}'`);
        const symbol = need(f, '55', 'Symbol').toUpperCase();
        const side = sideOf(f.get('54'));
        const account = f.get('1') ?? '';
        const clOrdId = need(f, '11', 'ClOrdID');
        let action: OrderAction;
        let orderId: string;
        let price: number;
        let qty: number;
        switch (type) {
          case 'D': {
            if (orders.has(clOrdId)) throw new RecordError('11', `duplicate ClOrdID '${clOrdId}'`);
            if (f.get('40') === '1' || !f.has('44'))
              throw new RecordError('44', 'order without a limit price (market order): order events need a price');
            price = positive(f, '44', 'Price');
            qty = positive(f, '38', 'OrderQty');
            orders.set(clOrdId, { root: clOrdId, price, qty, filled: 0 });
            action = 'new';
            orderId = clOrdId;
            break;
          }
          case 'F':
          case 'G': {
            const orig = need(f, '41', 'OrigClOrdID');
            const o = orders.get(orig);
            if (!o) throw new RecordError('41', `OrigClOrdID '${orig}' names no order seen in this log`);
            orderId = o.root;
            if (type === 'G') {
              o.price = f.has('44') ? positive(f, '44', 'Price') : o.price;
              o.qty = positive(f, '38', 'OrderQty');
              orders.set(clOrdId, o);
              action = 'modify';
            } else action = 'cancel';
            price = o.price;
            // A cancel takes off what is still open; OrderQty (38) counts the filled part too.
            qty = type === 'F' ? o.qty - o.filled : o.qty;
            if (qty <= 0) throw new RecordError('41', `order '${o.root}' has nothing left to cancel (filled ${o.filled} of ${o.qty})`);
            break;
          }
          case '8': {
            const o = orders.get(clOrdId);
            orderId = o?.root ?? clOrdId;
            // LastShares (4.2) and LastQty (4.4) are both tag 32.
            price = positive(f, '31', 'LastPx');
            qty = positive(f, '32', 'LastQty');
            if (o) o.filled += qty;
            action = 'fill';
            break;
          }
          default:
            throw new RecordError('35', `unexpected MsgType '${String(type)}'`);
        }
        if (symbols && !symbols.has(symbol)) continue;
        out.push({ type: 'order', tsMs, symbol, orderId, account, side, action, price, qty });
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

/** FIX 4.2/4.4 tag=value logs. */
export const fixFormat: InputFormat = {
  name: 'fix',
  description: 'FIX 4.2/4.4 tag=value logs (SOH or | delimited): D new, F cancel, G modify, 8 fills',
  detect(sniff: Sniff): boolean {
    const first = sniff.head.find((l) => l.trim() !== '');
    if (first === undefined) return false;
    const at = first.indexOf('8=FIX.4.');
    return at >= 0 && (first.includes('\x0135=', at) || first.includes('|35=', at));
  },
  open: readFix,
};
