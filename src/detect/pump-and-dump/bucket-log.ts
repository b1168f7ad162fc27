import { stateClass } from '../../engine/snapshot.js';
import { grownCapacitySlowly } from '../window/arrays.js';
import { columnCapacity, grownFloat64, grownUint8 } from './columns.js';
import { Slab } from './slab.js';
import { SlotBlocks } from './slot-blocks.js';
import { compactField, compactKey, entryLength, fullBuyTrades, fullKey, seqOf } from './bucket-entry.js';
import { kthInPlace, maxBefore, medianOf, scratchOf } from '../window/select.js';

/**
 * Numbers per entry of a wide log (one that has met a bucket a narrow entry cannot hold, see
 * bucket-entry.ts): [sequence, volume, buy volume, buy trades].
 */
const WIDE = 4;
/** The fields an entry holds beside its sequence number (their offsets in a wide entry). */
export const VOLUME = 1;
export const BUY_VOLUME = 2;
export const BUY_TRADES = 3;
type Field = typeof VOLUME | typeof BUY_VOLUME | typeof BUY_TRADES;

/** Scratch (not state), reused by every log: positions and values of one field, and runs of window sums. */
let pos = new Float64Array(64);
let vals = new Float64Array(64);
let runValue = new Float64Array(64);
let runLength = new Float64Array(64);
let order = new Int32Array(64);
/** Outputs of gather and walkSums (scratch, like the arrays above). */
let gatheredPositive = true;
let walkZeros = 0;
/** Runs above which the median is selected among the sums rather than walked over sorted runs. */
const SORTED_RUNS = 32;

/**
 * pump_and_dump's closed buckets over the baseline horizon (`capacity` buckets, a day of minutes by
 * default) for every symbol slot (its id in pump_and_dump's `states`): volume, buyer-initiated volume and buyer-initiated
 * trades. Only the non-empty buckets are kept, each under its sequence number (buckets closed
 * before it, empty ones included), oldest first. This is the ring of every bucket the detector used
 * to keep — bucket `count − k` is the k-th newest, buckets older than `count − capacity` are gone —
 * without the empty ones: a symbol that trades every twenty minutes holds its few trades' buckets,
 * not a day of zeros, and a quiet spell costs one counter step instead of a write per bucket.
 *
 * The statistics read the ring as it was (empty buckets as +0) and give the very doubles the dense
 * ring gave: the per-bucket median is an order statistic (the empty buckets are the smallest
 * values, so it is 0 or the k-th smallest non-empty one), and the sliding window sums of the
 * thin-pair fallback change only where a non-empty bucket enters or leaves the window, so they are
 * walked as runs, with the same additions in the same order.
 *
 * A slot's entries are a block of a shared Slab (compacted in place, or moved to a block a quarter
 * larger when full: a log only grows through a session), so a symbol with a few buckets holds a few
 * numbers beyond them, with no object or array of its own.
 */
export class BucketLogs extends SlotBlocks {
  // A slot's block (SlotBlocks) holds an entry per non-empty bucket held, oldest first: narrow ones
  // (bucket-entry.ts; a sparse symbol's bucket in one number: a day of a symbol's non-empty buckets
  // was most of pump_and_dump's memory per symbol) or, in a wide log, WIDE numbers each.
  /** Buckets closed so far, empty ones included: the next bucket's sequence number. */
  private count = new Float64Array(0);
  /** Oldest bucket a pending computation still reads (see pin): kept even once the ring has overwritten it. −1 before the first pin. */
  private pinned = new Float64Array(0);
  /** 0 while every value closed so far was positive or +0 (what the baseline shortcuts assume; quantities are positive). */
  private irregular = new Uint8Array(0);
  /** 1 once the slot's log met a bucket a narrow entry cannot hold (then WIDE numbers per entry for good). */
  private wide = new Uint8Array(0);

  constructor(
    slab: Slab,
    readonly capacity: number,
  ) {
    super(slab);
  }

