import { stateClass } from '../../engine/snapshot.js';
import { compactsInPlace, grownCapacitySlowly, moveDownNumbers, regrowNumbers } from '../window/arrays.js';
import { kthInPlace, maxBefore, medianOf, scratchOf } from '../window/select.js';

/**
 * Numbers per entry: [key, volume, buy volume] with key = sequence × PACK + buy trades (a count,
 * so both are exact while buy trades < PACK and the sequence < 2^32), or, in a log that has met a
 * bucket outside that (WIDE), [sequence, volume, buy volume, buy trades].
 */
const NARROW = 3;
const WIDE = 4;
const PACK = 2 ** 21;
/** Sequences from here on cannot be packed (× PACK would pass 2^53). */
const MAX_PACKED_SEQ = 2 ** 32;
/** The fields an entry holds beside its sequence number (offsets in a wide entry; buy trades is in the key of a narrow one). */
export const VOLUME = 1;
export const BUY_VOLUME = 2;
export const BUY_TRADES = 3;
type Field = typeof VOLUME | typeof BUY_VOLUME | typeof BUY_TRADES;
/** What a log holds before its first non-empty bucket (and once all expired), shared: never written. */
const NONE: number[] = [];

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
 * pump_and_dump's closed buckets of one symbol over the baseline horizon (`capacity` buckets, a
 * day of minutes by default): volume, buyer-initiated volume and buyer-initiated trades. Only the
 * non-empty buckets are kept, each under its sequence number (buckets closed before it, empty ones
 * included), oldest first. This is the ring of every bucket the detector used to keep — bucket
 * `count − k` is the k-th newest, buckets older than `count − capacity` are gone — without the
 * empty ones: a symbol that trades every twenty minutes holds its few trades' buckets, not a
 * day of zeros, and a quiet spell costs one counter step instead of a write per bucket.
 *
 * The statistics read the ring as it was (empty buckets as +0) and give the very doubles the dense
 * ring gave: the per-bucket median is an order statistic (the empty buckets are the smallest
 * values, so it is 0 or the k-th smallest non-empty one), and the sliding window sums of the
 * thin-pair fallback change only where a non-empty bucket enters or leaves the window, so they are
 * walked as runs, with the same additions in the same order.
 */
export class BucketLog {
  /**
   * An entry (NARROW or WIDE numbers, see above) per non-empty bucket held, oldest first from `head`
   * to `end` (exclusive). Packing the sequence and the buy trades in one double saves a quarter
   * of the log (a day of a symbol's non-empty buckets: most of pump_and_dump's memory per symbol). The array's length is its capacity (window/arrays.ts): compacted in place
   * or grown by a quarter when full, so a symbol with a few buckets holds a few slots beyond them, not the 17+
   * a push reserves, with no copies to trim them.
   */
  private e: number[] = NONE;
  private head = 0;
  private end = 0;
  /** Buckets closed so far, empty ones included: the next bucket's sequence number. */
  private count = 0;
  /**
   * Oldest bucket a pending computation still reads (see pin): kept even once the ring has
   * overwritten it. −1 before the first pin (none: a small integer, where Infinity made the field a
   * heap number of its own per log).
   */
  private pinned = -1;
  /** Every value closed so far was positive or +0 (what the baseline shortcuts assume; quantities are positive). */
  regular = true;
  /** Numbers per entry: NARROW until a bucket that cannot be packed (then WIDE for good; see scale()). */
  private stride = NARROW;

  constructor(readonly capacity: number) {}

  /** Buckets the ring holds (empty ones included): at most `capacity`. */
  get filled(): number {
    return Math.min(this.count, this.capacity);
  }

