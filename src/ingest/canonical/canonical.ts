import { textOf, type MarketEvent, type OrderAction, type Side } from '../../domain/events.js';
import { InputError } from '../../domain/errors.js';
import { isLiveInput, readLines, readTextChunks, splitCsvLine } from '../lines.js';
import type { EventBatch, EventSource, InputFormat, OpenOptions, Sniff } from '../source.js';
import { parseDecimal, parseTimestamp, standalone } from '../fields.js';
import { codesOf, FastRowParser, type Codes } from './fast-row.js';

/**
 * The canonical formats (README "Input formats"): CSV with a header, or NDJSON, holding trades
 * (`ts,symbol,price,qty,buyer,seller,trade_id,side`), orders (`ts,symbol,order_id,account,side,
 * action,price,qty`), or both with a `type` column. Other headers are mapped with `--map`.
 */

const TRADE_COLUMNS = ['ts', 'symbol', 'price', 'qty', 'buyer', 'seller', 'trade_id', 'side'] as const;
const ORDER_COLUMNS = ['ts', 'symbol', 'order_id', 'account', 'side', 'action', 'price', 'qty'] as const;
const ALL_COLUMNS = new Set<string>(['type', ...TRADE_COLUMNS, ...ORDER_COLUMNS]);

type Kind = 'trade' | 'order' | 'mixed';

/** Column positions for the canonical names, after applying the user's map. */
interface Layout {
  readonly kind: Kind;
  readonly index: Readonly<Record<string, number>>;
}

/**
 * Most events handed on at once from a live input. Small enough that a batch is detected in a few
 * ms (≈ 16 µs an event with all detectors), large enough that the per-batch cost (async hand-offs,
 * the engine's flush) stays negligible; a batch is never held back to fill up.
 */
export const LIVE_BATCH_EVENTS = 256;

/**
 * Most events handed on at once in a replay (a chunk of text, ≤ 64 KiB, is ≈ 1–2k events). A
 * whole 1 MiB read (≈ 20k events) as one batch stayed alive until detection was done with it, so
 * every young collection meanwhile copied it and V8 began allocating events straight in the old
 * generation (pretenuring), where only full collections free them. A few thousand events keep what
 * a scavenge finds alive small; the per-batch cost (async hand-offs, the engine's flush) stays
 * negligible.
 */
export const REPLAY_BATCH_EVENTS = 4096;

const ACTIONS: ReadonlySet<string> = new Set(['new', 'modify', 'cancel', 'fill']);

/** Resolves a header line into a layout, or explains why it cannot. */
export function layoutFromHeader(header: readonly string[], columnMap: Readonly<Record<string, string>> = {}): Layout | string {
  const names = header.map((h) => h.trim().toLowerCase());
  const index: Record<string, number> = {};
  for (const canonical of ALL_COLUMNS) {
    const wanted = (columnMap[canonical] ?? canonical).toLowerCase();
    const at = names.indexOf(wanted);
    if (at >= 0) index[canonical] = at;
  }
  for (const c of Object.keys(columnMap)) {
    if (!ALL_COLUMNS.has(c)) return `--map names unknown column '${c}' (known: ${[...ALL_COLUMNS].join(', ')})`;
  }
  const has = (c: string): boolean => index[c] !== undefined;
  const kind: Kind = has('type') ? 'mixed' : has('action') || has('order_id') ? 'order' : 'trade';
  const required =
    kind === 'trade'
      ? ['ts', 'symbol', 'price', 'qty']
      : kind === 'order'
        ? ['ts', 'symbol', 'order_id', 'side', 'action', 'price', 'qty']
        : ['ts', 'type', 'symbol', 'price', 'qty'];
  const missing = required.filter((c) => !has(c));
  if (missing.length > 0) {
    return `header lacks column(s) ${missing.map((c) => `'${columnMap[c] ?? c}'`).join(', ')}; found: ${header.join(',')} (rename with --map ${missing[0]}=YOUR_NAME)`;
  }
  return { kind, index };
}

class RowError extends Error {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(reason);
  }
}

type Getter = (column: string) => string | undefined;

function required(get: Getter, column: string): string {
  const v = get(column);
  if (v === undefined || v.trim() === '') throw new RowError(column, `missing ${column}`);
  return v.trim();
}

function positive(get: Getter, column: string): number {
  const raw = required(get, column);
  const n = parseDecimal(raw);
  if (n === undefined) throw new RowError(column, `bad number '${raw}'`);
  if (n <= 0) throw new RowError(column, `${column} must be positive, got ${raw}`);
  return n;
}