  /** Makes `slot` an empty log (a new symbol's). */
  override add(slot: number): void {
    if (slot >= this.off.length) {
      const n = columnCapacity(this.off.length, slot);
      this.count = grownFloat64(this.count, n);
      this.pinned = grownFloat64(this.pinned, n);
      this.irregular = grownUint8(this.irregular, n);
      this.wide = grownUint8(this.wide, n);
    }
    super.add(slot);
    this.pinned[slot] = -1;
    this.count[slot] = this.irregular[slot] = this.wide[slot] = 0;
  }

  /** Buckets the slot's ring holds (empty ones included): at most `capacity`. */
  filled(slot: number): number {
    return Math.min(this.count[slot]!, this.capacity);
  }

  /** Every value the slot closed so far was positive or +0. */
  regular(slot: number): boolean {
    return this.irregular[slot] === 0;
  }

  /** Closes `buckets` (≥ 1) buckets: the first with these totals, the others empty (a quiet spell). */
  close(slot: number, volume: number, buyVolume: number, buyTrades: number, buckets: number): void {
    if (!(Object.is(volume, 0) && Object.is(buyVolume, 0) && Object.is(buyTrades, 0))) {
      if (!(volume >= 0 && buyVolume >= 0 && buyTrades >= 0) || Object.is(volume, -0) || Object.is(buyTrades, -0)) this.irregular[slot] = 1;
      // A block of its own at the first non-empty bucket.
      const count = this.count[slot]!;
      let key = NaN;
      if (this.wide[slot] === 0 && this.irregular[slot] === 0) {
        key = compactKey(count, volume, buyVolume, buyTrades);
        if (Number.isNaN(key)) key = fullKey(count, buyTrades);
      }
      if (Number.isNaN(key) && this.wide[slot] === 0) this.widen(slot);
      const length = this.wide[slot] === 1 ? WIDE : entryLength(key);
      const end = this.makeRoom(slot, this.end[slot]!, length, grownCapacitySlowly);
      const off = this.off[slot]!;
      const e = this.slab.nums;
      if (length === WIDE) {
        e[off + end] = count;
        e[off + end + VOLUME] = volume;
        e[off + end + BUY_VOLUME] = buyVolume;
        e[off + end + BUY_TRADES] = buyTrades;
      } else {
        e[off + end] = key;
        if (length === 3) {
          e[off + end + 1] = volume;
          e[off + end + 2] = buyVolume;
        }
      }
      this.end[slot] = end + length;
    }
    this.count[slot] = this.count[slot]! + buckets;
    this.expire(slot);
  }

  /**
   * Turns the slot's entries into wide ones (a bucket a narrow entry cannot hold: a negative value,
   * millions of buy trades in one bucket, a non-integer count restored from elsewhere, or a sequence
   * past 2^31).
   */
  private widen(slot: number): void {
    const head = this.head[slot]!;
    const end = this.end[slot]!;
    const oldOff = this.off[slot]!;
    const oldCap = this.cap[slot]!;
    let held = 0;
    for (let i = head; i < end; i += entryLength(this.slab.nums[oldOff + i]!)) held++;
    let off = -1;
    let cap = 0;
    if (held > 0) {
      off = this.slab.alloc(WIDE * (held + 1));
      cap = Slab.capacity(WIDE * (held + 1));
      const e = this.slab.nums;
      for (let i = oldOff + head, j = off; i < oldOff + end; i += entryLength(e[i]!), j += WIDE) {
        e[j] = seqOf(e[i]!);
        for (const f of [VOLUME, BUY_VOLUME, BUY_TRADES] as const) e[j + f] = narrowField(e, i, f);
      }
    }
    if (oldCap > 0) this.slab.free(oldOff, oldCap);
    this.off[slot] = off;
    this.cap[slot] = cap;
    this.head[slot] = 0;
    this.end[slot] = WIDE * held;
    this.wide[slot] = 1;
  }

  /** The sequence number of the entry at absolute position `i` of the slab (in the slot's block). */
  private seqAt(slot: number, i: number): number {
    const e = this.slab.nums;
    return this.wide[slot] === 1 ? e[i]! : seqOf(e[i]!);
  }

  /** The numbers of the entry at absolute position `i`. */
  private lengthAt(slot: number, i: number): number {
    return this.wide[slot] === 1 ? WIDE : entryLength(this.slab.nums[i]!);
  }