  /** Closes `buckets` (≥ 1) buckets: the first with these totals, the others empty (a quiet spell). */
  close(volume: number, buyVolume: number, buyTrades: number, buckets: number): void {
    if (!(Object.is(volume, 0) && Object.is(buyVolume, 0) && Object.is(buyTrades, 0))) {
      if (!(volume >= 0 && buyVolume >= 0 && buyTrades >= 0) || Object.is(volume, -0) || Object.is(buyTrades, -0)) this.regular = false;
      // An array of its own at the first non-empty bucket: until then the log holds the shared empty one.
      const packs =
        buyTrades >= 0 && buyTrades < PACK && Number.isInteger(buyTrades) && !Object.is(buyTrades, -0) && this.count < MAX_PACKED_SEQ;
      if (!packs && this.stride === NARROW) this.widen();
      const stride = this.stride;
      let e = this.e;
      let end = this.end;
      if (end + stride > e.length) {
        // Full: compact in place or grow (window/arrays.ts).
        const live = end - this.head;
        if (compactsInPlace(e.length, this.head, live, stride)) moveDownNumbers(e, this.head, end);
        else this.e = e = regrowNumbers(e, this.head, end, grownCapacitySlowly(e.length, live + stride));
        this.head = 0;
        end = live;
      }
      e[end + 1] = volume;
      e[end + 2] = buyVolume;
      if (stride === NARROW) e[end] = this.count * PACK + buyTrades;
      else {
        e[end] = this.count;
        e[end + 3] = buyTrades;
      }
      this.end = end + stride;
    }
    this.count += buckets;
    this.expire();
  }

  /**
   * Turns the log's entries into wide ones (a bucket with a buy trade count that cannot be packed:
   * millions in one bucket, or a non-integer one restored from elsewhere; or a sequence past 2^32).
   */
  private widen(): void {
    const e = this.e;
    const held = (this.end - this.head) / NARROW;
    const w = held > 0 ? new Array<number>(WIDE * (held + 1)) : NONE;
    for (let j = 0; j < held; j++) {
      const key = e[this.head + NARROW * j]!;
      const seq = Math.floor(key / PACK);
      w[WIDE * j] = seq;
      w[WIDE * j + 1] = e[this.head + NARROW * j + 1]!;
      w[WIDE * j + 2] = e[this.head + NARROW * j + 2]!;
      w[WIDE * j + 3] = key - seq * PACK;
    }
    this.e = w;
    this.head = 0;
    this.end = WIDE * held;
    this.stride = WIDE;
  }

  /** What a key is a sequence times: PACK when narrow, 1 when wide. */
  private scale(): number {
    return this.stride === NARROW ? PACK : 1;
  }

  /** The field of the entry at `i`. */
  private fieldAt(i: number, field: Field): number {
    if (field !== BUY_TRADES || this.stride === WIDE) return this.e[i + field]!;
    const key = this.e[i]!;
    return key - Math.floor(key / PACK) * PACK;
  }

  /** Drops the entries the ring has overwritten (older than `capacity` buckets). */
  private expire(): void {
    const oldest = this.count - this.capacity;
    const first = (this.pinned < 0 ? oldest : Math.min(oldest, this.pinned)) * this.scale();
    const stride = this.stride;
    const e = this.e;
    const end = this.end;
    let h = this.head;
    while (h < end && e[h]! < first) h += stride;
    if (h === end && h > 0) {
      // All gone (a symbol back after a long spell): nothing held, no array either.
      this.e = NONE;
      h = this.end = 0;
    }
    this.head = h;
  }

  /**
   * `start` plus the field over the newest `k` closed buckets, newest first (the order the detector
   * read its window ring in; empty buckets add +0, which changes nothing, so they are skipped).
   */
  addNewest(start: number, field: Field, k: number): number {
    const e = this.e;
    const from = (this.count - k) * this.scale();
    const stride = this.stride;
    let v = start;
    for (let i = this.end - stride; i >= this.head && e[i]! >= from; i -= stride) v += this.fieldAt(i, field);
    return v;
  }

  /** Buckets closed so far (the ring as of now is the one a computation `at` this count reads). */
  get closed(): number {
    return this.count;
  }

