import { z } from 'zod';

/**
 * Every detection parameter, with its default, unit and meaning: the one schema from which the
 * config file is validated (unknown keys rejected), `status` shows what is in force and
 * docs/CONFIG.md is written (`surveillance config --docs`).
 */
const ratio = (def: number, doc: string) => z.number().min(0).max(1).default(def).describe(doc);
const positive = (def: number, doc: string) => z.number().positive().default(def).describe(doc);
const count = (def: number, doc: string) => z.number().int().min(1).default(def).describe(doc);
const ms = (def: number, doc: string) => z.number().int().positive().default(def).describe(`${doc} (ms)`);

export const thresholdsSchema = z
  .object({
    // volume_spike
    volume_spike_multiplier: positive(3.0, "volume in a bucket ≥ this × the median of the symbol's own recent active (non-empty) buckets"),
    volume_bucket_ms: ms(
      300_000,
      "length of the long volume window (rolling), judged against the symbol's past calendar windows of this length",
    ),
    volume_short_window_ms: ms(
      60_000,
      'length of the short volume window (rolling), judged against its own baseline of past calendar windows of this length: catches bursts a long window dilutes; set equal to volume_bucket_ms for one window',
    ),
    volume_baseline_buckets: count(
      48,
      'how many past active windows (of each length) form the baseline: recent enough to follow the intraday activity level (a whole-day history lets the U-shaped day widen the spread until a 20× burst passes), long enough for a stable median',
    ),
    volume_min_baseline_buckets: count(12, 'active windows of history (of each length) needed before judging a symbol on that length'),
    volume_robust_z: positive(3, "also require log-volume ≥ median + this × MAD-sigma of the symbol's log-volume (robust z-score)"),
    volume_episode_gap_buckets: z
      .number()
      .int()
      .min(0)
      .default(2)
      .describe('long windows (volume_bucket_ms) without a trigger that end a spike episode'),

    // price_anomaly
    price_change_threshold: positive(0.15, 'absolute relative price move over the price window that always alerts'),
    price_window_ms: ms(300_000, 'window over which the price move is measured'),
    price_short_window_ms: ms(
      60_000,
      "a shorter window also judged by the volatility rule against the symbol's volatility at that horizon (fast moves, fast warm-up); equal to price_window_ms for one window",
    ),
    price_volatility_z: positive(
      10,
      "a move of this many of the symbol's own volatilities over the window's horizon alerts too (volatility: robust spread of past window returns, scaled by √time across window lengths)",
    ),
    price_min_volatility_windows: count(
      20,
      "returns of past windows (of one length) needed before that length's volatility estimate is used",
    ),
    price_min_move: ratio(0.01, 'the volatility rule ignores moves smaller than this fraction'),
    price_min_ticks: positive(8, 'the volatility rule ignores moves smaller than this many typical trade-to-trade moves (bid-ask bounce)'),

    // wash_trading
    wash_trade_threshold: ratio(
      0.8,
      "minimum offset ratio 1 − Σ|net_i| / (2 × gross) of the group's internal trades (1 = every account ends flat)",
    ),
    wash_window_ms: ms(600_000, 'window in which back-and-forth trades are matched; an episode ends after this long without a new match'),
    wash_min_trades: count(4, 'internal trades of a pair or ring needed before alerting'),
    wash_self_min_trades: count(2, 'self-trades (buyer = seller) by one account needed before alerting'),
    wash_price_tolerance: ratio(0.02, 'relative price difference tolerated between matched legs'),
    wash_size_tolerance: ratio(0.1, 'relative size difference tolerated between matched legs'),
    wash_max_ring: count(4, 'longest cycle of accounts searched for in the buyer→seller graph'),
    wash_min_matched_share: ratio(
      0.75,
      "share of a pair's or ring's internal trades that pair off with a later trade the other way of similar size and price (wash legs are arranged to offset each other; 0 = off)",
    ),
    wash_min_exclusivity: ratio(
      0.25,
      'every group member must do at least this share of its own window volume inside the group (rules out market makers and brokers whose crosses are a sideline)',
    ),

    // spoofing / layering
    spoofing_threshold: positive(5, 'order size ≥ this × the symbol\'s median `new` order size (×) makes an order "large"'),
    spoofing_depth_ratio: positive(
      0.25,
      'a large order must also be ≥ this × the resting depth at the best spoofing_depth_levels levels of its side (×)',
    ),
    spoofing_depth_levels: count(5, 'price levels from the touch summed as "depth near the touch" (levels)'),
    spoofing_min_orders: count(20, '`new` orders seen in the symbol before its median order size is trusted (orders)'),
    spoofing_cancel_ms: ms(10_000, 'a large order cancelled within this after placement counts as spoof-like'),
    spoofing_min_repeats: count(2, 'spoof cycles by one account in one symbol needed before alerting (cycles)'),
    spoofing_single_cycle_multiplier: z
      .number()
      .min(0)
      .default(3)
      .describe('a single cycle alerts (lower confidence) when its order is ≥ this × spoofing_threshold × the median size; 0 = never (×)'),
    spoofing_window_ms: ms(600_000, 'window over which spoof cycles are counted; a longer quiet gap starts a new episode'),
    spoofing_max_fill_ratio: ratio(0.2, 'large orders that filled more than this fraction of their size are genuine (fraction)'),
    layering_min_levels: count(3, 'same-side orders of one account at distinct price levels that form a layer (levels)'),
    layering_cancel_ms: ms(10_000, 'the layers must start being cancelled within this after the opposite-side execution'),
    layering_cancel_span_ms: ms(3_000, 'the layers count as cancelled together when their cancels fall within this span'),
    layering_imbalance: positive(
      3,
      "layer-side resting size ≥ this × the account's resting size on the execution side; market makers quoting both sides fail it (×)",
    ),
    layering_min_size_ratio: positive(1.5, "the layers together ≥ this × the symbol's median order size (×)"),
    layering_max_fill_ratio: ratio(0.2, 'layers that filled more than this fraction of their size are genuine (fraction)'),
    layering_min_repeats: count(1, 'layering cycles by one account in one symbol needed before alerting (cycles)'),
    layering_requote_ms: ms(
      1_000,
      'layers re-placed on the same side (≥ half their size) within this after the cancel are a quote refresh (market making), not a withdrawal',
    ),
    layering_window_ms: ms(600_000, 'a gap longer than this between layering cycles starts a new episode'),
    order_book_horizon_ms: ms(
      3_600_000,
      'orders resting longer than this are forgotten by the spoofing/layering order book (bounds memory when cancels are lost)',
    ),

    // concentrated_trading
    concentration_threshold: ratio(
      0.25,
      'Herfindahl–Hirschman index (0..1) of per-account shares of one side (buying or selling) of the symbol\'s volume in the window that alerts; a share is the flow the account initiated that way net of all it traded the other way. 0.25 is the antitrust "highly concentrated" line (HHI 2500): fewer than four accounts\' worth of equal players',
    ),
    concentration_top_share: ratio(
      0.4,
      "share of one side (buying or selling) of the window's volume by the top account (net, as for the HHI) that alerts (with the HHI)",
    ),
    concentration_window_ms: ms(
      900_000,
      'sliding window over which volume shares are measured; a window much longer than the episode dilutes it with ordinary trading',
    ),
    concentration_min_trades: count(30, 'trades in the window needed before judging'),
    concentration_min_accounts: count(3, 'distinct accounts in the window needed before judging'),

    // pump_and_dump
    pump_price_rise: positive(
      0.1,
      'price rise (fraction) above the pre-pump reference that marks a pump; reference = max(median per-bucket close over pump_reference_ms, lowest trade in pump_window_ms)',
    ),
    pump_window_ms: ms(600_000, 'window in which the rise and the volume surge must happen'),
    pump_volume_multiplier: positive(
      5,
      "volume (qty) OR buyer-initiated trade count during the rise (from the last trade at the reference, whole pump_bucket_ms buckets) ≥ this × the symbol's baseline for that span: the median bucket over pump_baseline_ms (thin pairs with an empty median bucket: median, else mean, of sliding pump windows) (×)",
    ),
    pump_rush_buys: count(
      5,
      'distinct aggressive buy orders in one second that make a "rush" second (anonymous tape: one order = buy fills sharing a millisecond)',
    ),
    pump_min_rush_seconds: count(
      1,
      'rush seconds within the pump window needed to alert early, during the pump (without them the alert waits for the dump)',
    ),
    pump_min_buy_share: ratio(0.5, "share of the pump window's volume that was buyer-initiated needed to alert early"),
    pump_bucket_ms: ms(60_000, 'bucket of the per-symbol price/volume history (pump_window_ms should be a multiple)'),
    pump_reference_ms: ms(3_600_000, 'span of bucket closes whose median is the pre-pump reference price'),
    pump_baseline_ms: ms(86_400_000, 'history over which the volume baseline (median window volume) is taken'),
    pump_min_baseline_windows: count(
      2,
      'pump windows of history needed before judging a symbol (warm-up; the baseline is a median of pump_bucket_ms buckets, so 2 windows = 20 samples by default)',
    ),
    dump_reversal: ratio(0.5, 'fraction of the rise (reference → peak) given back that confirms the dump'),
    dump_window_ms: ms(3_600_000, 'time after the peak in which the dump must come; the episode closes after it'),

    // unusual_timing
    timing_marking_window_ms: ms(300_000, 'last/first minutes of a session examined for marking the close/open'),
    timing_marking_share: ratio(
      0.3,
      "an account's share of the volume in the marking window, on the side of the move, that alerts (with a price move)",
    ),
    timing_marking_move: ratio(
      0.005,
      'relative price move into the close (or from the previous close into the open) that, with the share, alerts',
    ),
    timing_marking_min_trades: count(5, 'trades in the marking window needed before judging'),
    timing_regularity_cv: ratio(0.05, 'coefficient of variation of inter-trade gaps below which timing looks machine-like'),
    timing_regularity_min_trades: count(20, 'trades by one account needed to judge regularity'),
    timing_regularity_max_one_side: ratio(
      0.9,
      'regular series with more than this share of their quantity on one side are execution algorithms (TWAP slicing) and not flagged; 1 flags them too',
    ),
    timing_regularity_max_gap_ms: ms(3_600_000, "a gap longer than this between an account's trades starts a new series"),
  })
  .strict();

export type Thresholds = z.infer<typeof thresholdsSchema>;

/** The defaults, frozen. */
export const DEFAULT_THRESHOLDS: Thresholds = Object.freeze(thresholdsSchema.parse({}));