  /** The field of the entry at absolute position `i`. */
  private fieldAt(slot: number, i: number, field: Field): number {
    const e = this.slab.nums;
    return this.wide[slot] === 1 ? e[i + field]! : narrowField(e, i, field);
  }

  /** Drops the slot's entries the ring has overwritten (older than `capacity` buckets). */
  private expire(slot: number): void {
    const oldest = this.count[slot]! - this.capacity;
    const pinned = this.pinned[slot]!;
    const first = pinned < 0 ? oldest : Math.min(oldest, pinned);
    const off = this.off[slot]!;
    const end = this.end[slot]!;
    let h = this.head[slot]!;
    while (h < end && this.seqAt(slot, off + h) < first) h += this.lengthAt(slot, off + h);
    if (h === end && h > 0) {
      // All gone (a symbol back after a long spell): nothing held, no block either.
      this.slab.free(off, this.cap[slot]!);
      this.off[slot] = -1;
      this.cap[slot] = 0;
      h = this.end[slot] = 0;
    }
    this.head[slot] = h;
  }

  /**
   * `start` plus the field over the slot's newest `k` closed buckets, newest first (the order the
   * detector read its window ring in; empty buckets add +0, which changes nothing, so they are skipped).
   */
  addNewest(slot: number, start: number, field: Field, k: number): number {
    const e = this.slab.nums;
    const from = this.count[slot]! - k;
    const wide = this.wide[slot] === 1;
    const off = this.off[slot]!;
    const head = off + this.head[slot]!;
    let v = start;
    for (let i = off + this.end[slot]!; i > head;) {
      // The previous entry's key: the number before `i` when it is one (negative), else three back.
      i = wide ? i - WIDE : e[i - 1]! < 0 ? i - 1 : i - 3;
      if (this.seqAt(slot, i) < from) break;
      v += this.fieldAt(slot, i, field);
    }
    return v;
  }

  /** Buckets the slot closed so far (the ring as of now is the one a computation `at` this count reads). */
  closed(slot: number): number {
    return this.count[slot]!;
  }

  /**
   * Keeps the slot's buckets of the ring as it was when `at` buckets had been closed (at ≤ count)
   * until the next pin: a baseline taken then may be computed later (`windowBaseline(…, at)`), once needed.
   */
  pin(slot: number, at: number): void {
    this.pinned[slot] = at - Math.min(at, this.capacity);
  }

  /**
   * Gathers the field's non-empty buckets of the slot's ring as of `at` closed buckets into
   * pos/vals (position in that ring, 0 = oldest; value). Returns how many; `gatheredPositive` tells
   * whether they were all positive (else the shortcuts do not hold).
   */
  private gather(slot: number, field: Field, at: number): number {
    const filled = Math.min(at, this.capacity);
    const first = at - filled;
    const off = this.off[slot]!;
    const end = off + this.end[slot]!;
    const head = off + this.head[slot]!;
    const held = end - head; // (at most)
    if (pos.length < held) {
      pos = new Float64Array(Math.max(held, 2 * pos.length));
      vals = new Float64Array(pos.length);
    }
    let m = 0;
    gatheredPositive = true;
    const e = this.slab.nums;
    const wide = this.wide[slot] === 1;
    for (let i = head, next = head; i < end; i = next) {
      const key = e[i]!;
      next = i + (wide ? WIDE : entryLength(key));
      const seq = wide ? key : seqOf(key);
      if (seq < first) continue; // overwritten by then (kept for an older pin)
      if (seq >= at) break; // closed since
      const v = wide ? e[i + field]! : narrowField(e, i, field);
      if (!(v > 0)) {
        if (v === 0 && 1 / v > 0) continue; // +0: an empty field
        gatheredPositive = false;
      }
      pos[m] = seq - first;
      vals[m] = v;
      m++;
    }
    return m;
  }