  /**
   * Keeps the buckets of the ring as it was when `at` buckets had been closed (at ≤ count) until the
   * next pin: a baseline taken then may be computed later (`windowBaseline(…, at)`), once needed.
   */
  pin(at: number): void {
    this.pinned = at - Math.min(at, this.capacity);
  }

  /**
   * Gathers the field's non-empty buckets of the ring as of `at` closed buckets into pos/vals
   * (position in that ring, 0 = oldest; value). Returns how many; `gatheredPositive` tells whether
   * they were all positive (else the shortcuts do not hold).
   */
  private gather(field: Field, at: number): number {
    const filled = Math.min(at, this.capacity);
    const first = at - filled;
    const e = this.e;
    const end = this.end;
    const stride = this.stride;
    const scale = this.scale();
    const held = (end - this.head) / stride;
    if (pos.length < held) {
      pos = new Float64Array(Math.max(held, 2 * pos.length));
      vals = new Float64Array(pos.length);
    }
    let m = 0;
    gatheredPositive = true;
    for (let i = this.head; i < end; i += stride) {
      const seq = Math.floor(e[i]! / scale);
      if (seq < first) continue; // overwritten by then (kept for an older pin)
      if (seq >= at) break; // closed since
      const v = this.fieldAt(i, field);
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
   * Whether windowBaseline(field, windowBuckets, at) is > 0, without computing it: a median of
   * positive values and empty buckets is positive when the empty ones are fewer than half; else the
   * thin-pair fallback is positive when any sliding sum is (the median of them, or their mean, then
   * is). Exact: where a shortcut does not settle it (an even count with the empty buckets exactly
   * half, values that are not positive), the baseline is computed.
   */
  baselinePositive(field: typeof VOLUME | typeof BUY_TRADES, windowBuckets: number, at: number): boolean {
    const filled = Math.min(at, this.capacity);
    const m = this.gather(field, at);
    const zeros = filled - m;
    const hi = filled >> 1;
    if (gatheredPositive && filled > 0) {
      if (zeros < hi || (zeros === hi && filled % 2 === 1)) return true;
      if (zeros > hi) {
        // Per-bucket median 0: the sliding sums, as windowBaseline walks them, up to the first positive one.
        const n = filled - windowBuckets + 1;
        if (n <= 0) return false; // NaN
        if (this.walkSums(m, windowBuckets, n, true) === 0) return false;
        // A positive sum: the median or the mean of them is positive (unless subnormal: computed then).
        if (runValue[0]! >= 1e-300) return true;
      }
    }
    return this.windowBaseline(field, windowBuckets, at) > 0;
  }

  /**
   * A pump window's typical level of the field (pump_and_dump.ts, windowBaseline) over the ring as
   * of `at` closed buckets (by default now; an earlier count must be pinned): windowBuckets × the
   * median bucket over the ring; when that is 0 (a thin pair), the median of the sliding sums of
   * `windowBuckets` buckets, else their mean; NaN when the ring holds less than one window.
   */
  windowBaseline(field: typeof VOLUME | typeof BUY_TRADES, windowBuckets: number, at = this.count): number {
    const filled = Math.min(at, this.capacity);
    const m = this.gather(field, at);
    // Trade quantities are positive, so buckets are never negative, −0 or NaN; were they, the
    // shortcuts below would not hold: run the dense computation instead.
    if (!gatheredPositive) return denseBaseline(filled, m, windowBuckets);
    const perBucket = medianWithZeros(filled - m, m);
    if (perBucket > 0) return perBucket * windowBuckets;
    const n = filled - windowBuckets + 1;
    if (n <= 0) return NaN;
    const runs = this.walkSums(m, windowBuckets, n, false);
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

  /**
   * The n sliding sums over the m gathered buckets as runs of positive sums in runValue/runLength
   * (window order; returns how many) and `walkZeros` zero ones; with `firstOnly`, stops at the first
   * positive run.
   */
  private walkSums(m: number, windowBuckets: number, n: number, firstOnly: boolean): number {
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
stateClass(BucketLog);
