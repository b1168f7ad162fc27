import { isAscii } from 'node:buffer';
import type { MarketEvent, OrderAction, Side } from '../../domain/events.js';
import { standalone } from '../fields.js';

/**
 * The fast path of the canonical CSV reader. It reads the common, clean row (no quotes, no padding,
 * epoch-ms timestamps, plain decimals, upper-case symbols) with character scans instead of
 * split/trim/regex, and interns symbols and accounts so repeated ids share one string. Any row it
 * is not certain about it declines (returns undefined), and the reference parser (`eventFromRow`)
 * reads it instead, so accepted values, rejects and their reasons stay exactly as before.
 *
 * The scans read the text's characters from a `Uint16Array` of their codes (`Codes`), not with
 * `charCodeAt`: optimised code checks a string's representation at every `charCodeAt`, a typed
 * array load is a bounds check and a load (a comma count over the live feed's text: ≈ 3× faster).
 * The reader fills the codes of a whole chunk at once, from its bytes when they are ASCII.
 */

/** The character codes of a text, index for index (`codesOf`); may be longer than the text. */
export type Codes = Uint16Array;

/**
 * `text`'s character codes, in `into` when it is large enough (else a new array). `bytes`, when
 * given, are the UTF-8 bytes `text` was decoded from: ASCII bytes are the codes, copied in one call.
 */
export function codesOf(text: string, into?: Codes, bytes?: Uint8Array): Codes {
  const codes = into && into.length >= text.length ? into : new Uint16Array(Math.max(text.length, 1024));
  if (bytes && isAscii(bytes)) codes.set(bytes);
  else for (let k = 0; k < text.length; k++) codes[k] = text.charCodeAt(k);
  return codes;
}

/** Column positions of the canonical names in the file (undefined = column absent). */
export interface FastLayout {
  readonly kind: 'trade' | 'order' | 'mixed';
  readonly index: Readonly<Record<string, number>>;
}

const SIDES: ReadonlyMap<string, Side> = new Map<string, Side>([
  ['buy', 'buy'],
  ['b', 'buy'],
  ['bid', 'buy'],
  ['BUY', 'buy'],
  ['B', 'buy'],
  ['Buy', 'buy'],
  ['sell', 'sell'],
  ['s', 'sell'],
  ['ask', 'sell'],
  ['a', 'sell'],
  ['SELL', 'sell'],
  ['S', 'sell'],
  ['Sell', 'sell'],
]);

/** Interned strings are a cache, not state: past this many distinct values the table starts over. */
const INTERN_LIMIT = 200_000;

/** Powers of ten that are exact doubles (10^0 … 10^22). */
const POW10: readonly number[] = Array.from({ length: 23 }, (_, i) => 10 ** i);

const NOT_FOUND = -1;

/** Longest string whose codes the interner keeps for its `last` check. */
const LAST_MAX = 64;

/**
 * Interns substrings of a line without slicing them first: a repeated id is found by hashing its
 * characters in place, so only a new id allocates a string. Open addressing, cleared when full.
 */
export class Interner {
  private strings: (string | undefined)[];
  private hashes: Int32Array;
  private mask: number;
  private count = 0;
  /**
   * The string returned last, compared before hashing: rows come in runs of one symbol (91% of the
   * live feed's rows repeat the previous row's symbol) and of one account (57%). Compared by its
   * codes, kept in `lastCodes`: a string's `charCodeAt` in optimised code checks its representation
   * at every character, a typed array load does not.
   */
  private last: string | undefined;
  private readonly lastCodes = new Uint16Array(LAST_MAX);

  constructor(private readonly limit = INTERN_LIMIT) {
    this.strings = new Array<string | undefined>(1024).fill(undefined);
    this.hashes = new Int32Array(1024);
    this.mask = 1023;
  }