  /**
   * Whether windowBaseline(slot, field, windowBuckets, at) is > 0, without computing it: a median
   * of positive values and empty buckets is positive when the empty ones are fewer than half; else
   * the thin-pair fallback is positive when any sliding sum is (the median of them, or their mean,
   * then is). Exact: where a shortcut does not settle it (an even count with the empty buckets
   * exactly half, values that are not positive), the baseline is computed.
   */
  baselinePositive(slot: number, field: typeof VOLUME | typeof BUY_TRADES, windowBuckets: number, at: number): boolean {
    const filled = Math.min(at, this.capacity);
    const m = this.gather(slot, field, at);
    const zeros = filled - m;
    const hi = filled >> 1;
    if (gatheredPositive && filled > 0) {
      if (zeros < hi || (zeros === hi && filled % 2 === 1)) return true;
      if (zeros > hi) {
        // Per-bucket median 0: the sliding sums, as windowBaseline walks them, up to the first positive one.
        const n = filled - windowBuckets + 1;
        if (n <= 0) return false; // NaN
        if (walkSums(m, windowBuckets, n, true) === 0) return false;
        // A positive sum: the median or the mean of them is positive (unless subnormal: computed then).
        if (runValue[0]! >= 1e-300) return true;
      }
    }
    return this.windowBaseline(slot, field, windowBuckets, at) > 0;
  }

  /**
   * A pump window's typical level of the field (pump_and_dump.ts, windowBaseline) over the slot's
   * ring as of `at` closed buckets (by default now; an earlier count must be pinned): windowBuckets
   * × the median bucket over the ring; when that is 0 (a thin pair), the median of the sliding sums
   * of `windowBuckets` buckets, else their mean; NaN when the ring holds less than one window.
   */
  windowBaseline(slot: number, field: typeof VOLUME | typeof BUY_TRADES, windowBuckets: number, at = this.count[slot]!): number {
    const filled = Math.min(at, this.capacity);
    const m = this.gather(slot, field, at);
    // Trade quantities are positive, so buckets are never negative, −0 or NaN; were they, the
    // shortcuts below would not hold: run the dense computation instead.
    if (!gatheredPositive) return denseBaseline(filled, m, windowBuckets);
    const perBucket = medianWithZeros(filled - m, m);
    if (perBucket > 0) return perBucket * windowBuckets;
    const n = filled - windowBuckets + 1;
    if (n <= 0) return NaN;
    const runs = walkSums(m, windowBuckets, n, false);
    const median = medianOfRuns(walkZeros, runs, n);
    if (median > 0) return median;
    // The mean, summed in window order as the dense loop did (each run's sum added once per window).
    let total = 0;
    for (let r = 0; r < runs; r++) {
      const v = runValue[r]!;
      const len = runLength[r]!;
      // Integers below 2^53 add exactly, so one multiplication is the same double as len additions.
      if (Number.isInteger(v) && Number.isInteger(total) && total + v * len <= Number.MAX_SAFE_INTEGER) total += v * len;
      else for (let k = 0; k < len; k++) total += v;
    }
    return total / n;
  }
}

/**
 * The n sliding sums over the m gathered buckets as runs of positive sums in runValue/runLength
 * (window order; returns how many) and `walkZeros` zero ones; with `firstOnly`, stops at the first
 * positive run.
 */
function walkSums(m: number, windowBuckets: number, n: number, firstOnly: boolean): number {
  // Sliding sums, computed as the dense loop did (sum of the first window, then `+= entering −
  // leaving` per step, clamped at 0), but only at the steps where a non-empty bucket enters or
  // leaves: between them the sum does not change. Runs of equal sums, in window order.
  if (runValue.length < 2 * m + 1) {
    runValue = new Float64Array(Math.max(2 * m + 1, 2 * runValue.length));
    runLength = new Float64Array(runValue.length);
  }
  let sum = 0;
  let j = 0;
  while (j < m && pos[j]! < windowBuckets) sum += vals[j++]!;
  let enter = j;
  let leave = 0;
  let w = 0;
  let c = Math.max(0, sum);
  let runs = 0;
  let zeros = 0;
  for (;;) {
    const enterAt = enter < m ? pos[enter]! - windowBuckets + 1 : Infinity;
    const leaveAt = leave < m ? pos[leave]! + 1 : Infinity;
    const next = Math.min(enterAt, leaveAt, n);
    if (c > 0) {
      runValue[runs] = c;
      runLength[runs++] = next - w;
      if (firstOnly) break;
    } else zeros += next - w;
    if (next >= n) break;
    const a = enterAt === next ? vals[enter++]! : 0;
    const b = leaveAt === next ? vals[leave++]! : 0;
    sum += a - b;
    c = Math.max(0, sum);
    w = next;
  }
  walkZeros = zeros;
  return runs;
}

