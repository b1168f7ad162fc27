import { stateClass } from '../../engine/snapshot.js';
import { columnCapacity, grownFloat64, grownInt32, grownUint8 } from './columns.js';

/** An open pump episode of a symbol (few at a time: an object each). */
export interface Episode {
  readonly key: string;
  readonly startMs: number;
  readonly refPrice: number;
  readonly baselineVolume: number;
  readonly detectedMs: number;
  /** When the alert was first raised (the alert's timestamp; later updates keep it). */
  alertedMs: number | null;
  /** The last few trade prices: the dump is judged on their median, not on one print. */
  readonly lastPrices: number[];
  peakPrice: number;
  peakMs: number;
  lastMs: number;
  lowAfterPeak: number;
  volume: number;
  notional: number;
  trades: number;
  rushSeconds: number;
  windowVolumeAtDetection: number;
  buyShareAtDetection: number;
  tradeIds: string[];
  buyers: Map<string, number>;
  sellers: Map<string, number>;
  alerted: boolean;
  emittedRise: number;
  confirmedMs: number | null;
  roundTrip: boolean;
}

/**
 * pump_and_dump's fixed-size fields of every symbol held, as columns indexed by the symbol's slot
 * (its id in pump_and_dump's `states`): with 100k symbols trading a few times a day, an object per symbol (header, a slot per
 * field, a heap number per changing double, and an object per ring it owned) was most of the
 * detector's memory. The rings and logs are tables of their own (BucketLogs, RunRings, …).
 * Read and written as `columns.field[slot]`; a column is replaced when it grows (in `add`).
 */
export class PumpSymbols {
  /** Creation order: onTime handles due symbols in it, as the walk over the states map did. */
  seq = new Int32Array(0);
  /** Earliest time this symbol may need onTime (its episode closing, or its expiry). */
  due = new Float64Array(0);
  bucketStartMs = new Float64Array(0);
  bucketVolume = new Float64Array(0);
  bucketBuyVolume = new Float64Array(0);
  bucketBuyTrades = new Int32Array(0);
  /** Last trade at or below the pre-pump reference: where a rise above it began. */
  lastAtRefMs = new Float64Array(0);
  lastPrice = new Float64Array(0);
  lastTsMs = new Float64Array(0);
  /** 1 when the last trade's side was a sell. */
  lastSell = new Uint8Array(0);
  bucketsSinceBaseline = new Int32Array(0);
  /** Median of the bucket closes over the reference span. */
  refMedian = new Float64Array(0);
  /**
   * The baselines are taken at a refresh (buckets closed then: `baselineAt`, −1 before the first;
   * the bucket log keeps that ring) and computed when first read: every trade asks only whether the
   * volume baseline is positive (`baselineValid`: −1 unknown, 0, 1; see BucketLogs.baselinePositive),
   * the values themselves only a price past the pump bar. A median over a day of buckets per refresh
   * was half of pump_and_dump's time on symbols trading every minute or two.
   */
  baselineAt = new Int32Array(0);
  baselineValid = new Int32Array(0);
  /** Median window volume (see BucketLogs.windowBaseline), valid when `baselineReady`. */
  baseline = new Float64Array(0);
  baselineReady = new Uint8Array(0);
  /** Median trade count of a pump window (sliding), like `baseline` for volume. */
  baselineBuyTrades = new Float64Array(0);
  buyTradesReady = new Uint8Array(0);
  /** Rush detection (see the detector's secondOrders): the current second, and whether it became a rush. */
  secondMs = new Float64Array(0);
  secondIsRush = new Uint8Array(0);
  bucketsSinceBuyersRotated = new Int32Array(0);
  episode: (Episode | null)[] = [];

  /** Makes `slot` a new symbol's, first traded at `tsMs` and `price`. */
  add(slot: number, seq: number, tsMs: number, price: number, bucketStartMs: number): void {
    if (slot >= this.seq.length) this.grow(columnCapacity(this.seq.length, slot));
    this.seq[slot] = seq;
    this.due[slot] = Infinity;
    this.bucketStartMs[slot] = bucketStartMs;
    this.bucketVolume[slot] = 0;
    this.bucketBuyVolume[slot] = 0;
    this.bucketBuyTrades[slot] = 0;
    this.lastAtRefMs[slot] = -Infinity;
    this.lastPrice[slot] = price;
    this.lastTsMs[slot] = tsMs;
    this.lastSell[slot] = 0;
    this.bucketsSinceBaseline[slot] = 0;
    this.refMedian[slot] = NaN;
    this.baselineAt[slot] = -1;
    this.baselineValid[slot] = -1;
    this.baseline[slot] = NaN;
    this.baselineReady[slot] = 1;
    this.baselineBuyTrades[slot] = NaN;
    this.buyTradesReady[slot] = 1;
    this.secondMs[slot] = -Infinity;
    this.secondIsRush[slot] = 0;
    this.bucketsSinceBuyersRotated[slot] = 0;
    this.episode[slot] = null;
  }

  /** Releases what the slot refers to (the symbol is dropped). */
  drop(slot: number): void {
    this.episode[slot] = null;
  }

  private grow(n: number): void {
    for (const k of [
      'due',
      'bucketStartMs',
      'bucketVolume',
      'bucketBuyVolume',
      'lastAtRefMs',
      'lastPrice',
      'lastTsMs',
      'refMedian',
    ] as const)
      this[k] = grownFloat64(this[k], n);
    for (const k of ['baseline', 'baselineBuyTrades', 'secondMs'] as const) this[k] = grownFloat64(this[k], n);
    for (const k of ['seq', 'bucketBuyTrades', 'bucketsSinceBaseline', 'baselineAt', 'bucketsSinceBuyersRotated', 'baselineValid'] as const)
      this[k] = grownInt32(this[k], n);
    for (const k of ['lastSell', 'baselineReady', 'buyTradesReady', 'secondIsRush'] as const) this[k] = grownUint8(this[k], n);
    // The episodes' column grows one slot at a time (its elements stay objects or null).
    while (this.episode.length < n) {
      this.episode.push(null);
    }
  }
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(PumpSymbols);
