import { createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { CANONICAL_HEADER } from '../src/ingest/canonical/write.js';

/**
 * Deterministic benchmark data: canonical CSV files written once into the cache folder and reused.
 * The same parameters always give the same bytes (a fixed-seed PRNG), so runs are comparable.
 */

/** xorshift32: tiny, fast, deterministic; statistical quality is irrelevant for load generation. */
class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s / 4294967296;
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

export interface TradesSpec {
  readonly kind: 'trades';
  readonly events: number;
  readonly symbols: number;
  readonly accounts: number;
  /**
   * Event-time spacing. Absent: the file spans one 6.5 h session whatever its length (denser when
   * longer). Set: a fixed rate, so a longer file is a longer stream of the same density.
   */
  readonly msPerEvent?: number | undefined;
}

export interface MixedSpec {
  readonly kind: 'mixed';
  readonly events: number;
  readonly symbols: number;
  readonly accounts: number;
  /** Share of order events (the rest are trades). */
  readonly orderShare: number;
}

export type DataSpec = TradesSpec | MixedSpec;

/** 2026-03-02 14:30:00 UTC (09:30 New York): the file covers one regular session. */
const START_MS = Date.UTC(2026, 2, 2, 14, 30);
const SESSION_MS = 6.5 * 3600 * 1000;

/** The cache file name of a spec (its parameters, so a change never reuses stale data). */
export function fileNameOf(spec: DataSpec): string {
  const rate = spec.kind === 'trades' && spec.msPerEvent !== undefined ? `-r${spec.msPerEvent}` : '';
  const base = `${spec.kind}-e${spec.events}-s${spec.symbols}-a${spec.accounts}${rate}`;
  return spec.kind === 'mixed' ? `${base}-o${Math.round(spec.orderShare * 100)}.csv` : `${base}.csv`;
}

/** Returns the path of the spec's file in `dir`, generating it first when absent. */
export async function ensureData(dir: string, spec: DataSpec, log: (s: string) => void): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, fileNameOf(spec));
  if (existsSync(path)) return path;
  log(`generating ${path} ...`);
  const tmp = `${path}.partial`;
  await writeLines(tmp, spec.kind === 'trades' ? tradeLines(spec) : mixedLines(spec));
  renameSync(tmp, path);
  return path;
}

async function writeLines(path: string, lines: Iterable<string>): Promise<void> {
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  let buf = '';
  for (const line of lines) {
    buf += line;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
      buf = '';
    }
  }
  out.write(buf);
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

function symbolNames(n: number): string[] {
  const names: string[] = [];
  for (let i = 0; i < n; i++) names.push(`S${i.toString(36).toUpperCase().padStart(4, '0')}`);
  return names;
}

/** Prices as cents, printed with two decimals (the common tape shape). */
function priceText(cents: number): string {
  const c = Math.max(1, Math.round(cents));
  const whole = Math.floor(c / 100);
  const frac = c % 100;
  return `${whole}.${frac < 10 ? '0' : ''}${frac}`;
}

/** Symbol popularity is skewed (a few names carry most trades), like a real tape. */
function pickSymbol(rng: Rng, n: number): number {
  const u = rng.next();
  return Math.min(n - 1, Math.floor(n * u * u));
}

function* tradeLines(spec: TradesSpec): Generator<string> {
  const rng = new Rng(0x5eed0001 ^ spec.symbols ^ (spec.accounts << 8));
  const names = symbolNames(spec.symbols);
  const px = new Float64Array(spec.symbols);
  for (let s = 0; s < spec.symbols; s++) px[s] = 1000 + rng.int(50_000);
  yield 'ts,symbol,price,qty,buyer,seller,trade_id,side\n';
  const step = spec.msPerEvent ?? SESSION_MS / spec.events;
  for (let i = 0; i < spec.events; i++) {
    const ts = START_MS + Math.floor(i * step);
    const s = pickSymbol(rng, spec.symbols);
    px[s] = Math.max(100, px[s]! + (rng.next() - 0.5) * 10);
    const buyer = rng.int(spec.accounts);
    let seller = rng.int(spec.accounts);
    if (seller === buyer) seller = (seller + 1) % spec.accounts;
    const qty = 1 + rng.int(rng.next() < 0.9 ? 300 : 5000);
    yield `${ts},${names[s]},${priceText(px[s])},${qty},A${buyer},A${seller},T${i},${rng.next() < 0.5 ? 'buy' : 'sell'}\n`;
  }
}