function side(raw: string | undefined, field: string, optional: boolean): Side | undefined {
  const s = (raw ?? '').trim().toLowerCase();
  if (s === '') {
    if (optional) return undefined;
    throw new RowError(field, `missing ${field}`);
  }
  if (s === 'buy' || s === 'b' || s === 'bid') return 'buy';
  if (s === 'sell' || s === 's' || s === 'ask' || s === 'a') return 'sell';
  throw new RowError(field, `unknown side '${raw}' (buy|sell)`);
}

/** Builds one event from a row accessor; throws RowError naming the field. */
export function eventFromRow(get: Getter, kind: Kind, fallbackId: string): MarketEvent {
  const rowKind = kind === 'mixed' ? required(get, 'type').toLowerCase() : kind;
  if (rowKind !== 'trade' && rowKind !== 'order') {
    throw new RowError('type', `unknown type '${get('type')}' (trade|order)`);
  }
  const tsRaw = required(get, 'ts');
  const tsMs = parseTimestamp(tsRaw);
  if (tsMs === undefined) throw new RowError('ts', `bad timestamp '${tsRaw}' (ISO-8601 UTC or epoch ms)`);
  const symbol = standalone(required(get, 'symbol').toUpperCase());
  const price = positive(get, 'price');
  const qty = positive(get, 'qty');
  if (rowKind === 'trade') {
    return {
      type: 'trade',
      tsMs,
      symbol,
      price,
      qty,
      buyer: standalone((get('buyer') ?? '').trim()),
      seller: standalone((get('seller') ?? '').trim()),
      tradeId: standalone((get('trade_id') ?? '').trim()) || fallbackId,
      side: side(get('side'), 'side', true),
    };
  }
  const action = required(get, 'action').toLowerCase();
  if (!ACTIONS.has(action)) throw new RowError('action', `unknown action '${get('action')}' (new|modify|cancel|fill)`);
  return {
    type: 'order',
    tsMs,
    symbol,
    orderId: standalone(required(get, 'order_id')),
    account: standalone((get('account') ?? '').trim()),
    side: side(get('side'), 'side', false)!,
    action: action as OrderAction,
    price,
    qty,
  };
}

async function* readCanonical(options: OpenOptions): EventSource {
  const { path, rejects, columnMap = {}, symbols } = options;
  let layout: Layout | undefined;
  let fast: FastRowParser | undefined;
  let ndjson: boolean | undefined;
  const file = path === '-' ? 'stdin' : path;
  const name = baseName(file);

  /** The reference reading of one line: header, NDJSON, or a row the fast path declined. */
  function slow(line: string, lineNo: number): MarketEvent | undefined {
    if (line.trim() === '') return undefined;
    if (ndjson === undefined) ndjson = line.trimStart().startsWith('{');
    try {
      if (ndjson) return eventFromJson(line, columnMap, `${name}:${lineNo}`);
      if (layout === undefined) {
        const l = layoutFromHeader(splitCsvLine(line), columnMap);
        if (typeof l === 'string') {
          rejects.reject({ file, line: lineNo, field: 'header', reason: l, raw: line });
          // Without a header no row can be read: the file as a whole is unusable.
          throw new InputError(`${file}:${lineNo}: field header: ${l}`, file, lineNo, 'header');
        }
        layout = l;
        fast = new FastRowParser(l, name);
        return undefined;
      }
      const cells = splitCsvLine(line);
      const idx = layout.index;
      return eventFromRow(
        (c) => {
          const at = idx[c];
          return at === undefined ? undefined : cells[at];
        },
        layout.kind,
        `${name}:${lineNo}`,
      );
    } catch (err) {
      if (err instanceof RowError) {
        rejects.reject({ file, line: lineNo, field: err.field, reason: err.message, raw: line });
        return undefined;
      }
      throw err;
    }
  }

  // Live inputs (stdin, a followed file) are handed on in batches of at most LIVE_BATCH_EVENTS, so
  // after a stall a whole read (up to 64 KiB from a pipe, 1 MiB from a file) is not detected
  // before the alerts of its first events are stored. Replay: REPLAY_BATCH_EVENTS (GC).
  const maxBatch = isLiveInput(path, options.follow) ? LIVE_BATCH_EVENTS : REPLAY_BATCH_EVENTS;
  const batch = new BatchBuilder(file, maxBatch);

  if (options.follow) {
    // Following a growing file: line arrays (not the hot path).
    for await (const chunk of readLines(path, options)) {
      for (let i = 0; i < chunk.lines.length; i++) {
        const line = chunk.lines[i]!;
        const lineNo = chunk.firstLine + i;
        const event = fast?.parseLine(line, lineNo) ?? slow(line, lineNo);
        if (event === undefined || (symbols && !symbols.has(event.symbol))) continue;
        if (batch.count === 0) batch.start(chunk.lines.length - i);
        if (batch.add(event, lineNo)) yield batch.take();
      }
      if (batch.count > 0) yield batch.take();
    }
    return;
  }
  // Replay and stdin: lines are walked in place in each chunk of text; clean rows never become a
  // string of their own, and anything the fast path is unsure of goes to the reference parser.
  let lineNo = 1;
  /** The character codes of the chunk's text, for the fast path (reused from chunk to chunk). */
  let codes: Codes | undefined;
  for await (const chunk of readTextChunks(path, options.signal ? { signal: options.signal } : {})) {
    const text = chunk.text;
    codes = codesOf(text, codes, chunk.bytes);
    for (let pos = 0; pos < text.length; lineNo++) {
      const nl = text.indexOf('\n', pos);
      const next = nl < 0 ? text.length : nl;
      const end = next > pos && text.charCodeAt(next - 1) === 13 ? next - 1 : next;
      const event = fast?.parse(text, codes, pos, end, lineNo) ?? slow(text.slice(pos, end), lineNo);
      if (event !== undefined && (!symbols || symbols.has(event.symbol))) {
        if (batch.count === 0) batch.start(batch.expectedIn(text.length - pos));
        if (batch.add(event, lineNo)) yield batch.take();
      }
      pos = next + 1;
    }
    if (batch.count > 0) yield batch.take();
    batch.chunkRead(text.length);
  }
}