  /** The interned string equal to `text.slice(start, end)`; `codes` are `text`'s character codes. */
  get(text: string, codes: Codes, start: number, end: number): string {
    const len = end - start;
    const last = this.last;
    if (last !== undefined && last.length === len && sameCodes(this.lastCodes, codes, start, len)) return last;
    let h = 0x811c9dc5 | 0;
    for (let k = start; k < end; k++) h = Math.imul(h ^ codes[k]!, 0x01000193);
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const cand = this.strings[i];
      if (cand === undefined) {
        const v = standalone(text.slice(start, end));
        this.insert(i, h, v);
        return this.remember(v, codes, start);
      }
      if (this.hashes[i] === h && cand.length === len && sameChars(cand, codes, start)) return this.remember(cand, codes, start);
    }
  }

  /** Makes `s`, whose codes are at `codes[start]`, the `last` string. */
  private remember(s: string, codes: Codes, start: number): string {
    if (s.length > LAST_MAX) {
      this.last = undefined;
      return s;
    }
    for (let k = 0; k < s.length; k++) this.lastCodes[k] = codes[start + k]!;
    return (this.last = s);
  }

  private insert(at: number, h: number, v: string): void {
    if (this.count >= this.limit) {
      this.reset(1024);
      this.get(v, codesOf(v), 0, v.length);
      return;
    }
    this.strings[at] = v;
    this.hashes[at] = h;
    this.count++;
    // Keep the table at most half full so probes stay short.
    if (this.count * 2 > this.mask + 1) this.rehash((this.mask + 1) * 2);
  }

  private reset(size: number): void {
    this.strings = new Array<string | undefined>(size).fill(undefined);
    this.hashes = new Int32Array(size);
    this.mask = size - 1;
    this.count = 0;
  }

  private rehash(size: number): void {
    const old = this.strings;
    const oldHashes = this.hashes;
    this.reset(size);
    for (let i = 0; i < old.length; i++) {
      const v = old[i];
      if (v === undefined) continue;
      const h = oldHashes[i]!;
      let j = h & this.mask;
      while (this.strings[j] !== undefined) j = (j + 1) & this.mask;
      this.strings[j] = v;
      this.hashes[j] = h;
      this.count++;
    }
  }
}

/** True when the characters from `start` are `a`'s. */
function sameChars(a: string, codes: Codes, start: number): boolean {
  for (let k = 0; k < a.length; k++) if (a.charCodeAt(k) !== codes[start + k]) return false;
  return true;
}

/** True when `codes[start, start + n)` are `a[0, n)`. */
function sameCodes(a: Codes, codes: Codes, start: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (a[k] !== codes[start + k]) return false;
  return true;
}

/** The codes of a word the parser looks for, compared load for load (`isWord`), not by `charCodeAt`. */
function word(text: string): Codes {
  return Uint16Array.from(text, (c) => c.charCodeAt(0));
}

const TRADE = word('trade');
const ORDER = word('order');
const BUY = word('buy');
const SELL = word('sell');
const NEW = word('new');
const FILL = word('fill');
const CANCEL = word('cancel');
const MODIFY = word('modify');

/** True when the characters `[start, end)` are exactly `word`'s. */
function isWord(codes: Codes, start: number, end: number, word: Codes): boolean {
  return end - start === word.length && sameCodes(word, codes, start, word.length);
}
const DECLINE = -2;

/** Parses clean canonical CSV rows; see the module comment for what it declines. */
export class FastRowParser {
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly width: number;
  private readonly iTs: number;
  private readonly iSymbol: number;
  private readonly iPrice: number;
  private readonly iQty: number;
  private readonly iType: number;
  private readonly iBuyer: number;
  private readonly iSeller: number;
  private readonly iTradeId: number;
  private readonly iSide: number;
  private readonly iOrderId: number;
  private readonly iAccount: number;
  private readonly iAction: number;
  private readonly symbols = new Interner();
  private readonly accounts = new Interner();
  /** Number parsed by the last `decimal`/`epochMs` call (avoids a result object per field). */
  private num = 0;
  /** `parseLine`'s codes of its line (reused). */
  private lineCodes: Codes | undefined;