interface LiveOrder {
  id: number;
  account: number;
  side: 'buy' | 'sell';
  priceCents: number;
  remaining: number;
}

/**
 * Trades and order events with a valid lifecycle (every cancel/modify/fill follows its `new`, no
 * order is touched after it is gone), so the sequencer accepts all of them.
 */
function* mixedLines(spec: MixedSpec): Generator<string> {
  const rng = new Rng(0x5eed0002 ^ spec.symbols ^ (spec.accounts << 8));
  const names = symbolNames(spec.symbols);
  const px = new Float64Array(spec.symbols);
  for (let s = 0; s < spec.symbols; s++) px[s] = 1000 + rng.int(50_000);
  const live: LiveOrder[][] = Array.from({ length: spec.symbols }, () => []);
  let nextOrder = 1;
  let tradeNo = 1;
  yield `${CANONICAL_HEADER}\n`;
  for (let i = 0; i < spec.events; i++) {
    const ts = START_MS + Math.floor((i * SESSION_MS) / spec.events);
    const s = pickSymbol(rng, spec.symbols);
    const sym = names[s]!;
    if (rng.next() >= spec.orderShare) {
      px[s] = Math.max(100, px[s]! + (rng.next() - 0.5) * 10);
      const buyer = rng.int(spec.accounts);
      let seller = rng.int(spec.accounts);
      if (seller === buyer) seller = (seller + 1) % spec.accounts;
      const qty = 1 + rng.int(300);
      yield `trade,${ts},${sym},${priceText(px[s])},${qty},A${buyer},A${seller},T${tradeNo++},,,${rng.next() < 0.5 ? 'buy' : 'sell'},\n`;
      continue;
    }
    const book = live[s]!;
    // Keep a few dozen resting orders per symbol: memory stays bounded by the book, not the file.
    if (book.length < 8 || (book.length < 64 && rng.next() < 0.4)) {
      const side = rng.next() < 0.5 ? 'buy' : 'sell';
      const offset = (1 + rng.int(20)) * (side === 'buy' ? -1 : 1);
      const o: LiveOrder = {
        id: nextOrder++,
        account: rng.int(spec.accounts),
        side,
        priceCents: px[s]! + offset,
        remaining: 1 + rng.int(500),
      };
      book.push(o);
      yield `order,${ts},${sym},${priceText(o.priceCents)},${o.remaining},,,,O${o.id},A${o.account},${side},new\n`;
      continue;
    }
    const at = rng.int(book.length);
    const o = book[at]!;
    const r = rng.next();
    if (r < 0.6) {
      book[at] = book[book.length - 1]!;
      book.pop();
      yield `order,${ts},${sym},${priceText(o.priceCents)},${o.remaining},,,,O${o.id},A${o.account},${o.side},cancel\n`;
    } else if (r < 0.8) {
      o.priceCents += o.side === 'buy' ? -1 : 1;
      o.remaining = 1 + rng.int(500);
      yield `order,${ts},${sym},${priceText(o.priceCents)},${o.remaining},,,,O${o.id},A${o.account},${o.side},modify\n`;
    } else {
      const qty = Math.min(o.remaining, 1 + rng.int(o.remaining));
      o.remaining -= qty;
      if (o.remaining <= 0) {
        book[at] = book[book.length - 1]!;
        book.pop();
      }
      yield `order,${ts},${sym},${priceText(o.priceCents)},${qty},,,,O${o.id},A${o.account},${o.side},fill\n`;
    }
  }
}