/**
 * Gathers a batch: its events and their line numbers. The arrays are made at the size the batch is
 * expected to reach, not grown by `push`: each growth copies to a new array of 1.5× + 16, so a
 * batch's two arrays allocated ≈ 3× their final size, ≈ 50 B an event (of the reader's ≈ 330).
 */
class BatchBuilder {
  count = 0;
  private events: MarketEvent[] = [];
  private lines: number[] = [];
  /** Characters of text read (whole chunks), and events gathered from them: the mean row length (`expectedIn`). */
  private chars = 0;
  private gathered = 0;

  constructor(
    private readonly file: string,
    private readonly max: number,
  ) {}

  /** A whole chunk of `chars` characters was read (its events gathered or in the open batch). */
  chunkRead(chars: number): void {
    this.chars += chars;
  }

  /** The events expected in `chars` more characters of text, at the mean so far (0 before a whole chunk is read). */
  expectedIn(chars: number): number {
    return this.chars === 0 ? 0 : Math.ceil((chars * this.gathered) / this.chars);
  }

  /** Begins a batch with room for `expected` events (capped at the batch size; a miss only grows it). */
  start(expected: number): void {
    const n = Math.min(expected, this.max);
    this.events = new Array<MarketEvent>(n);
    this.lines = new Array<number>(n);
  }

  /** Adds an event; true when the batch is full. */
  add(event: MarketEvent, line: number): boolean {
    this.events[this.count] = event;
    this.lines[this.count] = line;
    return ++this.count >= this.max;
  }

  /** The batch gathered (room left over is cut off), to hand on; the next `add` needs a `start`. */
  take(): EventBatch {
    const events = this.events;
    const lines = this.lines;
    events.length = lines.length = this.count;
    this.gathered += this.count;
    this.count = 0;
    this.events = [];
    this.lines = [];
    return { file: this.file, events, lines };
  }
}

function eventFromJson(line: string, columnMap: Readonly<Record<string, string>>, fallbackId: string): MarketEvent {
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch (err) {
    throw new RowError('json', `invalid JSON: ${(err as Error).message}`);
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new RowError('json', 'not a JSON object');
  const rec = obj as Record<string, unknown>;
  const get: Getter = (c) => {
    const v = rec[columnMap[c] ?? c];
    if (v === undefined || v === null) return undefined;
    return textOf(v);
  };
  const kind: Kind = rec[columnMap['type'] ?? 'type'] !== undefined ? 'mixed' : get('action') !== undefined ? 'order' : 'trade';
  return eventFromRow(get, kind, fallbackId);
}

function baseName(p: string): string {
  const i = p.lastIndexOf('/');
  return i >= 0 ? p.slice(i + 1) : p;
}

/** Canonical CSV or NDJSON (the default format). */
export const canonicalFormat: InputFormat = {
  name: 'canonical',
  description: 'Canonical trades/orders as CSV with header or NDJSON (README "Input formats"); --map renames columns',
  detect(sniff: Sniff): boolean {
    const first = sniff.head.find((l) => l.trim() !== '');
    if (first === undefined) return false;
    if (first.trimStart().startsWith('{')) {
      try {
        const o = JSON.parse(first) as Record<string, unknown>;
        return 'ts' in o && 'symbol' in o && 'price' in o;
      } catch {
        return false;
      }
    }
    const cols = splitCsvLine(first).map((c) => c.trim().toLowerCase());
    return cols.includes('ts') && cols.includes('symbol') && cols.includes('price') && cols.includes('qty');
  },
  open: readCanonical,
};