/** A field of the narrow entry whose key is at e[i]. */
function narrowField(e: Float64Array, i: number, field: Field): number {
  const key = e[i]!;
  if (entryLength(key) === 1) return compactField(key, field);
  return field === BUY_TRADES ? fullBuyTrades(key) : e[i + field]!;
}

/**
 * Median of `zeros` +0s and the m positive values in vals[0, m) (the same value a sort of them all
 * gives: the zeros are the smallest). NaN when there is none.
 */
function medianWithZeros(zeros: number, m: number): number {
  const n = zeros + m;
  if (n === 0) return NaN;
  const hi = n >> 1;
  if (hi < zeros) return 0; // (and the lower middle too, for even n)
  const a = scratchOf(m);
  for (let i = 0; i < m; i++) a[i] = vals[i]!;
  const upper = hi < zeros ? 0 : kthInPlace(a, m, hi - zeros);
  if (n % 2 === 1) return upper;
  const lower = hi - 1 < zeros ? 0 : maxBefore(a, hi - zeros);
  return (lower + upper) / 2;
}

/** Median of n window sums: `zeros` of +0 and the runs of positive ones (value, length). */
function medianOfRuns(zeros: number, runs: number, n: number): number {
  const hi = n >> 1;
  if (hi < zeros) return 0; // (and the lower middle too, for even n)
  // Ranks among the positive sums of the upper middle (and the lower one, for even n).
  const k = hi - zeros;
  if (runs > SORTED_RUNS) {
    // Many runs (a thin pair trading in most windows): select among the sums themselves.
    const a = scratchOf(n - zeros);
    let m = 0;
    for (let r = 0; r < runs; r++) for (let c = runLength[r]!; c > 0; c--) a[m++] = runValue[r]!;
    const upper = kthInPlace(a, m, k);
    if (n % 2 === 1) return upper;
    return ((k === 0 ? 0 : maxBefore(a, k)) + upper) / 2;
  }
  // Few runs: order them by value (insertion sort of their indexes; no allocation) and walk the counts.
  if (order.length < runs) order = new Int32Array(Math.max(runs, 2 * order.length));
  for (let r = 0; r < runs; r++) {
    const v = runValue[r]!;
    let i = r;
    for (; i > 0 && runValue[order[i - 1]!]! > v; i--) order[i] = order[i - 1]!;
    order[i] = r;
  }
  const upper = rankOf(k, runs);
  if (n % 2 === 1) return upper;
  return ((k === 0 ? 0 : rankOf(k - 1, runs)) + upper) / 2;
}

/** The value at rank k (0-based) of the positive sums, the runs being in `order` by value. */
function rankOf(k: number, runs: number): number {
  let rank = 0;
  for (let i = 0; i < runs; i++) {
    const r = order[i]!;
    rank += runLength[r]!;
    if (k < rank) return runValue[r]!;
  }
  return NaN; // not reached: k < the positive sums
}

/**
 * The dense computation (the ring rebuilt with its empty buckets), for values the shortcuts do not
 * cover (zero or negative quantities, which the parsers reject). pos/vals hold the m non-empty ones.
 */
function denseBaseline(filled: number, m: number, windowBuckets: number): number {
  const ring = new Float64Array(filled);
  for (let i = 0; i < m; i++) ring[pos[i]!] = vals[i]!;
  const perBucket = medianOf(ring, filled);
  if (perBucket > 0) return perBucket * windowBuckets;
  const n = filled - windowBuckets + 1;
  if (n <= 0) return NaN;
  const sums = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < windowBuckets; i++) sum += ring[i]!;
  let total = 0;
  for (let w = 0; w < n; w++) {
    if (w > 0) sum += ring[w + windowBuckets - 1]! - ring[w - 1]!;
    sums[w] = Math.max(0, sum);
    total += sums[w]!;
  }
  const med = medianOf(sums, n);
  return med > 0 ? med : total / n;
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(BucketLogs);