  constructor(
    private readonly layout: FastLayout,
    /** The file's base name: trade ids default to `name:line`, as in the reference parser. */
    private readonly fileName: string,
  ) {
    const at = (c: string): number => layout.index[c] ?? NOT_FOUND;
    this.iTs = at('ts');
    this.iSymbol = at('symbol');
    this.iPrice = at('price');
    this.iQty = at('qty');
    this.iType = at('type');
    this.iBuyer = at('buyer');
    this.iSeller = at('seller');
    this.iTradeId = at('trade_id');
    this.iSide = at('side');
    this.iOrderId = at('order_id');
    this.iAccount = at('account');
    this.iAction = at('action');
    this.width = Math.max(...Object.values(layout.index)) + 1;
    this.starts = new Int32Array(this.width);
    this.ends = new Int32Array(this.width);
  }

  /** The event of a clean row, or undefined when the reference parser must read it. */
  parseLine(line: string, lineNo: number): MarketEvent | undefined {
    this.lineCodes = codesOf(line, this.lineCodes);
    return this.parse(line, this.lineCodes, 0, line.length, lineNo);
  }

  /**
   * Like parseLine, for the line `text[start, end)` (without its line ending) of a larger text;
   * `codes` are the text's character codes (`codesOf`).
   */
  parse(line: string, codes: Codes, start: number, end: number, lineNo: number): MarketEvent | undefined {
    if (!this.cells(line, codes, start, end)) return undefined;
    let kind = this.layout.kind;
    if (kind === 'mixed') {
      const s = this.starts[this.iType]!;
      const e = this.ends[this.iType]!;
      if (isWord(codes, s, e, TRADE)) kind = 'trade';
      else if (isWord(codes, s, e, ORDER)) kind = 'order';
      else return undefined;
    }
    if (!this.epochMs(codes, this.iTs)) return undefined;
    const tsMs = this.num;
    const symbol = this.symbol(line, codes);
    if (symbol === undefined) return undefined;
    if (!this.positive(codes, this.iPrice)) return undefined;
    const price = this.num;
    if (!this.positive(codes, this.iQty)) return undefined;
    const qty = this.num;
    if (kind === 'trade') {
      const buyer = this.account(line, codes, this.iBuyer);
      const seller = this.account(line, codes, this.iSeller);
      const tradeId = this.text(line, codes, this.iTradeId);
      if (buyer === undefined || seller === undefined || tradeId === undefined) return undefined;
      let side: Side | undefined;
      if (this.iSide !== NOT_FOUND && this.ends[this.iSide]! > this.starts[this.iSide]!) {
        side = this.side(line, codes, this.iSide);
        if (side === undefined) return undefined;
      }
      return {
        type: 'trade',
        tsMs,
        symbol,
        price,
        qty,
        buyer,
        seller,
        tradeId: tradeId || `${this.fileName}:${lineNo}`,
        side,
      };
    }
    const action = this.action(codes);
    const orderId = this.text(line, codes, this.iOrderId);
    const account = this.account(line, codes, this.iAccount);
    const side = this.side(line, codes, this.iSide);
    if (action === undefined || !orderId || account === undefined || side === undefined) return undefined;
    return { type: 'order', tsMs, symbol, orderId, account, side, action, price, qty };
  }

  /** Position of the next double quote at or after the current line, per text (-1: none). */
  private quoteText: string | undefined;
  private quoteAt = -1;
  private quoteFrom = 0;

  /** Finds the cell boundaries; false when the line has quotes or too few cells. */
  private cells(line: string, codes: Codes, start: number, end: number): boolean {
    // One forward search per text, not per line: lines are parsed in order.
    if (this.quoteText !== line || start < this.quoteFrom || (this.quoteAt >= 0 && this.quoteAt < start)) {
      this.quoteText = line;
      this.quoteAt = line.indexOf('"', start);
    }
    this.quoteFrom = start;
    if (this.quoteAt >= 0 && this.quoteAt < end) return false;
    // A character loop, not indexOf per cell: a builtin call per cell cost more than the few
    // characters it skipped (cells are short, and order rows of mixed files leave many empty).
    const starts = this.starts;
    const ends = this.ends;
    const last = this.width - 1;
    let c = 0;
    starts[0] = start;
    for (let k = start; k < end; k++) {
      if (codes[k] !== 44) continue;
      ends[c] = k;
      if (c === last) return true; // more cells than the header: the rest is ignored
      starts[++c] = k + 1;
    }
    ends[c] = end;
    // Fewer cells than the header: the reference parser decides what is missing.
    return c === last;
  }

