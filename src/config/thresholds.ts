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
    volume_spike_multiplier: positive(3.0, 'volume in a bucket ≥ this × the robust baseline (median) of the symbol\'s own recent buckets'),
    volume_bucket_ms: ms(60_000, 'length of one volume bucket'),
    volume_baseline_buckets: count(30, 'how many past buckets form the baseline'),
    volume_min_baseline_buckets: count(10, 'buckets of history needed before judging a symbol'),
    volume_robust_z: positive(6, 'also require log-volume ≥ median + this × MAD-sigma of log-volume (robust z-score)'),

    // price_anomaly
    price_change_threshold: positive(0.15, 'absolute relative price move over the price window that always alerts'),
    price_window_ms: ms(300_000, 'window over which the price move is measured'),
    price_volatility_z: positive(10, 'a move of this many of the symbol\'s own window-volatilities alerts too'),
    price_min_volatility_windows: count(20, 'windows of history needed before the volatility rule applies'),
    price_min_move: ratio(0.01, 'the volatility rule ignores moves smaller than this (ticks on quiet symbols)'),

    // wash_trading
    wash_trade_threshold: ratio(0.8, 'minimum offset ratio 1 − Σ|net_i| / (2 × gross) of the group\'s internal trades (1 = every account ends flat)'),
    wash_window_ms: ms(600_000, 'window in which back-and-forth trades are matched; an episode ends after this long without a new match'),
    wash_min_trades: count(4, 'internal trades of a pair or ring needed before alerting'),
    wash_self_min_trades: count(2, 'self-trades (buyer = seller) by one account needed before alerting'),
    wash_price_tolerance: ratio(0.02, 'relative price difference tolerated between matched legs'),
    wash_size_tolerance: ratio(0.1, 'relative size difference tolerated between matched legs'),
    wash_max_ring: count(4, 'longest cycle of accounts searched for in the buyer→seller graph'),
    wash_min_exclusivity: ratio(0.25, 'every group member must do at least this share of its own window volume inside the group (rules out market makers and brokers whose crosses are a sideline)'),

    // spoofing / layering
    spoofing_threshold: positive(5, 'order size ≥ this × the symbol\'s median order size makes an order "large"'),
    spoofing_cancel_ms: ms(10_000, 'a large order cancelled within this after placement counts as spoof-like'),
    spoofing_min_repeats: count(2, 'spoof cycles by one account needed before alerting'),
    spoofing_window_ms: ms(600_000, 'window over which spoof cycles are counted'),
    spoofing_max_fill_ratio: ratio(0.2, 'large orders that filled more than this fraction are genuine'),
    layering_min_levels: count(3, 'same-side orders at distinct price levels that form a layer'),

    // concentrated_trading
    concentration_threshold: ratio(0.4, 'Herfindahl–Hirschman index (0..1) of per-account shares of one side (buying or selling) of the symbol\'s volume in the window that alerts'),
    concentration_top_share: ratio(0.5, 'share of one side (buying or selling) of the window\'s volume by the top account that alerts (with the HHI)'),
    concentration_window_ms: ms(3_600_000, 'sliding window over which volume shares are measured'),
    concentration_min_trades: count(30, 'trades in the window needed before judging'),
    concentration_min_accounts: count(3, 'distinct accounts in the window needed before judging'),

    // pump_and_dump
    pump_price_rise: positive(0.1, 'price rise from the pre-pump reference that marks a pump'),
    pump_window_ms: ms(600_000, 'window in which the rise must happen'),
    pump_volume_multiplier: positive(5, 'volume in the pump window ≥ this × the baseline volume of an equal window'),
    pump_rush_buys: count(5, 'aggressive buys in one second that count as a rush'),
    dump_reversal: ratio(0.5, 'fraction of the rise given back that confirms the dump'),
    dump_window_ms: ms(3_600_000, 'time after the peak in which the dump must come'),

    // unusual_timing
    timing_marking_window_ms: ms(300_000, 'last/first minutes of a session examined for marking the close/open'),
    timing_marking_share: ratio(0.3, 'an account\'s share of the volume in the marking window, on the side of the move, that alerts (with a price move)'),
    timing_marking_move: ratio(0.005, 'relative price move into the close (or from the previous close into the open) that, with the share, alerts'),
    timing_marking_min_trades: count(5, 'trades in the marking window needed before judging'),
    timing_regularity_cv: ratio(0.05, 'coefficient of variation of inter-trade gaps below which timing looks machine-like'),
    timing_regularity_min_trades: count(20, 'trades by one account needed to judge regularity'),
    timing_regularity_max_one_side: ratio(0.9, 'regular series with more than this share of their quantity on one side are execution algorithms (TWAP slicing) and not flagged; 1 flags them too'),
    timing_regularity_max_gap_ms: ms(3_600_000, 'a gap longer than this between an account\'s trades starts a new series'),
  })
  .strict();

export type Thresholds = z.infer<typeof thresholdsSchema>;

/** The defaults, frozen. */
export const DEFAULT_THRESHOLDS: Thresholds = Object.freeze(thresholdsSchema.parse({}));