  /**
   * A cell's text: '' when empty or the column is absent; undefined (decline) when it has leading
   * or trailing whitespace, which the reference parser trims.
   */
  private text(line: string, codes: Codes, i: number): string | undefined {
    if (i === NOT_FOUND) return '';
    const s = this.starts[i]!;
    const e = this.ends[i]!;
    if (e === s) return '';
    if (codes[s]! <= 32 || codes[e - 1]! <= 32) return undefined;
    return standalone(line.slice(s, e));
  }

  private account(line: string, codes: Codes, i: number): string | undefined {
    if (i === NOT_FOUND) return '';
    const s = this.starts[i]!;
    const e = this.ends[i]!;
    if (e === s) return '';
    if (codes[s]! <= 32 || codes[e - 1]! <= 32) return undefined;
    return this.accounts.get(line, codes, s, e);
  }

  /** Printable ASCII without lower case (so upper-casing is the identity) and without spaces. */
  private symbol(line: string, codes: Codes): string | undefined {
    const s = this.starts[this.iSymbol]!;
    const e = this.ends[this.iSymbol]!;
    if (e === s) return undefined;
    for (let k = s; k < e; k++) {
      const c = codes[k]!;
      if (c <= 32 || c >= 127 || (c >= 97 && c <= 122)) return undefined;
    }
    return this.symbols.get(line, codes, s, e);
  }

  /** The side in a cell: the common spellings compared in place, the rest through the table. */
  private side(line: string, codes: Codes, i: number): Side | undefined {
    if (i === NOT_FOUND) return undefined;
    const s = this.starts[i]!;
    const e = this.ends[i]!;
    if (isWord(codes, s, e, BUY)) return 'buy';
    if (isWord(codes, s, e, SELL)) return 'sell';
    return SIDES.get(line.slice(s, e));
  }

  private action(codes: Codes): OrderAction | undefined {
    if (this.iAction === NOT_FOUND) return undefined;
    const s = this.starts[this.iAction]!;
    const e = this.ends[this.iAction]!;
    switch (e - s) {
      case 3:
        return isWord(codes, s, e, NEW) ? 'new' : undefined;
      case 4:
        return isWord(codes, s, e, FILL) ? 'fill' : undefined;
      case 6:
        return isWord(codes, s, e, CANCEL) ? 'cancel' : isWord(codes, s, e, MODIFY) ? 'modify' : undefined;
      default:
        return undefined;
    }
  }

  /** Integer epoch milliseconds of up to 14 digits (longer ones are µs/ns: left to the reference). */
  private epochMs(codes: Codes, i: number): boolean {
    const s = this.starts[i]!;
    const e = this.ends[i]!;
    if (e === s || e - s > 14) return false;
    let n = 0;
    for (let k = s; k < e; k++) {
      const d = codes[k]! - 48;
      if (d < 0 || d > 9) return false;
      n = n * 10 + d;
    }
    this.num = n;
    return true;
  }

  /**
   * A plain positive decimal (`123`, `1.5`, `.5`, `5.`) of at most 15 significant digits. The
   * mantissa and the power of ten are exact doubles and IEEE division rounds correctly, so the
   * result is the same double as Number(text).
   */
  private positive(codes: Codes, i: number): boolean {
    const r = this.decimal(codes, this.starts[i]!, this.ends[i]!);
    return r !== DECLINE && this.num > 0;
  }

  private decimal(codes: Codes, s: number, e: number): number {
    let m = 0;
    let digits = 0;
    let frac = -1;
    for (let k = s; k < e; k++) {
      const c = codes[k]!;
      if (c === 46) {
        if (frac >= 0) return DECLINE;
        frac = 0;
        continue;
      }
      const d = c - 48;
      if (d < 0 || d > 9) return DECLINE;
      m = m * 10 + d;
      digits++;
      if (frac >= 0) frac++;
    }
    if (digits === 0 || digits > 15) return DECLINE;
    this.num = frac > 0 ? m / POW10[frac]! : m;
    return 0;
  }
}
