import type { Config, Session } from '../../config/config.js';
import type { OrderEvent, Side, Trade } from '../../domain/events.js';
import type { Detector, DetectorContext, DetectorFactory, SharedState } from '../detector.js';
import { type AccountExecutions, BUY_LEG, SELL_LEG, SharedExecutions } from '../window/account-executions.js';
import { AccountIds } from '../window/account-ids.js';
import { sessionsAround, type SessionInstance } from './session-clock.js';
import { STRIDE, TimingSeries } from './timing-series.js';
import { fmt, iso, pct, round4 } from '../format.js';
import { DeadlineQueue } from '../window/deadline-queue.js';

/**
 * unusual_timing, three rules:
 * 1. Marking the close / open (MAR Annex II 1(a)(vii)–(viii); ESMA "marking the close"): in the last
 *    (first) `timing_marking_window_ms` of a configured session, one account does at least
 *    `timing_marking_share` of the volume on the side of the price move (aggressive legs only when the
 *    tape says who was the aggressor, so a passive market maker is not counted), its net position
 *    goes the same way, and the price moves at least `timing_marking_move` into the close (from the
 *    last price before the window) or into the open (from the previous session's last price).
 *    Judged when the window ends.
 * 2. Off-session trading: executions outside the symbol's configured session (`sessions[symbol]` or
 *    `sessions['*']`); one alert per symbol per off-session period (keyed by the next open).
 * 3. Machine-like timing: an account whose last `timing_regularity_min_trades` execution instants
 *    (same-millisecond fills merged) have gaps with coefficient of variation < `timing_regularity_cv`.
 *    Poisson-like human or market-maker timing has CV ≈ 1 (so a series keeps only the instants whose
 *    gaps a CV under the bar could hold together: `maxGapRatio`, `TimingSeries`). Series with more than
 *    `timing_regularity_max_one_side` of their quantity on one side are execution algorithms (TWAP
 *    slicing a parent order) and are not flagged; mean gaps under 100 ms are latency artefacts.
 */

interface MarkWindow {
  readonly kind: 'close' | 'open';
  readonly symbol: string;
  /** The owner (in whose `marks` it is while open) and a creation number (emission order). */
  readonly owner: SymbolState;
  readonly seq: number;
  readonly startMs: number;
  readonly endMs: number;
  /** Price the move is measured from: last price before the window (the previous close for the open). */
  refPrice: number;
  lastPrice: number;
  lastTsMs: number;
  volume: number;
  trades: number;
  /** Per account: bought, sold, and the directional quantity counted for the share (aggressive or unknown). */
  readonly accounts: Map<string, { bought: number; sold: number; aggBought: number; aggSold: number; ids: string[] }>;
}

interface OffSession {
  readonly key: string;
  readonly symbol: string;
  readonly owner: SymbolState;
  readonly nextOpenMs: number;
  readonly startMs: number;
  endMs: number;
  trades: number;
  qty: number;
  readonly accounts: Set<string>;
  readonly tradeIds: string[];
  lastEmitTrades: number;
}

/** A run of machine-like judgements of one series. */
interface Episode {
  readonly key: string;
  readonly startMs: number;
  events: number;
  lastEmitEvents: number;
  failing: number;
  readonly tradeIds: string[];
  minCv: number;
}

interface SymbolState {
  readonly symbol: string;
  /** Creation number: the order the symbols would be walked in, for the order of emissions in a tick. */
  readonly seq: number;
  /** `ticks` when an event last used this state: only later ticks can have found it idle. */
  touchedTick: number;
  /** lastTsMs (or the tick time) when (re)queued for reclaiming. */
  queuedTs: number;
  lastPrice: number;
  lastTsMs: number;
  /** Open marking windows (a close and an open at most, in creation order). */
  readonly marks: MarkWindow[];
  off: OffSession | null;
  /** Session occurrences around recent events, valid while event time stays in [validFromMs, validToMs). */
  sessions: { instances: SessionInstance[]; validFromMs: number; validToMs: number } | null;
}

interface State {
  readonly executions: AccountExecutions;
  /**
   * Symbols with a session. A state idle for SYMBOL_IDLE_MS (no open window or period) counts as
   * deleted from the first tick that finds it so (`isDropped`, checked when next used, as a walk
   * of every symbol each tick would have deleted it); `symbolQueue` frees the memory later.
   */
  readonly symbols: Map<string, SymbolState>;
  symbolQueue: SymbolState[];
  symbolQueueHead: number;
  /** Open marking windows by end, and off-session periods by the next open: what a tick must close. */
  readonly markDeadlines: DeadlineQueue<MarkWindow>;
  readonly offDeadlines: DeadlineQueue<OffSession>;
  /** Creation counter for symbol states and marking windows. */
  created: number;
  /** onTime calls so far and the time of the latest. */
  ticks: number;
  tickNowMs: number;
  /** Ids of the accounts of the regularity series (the engine's table, shared with other detectors). */
  readonly accounts: AccountIds;
  /** Ids of their symbols: the same kind of table, this detector's own. */
  readonly symbolIds: AccountIds;
  /** The regularity series, one per (symbol, account), by (account id, symbol id). */
  readonly series: TimingSeries;
  /** Open episodes by series slot: few, so kept beside the series rather than in each. */
  readonly episodes: Map<number, Episode>;
  /** When idle series are next looked for. */
  seriesSweepMs: number;
}

const MAX_IDS = 500;
/** Layout of an instant in a series' run as `TimingSeries.copyRun` writes it (STRIDE numbers): time, quantity bought, quantity sold. */
const TS = 0;
const BUY = 1;
const SELL = 2;
/** Symbol state (last price, session cache) idle this long without an open window or period is dropped. */
const SYMBOL_IDLE_MS = 7 * 86_400_000;
const MIN_MEAN_GAP_MS = 100;

/**
 * The largest ratio between two gaps of `n` gaps whose coefficient of variation (population spread /
 * mean) is under `cv`: each gap is then within sqrt(n)·cv of the mean (one term of the sum of squared
 * deviations is at most the sum), so with a = sqrt(n)·cv < 1 largest / smallest < (1 + a) / (1 − a).
 * Widened by far more than the rounding of the computed CV (~1e-13 relative), so a series with two
 * gaps further apart is certainly judged not machine-like; Infinity when a ≥ 1 (no bound).
 */
export function maxGapRatio(n: number, cv: number): number {
  const a = Math.sqrt(n) * cv * (1 + 1e-6);
  return a < 1 ? ((1 + a) / (1 - a)) * (1 + 1e-6) : Infinity;
}

function createUnusualTiming(config: Config, shared: SharedState): Detector {
  const t = config.thresholds;
  const W = t.timing_marking_window_ms;
  const N = t.timing_regularity_min_trades;
  /** All mutable state in one graph, so a checkpoint is `snapshot()` of this object. */
  let st: State = {
    executions: SharedExecutions.of(shared),
    symbols: new Map(),
    symbolQueue: [],
    symbolQueueHead: 0,
    markDeadlines: new DeadlineQueue(),
    offDeadlines: new DeadlineQueue(),
    created: 0,
    ticks: 0,
    tickNowMs: -Infinity,
    accounts: AccountIds.of(shared),
    symbolIds: new AccountIds(),
    // A judgement needs the last N instants' gaps within this ratio: the series keep no more than that.
    series: new TimingSeries(maxGapRatio(N - 1, t.timing_regularity_cv), N),
    episodes: new Map(),
    seriesSweepMs: -Infinity,
  };
  /** The run of a series being judged, copied out (oldest instant first). */
  const judged = new Float64Array(N * STRIDE);
  /**
   * A series idle this long is dropped: the gap limit (a later leg starts afresh anyway) plus the
   * reorder window, so that a leg arriving late cannot find its series gone while it is still
   * within the gap limit of it. Dropping is then memory management only, whenever it happens.
   */
  const seriesIdleMs = t.timing_regularity_max_gap_ms + config.reorder_window_ms;

  /** The latest occurrences computed per configured session (a cache of a pure function, not state). */
  const sessionCache = new Map<Session, NonNullable<SymbolState['sessions']>>();

  /** Whether any session is configured: without one, no leg needs a lookup by symbol. */
  const anySession = Object.keys(config.sessions).length > 0;

  function sessionOf(symbol: string): Session | undefined {
    if (!anySession) return undefined;
    return config.sessions[symbol] ?? config.sessions['*'];
  }

  /** Whether a tick since the state was last used found it idle, i.e. deleted it. */
  function isDropped(s: SymbolState): boolean {
    // With no window or period open, nothing changes the state but events; the latest tick is the
    // one with the most idle time, so if it did not find the state idle, no earlier one did.
    return st.ticks > s.touchedTick && s.marks.length === 0 && !s.off && st.tickNowMs - s.lastTsMs > SYMBOL_IDLE_MS;
  }

  function stateOf(symbol: string, tsMs: number): SymbolState {
    let s = st.symbols.get(symbol);
    if (s && isDropped(s)) {
      // Deleted then, so re-created now: at the end of the walk order, as a Map re-insert puts it.
      st.symbols.delete(symbol);
      s = undefined;
    }
    if (!s) {
      s = {
        symbol,
        seq: st.created++,
        touchedTick: st.ticks,
        queuedTs: tsMs,
        lastPrice: NaN,
        lastTsMs: -Infinity,
        marks: [],
        off: null,
        sessions: null,
      };
      st.symbols.set(symbol, s);
      st.symbolQueue.push(s);
    }
    s.touchedTick = st.ticks;
    return s;
  }

  /** The session occurrences around `tsMs`, cached: Intl conversions happen about once per session, not per trade. */
  function instancesFor(s: SymbolState, tsMs: number, session: Session): SessionInstance[] {
    const c = s.sessions;
    if (c && tsMs >= c.validFromMs && tsMs < c.validToMs) return c.instances;
    // Symbols sharing a session (`sessions['*']`) share the answer: the Intl conversions happen once
    // per session occurrence, not once per symbol (a third of the time with 100k symbols).
    let shared = sessionCache.get(session);
    if (!shared || tsMs < shared.validFromMs || tsMs >= shared.validToMs) {
      const instances = sessionsAround(tsMs, session);
      // Between the previous occurrence's close and the next one's open, the same three occurrences answer every question.
      shared = { instances, validFromMs: instances[0]!.closeMs, validToMs: instances[2]!.openMs };
      sessionCache.set(session, shared);
    }
    s.sessions = shared;
    return shared.instances;
  }

  /** The marking window (close or open) containing `tsMs`, if any. */
  function markingWindow(
    tsMs: number,
    instances: SessionInstance[],
  ): { kind: 'close' | 'open'; startMs: number; endMs: number } | undefined {
    for (const i of instances) {
      if (tsMs >= i.closeMs - W && tsMs <= i.closeMs) return { kind: 'close', startMs: i.closeMs - W, endMs: i.closeMs };
      if (tsMs >= i.openMs && tsMs <= i.openMs + W) return { kind: 'open', startMs: i.openMs, endMs: i.openMs + W };
    }
    return undefined;
  }

  /**
   * One new leg (one account's side of an execution; `account` '' when the feed does not name it),
   * as plain values: no leg object per trade.
   */
  function onLeg(
    tsMs: number,
    symbol: string,
    side: Side,
    account: string,
    price: number,
    qty: number,
    aggressor: Side | undefined,
    id: string,
    ctx: DetectorContext,
  ): void {
    const session = sessionOf(symbol);
    // One leg per execution for prices and volume: the buy leg (present, possibly anonymous, for every trade).
    const primary = side === 'buy';
    if (session) {
      const s = stateOf(symbol, tsMs);
      const instances = instancesFor(s, tsMs, session);
      let inSession = false;
      for (const i of instances) if (tsMs >= i.openMs && tsMs <= i.closeMs) inSession = true;
      if (!inSession) offSession(s, tsMs, symbol, account, qty, id, instances, ctx, primary);
      const mw = inSession ? markingWindow(tsMs, instances) : undefined;
      if (mw) {
        let m: MarkWindow | undefined;
        for (const open of s.marks) if (open.kind === mw.kind && open.startMs === mw.startMs) m = open;
        if (!m) {
          m = {
            kind: mw.kind,
            symbol,
            owner: s,
            seq: st.created++,
            startMs: mw.startMs,
            endMs: mw.endMs,
            refPrice: Number.isFinite(s.lastPrice) && s.lastTsMs < mw.startMs ? s.lastPrice : price,
            lastPrice: price,
            lastTsMs: tsMs,
            volume: 0,
            trades: 0,
            accounts: new Map(),
          };
          s.marks.push(m);
          st.markDeadlines.push(m.endMs, m);
        }
        if (primary) {
          m.volume += qty;
          m.trades++;
          if (tsMs >= m.lastTsMs) {
            m.lastPrice = price;
            m.lastTsMs = tsMs;
          }
        }
        if (account !== '') {
          let a = m.accounts.get(account);
          if (!a) m.accounts.set(account, (a = { bought: 0, sold: 0, aggBought: 0, aggSold: 0, ids: [] }));
          // A leg counts as directional unless the tape says the other side was the aggressor.
          const aggressive = aggressor === undefined || aggressor === side;
          if (side === 'buy') {
            a.bought += qty;
            if (aggressive) a.aggBought += qty;
          } else {
            a.sold += qty;
            if (aggressive) a.aggSold += qty;
          }
          if (a.ids.length < MAX_IDS) a.ids.push(id);
        }
      }
      if (primary && tsMs >= s.lastTsMs) {
        s.lastPrice = price;
        s.lastTsMs = tsMs;
      }
    }
    if (account !== '') regularity(tsMs, symbol, side, account, qty, id, ctx);
  }

  function judgeMark(m: MarkWindow, ctx: DetectorContext): void {
    if (m.trades < t.timing_marking_min_trades || m.volume <= 0 || !(m.refPrice > 0)) return;
    const move = m.lastPrice / m.refPrice - 1;
    if (Math.abs(move) < t.timing_marking_move) return;
    const up = move > 0;
    let best = '';
    let bestQty = 0;
    for (const [acc, a] of m.accounts) {
      const directional = up ? a.aggBought : a.aggSold;
      const net = up ? a.bought - a.sold : a.sold - a.bought;
      if (net <= 0) continue;
      if (directional > bestQty || (directional === bestQty && acc < best)) {
        best = acc;
        bestQty = directional;
      }
    }
    if (best === '') return;
    const share = bestQty / m.volume;
    if (share < t.timing_marking_share) return;
    const a = m.accounts.get(best)!;
    const overShare = (share - t.timing_marking_share) / Math.max(1e-9, 1 - t.timing_marking_share);
    const overMove = Math.min(1, Math.abs(move) / t.timing_marking_move / 4);
    const what = m.kind === 'close' ? 'marking the close' : 'marking the open';
    const ref = m.kind === 'close' ? 'the last price before the window' : "the previous session's last price";
    ctx.emit({
      pattern: 'unusual_timing',
      episodeKey: `${m.symbol}|${m.kind}|${m.startMs}|${best}`,
      description:
        `${m.symbol}: possible ${what} by account ${best}: ${pct(share)} of the volume ${m.kind === 'close' ? 'in the last' : 'in the first'} ` +
        `${W / 60000} min of the session (${iso(m.startMs)}–${iso(m.endMs)}) was its ${up ? 'buying' : 'selling'}, and the price moved ` +
        `${pct(move)} from ${ref} (${fmt(m.refPrice)}) to ${fmt(m.lastPrice)} (thresholds: share ${pct(t.timing_marking_share)}, move ${pct(t.timing_marking_move)}). ` +
        `Check the account's reason to trade at the ${m.kind}.`,
      confidence: Math.min(1, 0.45 + 0.3 * overShare + 0.25 * overMove),
      riskScore: Math.min(1, 0.3 + 0.4 * share + 0.3 * Math.min(1, Math.abs(move) / 0.05)),
      tsMs: Math.max(m.lastTsMs, Math.min(ctx.now, m.endMs)),
      windowStartMs: m.startMs,
      windowEndMs: m.endMs,
      symbols: [m.symbol],
      accounts: [best],
      evidence: {
        tradeIds: a.ids.slice(),
        orderIds: [],
        metrics: [
          { name: 'account_share', value: round4(share), threshold: t.timing_marking_share, op: '>=', unit: 'ratio' },
          { name: 'price_move', value: round4(Math.abs(move)), threshold: t.timing_marking_move, op: '>=', unit: 'ratio' },
          { name: 'window_trades', value: m.trades, threshold: t.timing_marking_min_trades, op: '>=' },
          { name: 'window_volume', value: m.volume, unit: 'qty' },
          { name: 'account_net', value: a.bought - a.sold, unit: 'qty' },
        ],
        details: {
          rule: m.kind === 'close' ? 'marking_close' : 'marking_open',
          reference_price: m.refPrice,
          final_price: m.lastPrice,
          direction: up ? 'up' : 'down',
        },
      },
    });
  }

  function offSession(
    s: SymbolState,
    tsMs: number,
    symbol: string,
    account: string,
    qty: number,
    id: string,
    instances: SessionInstance[],
    ctx: DetectorContext,
    primary: boolean,
  ): void {
    let nextOpenMs = tsMs;
    for (const i of instances) {
      if (i.openMs > tsMs) {
        nextOpenMs = i.openMs;
        break;
      }
    }
    if (!s.off || s.off.nextOpenMs !== nextOpenMs) {
      s.off = {
        key: `${symbol}|off|${nextOpenMs}`,
        symbol,
        owner: s,
        nextOpenMs,
        startMs: tsMs,
        endMs: tsMs,
        trades: 0,
        qty: 0,
        accounts: new Set(),
        tradeIds: [],
        lastEmitTrades: 0,
      };
      st.offDeadlines.push(nextOpenMs, s.off);
    }
    const o = s.off;
    if (account !== '' && o.accounts.size < 50) o.accounts.add(account);
    // Counts and emission on the buy leg only (one per execution); the sell leg contributes its account.
    if (!primary) return;
    o.trades++;
    o.qty += qty;
    o.endMs = Math.max(o.endMs, tsMs);
    if (o.tradeIds.length < MAX_IDS) o.tradeIds.push(id);
    // Doubling steps: 1, 2, 4, 8 … trades, so a busy off-session period updates one alert a few times.
    if (o.trades < Math.max(1, o.lastEmitTrades * 2)) return;
    emitOff(o, ctx);
  }

  /** Emits (or updates) the off-session alert with its counts so far. */
  function emitOff(o: OffSession, ctx: DetectorContext): void {
    o.lastEmitTrades = o.trades;
    const nextOpenMs = o.nextOpenMs;
    ctx.emit({
      pattern: 'unusual_timing',
      episodeKey: o.key,
      description:
        `${o.symbol}: ${o.trades} trade(s), ${fmt(o.qty)} in total, executed outside the configured session ` +
        `(${iso(o.startMs)}–${iso(o.endMs)}, next open ${iso(nextOpenMs)})${o.accounts.size > 0 ? ` by ${[...o.accounts].sort().slice(0, 5).join(', ')}${o.accounts.size > 5 ? ' …' : ''}` : ''}. ` +
        `Check the venue's session configuration and whether these were permitted off-hours trades.`,
      confidence: 0.9,
      riskScore: Math.min(1, 0.2 + 0.1 * Math.log2(o.trades + 1)),
      tsMs: o.endMs,
      windowStartMs: o.startMs,
      windowEndMs: o.endMs,
      symbols: [o.symbol],
      accounts: [...o.accounts],
      evidence: {
        tradeIds: o.tradeIds.slice(),
        orderIds: [],
        metrics: [
          { name: 'off_session_trades', value: o.trades, threshold: 1, op: '>=' },
          { name: 'off_session_qty', value: o.qty, unit: 'qty' },
        ],
        details: { rule: 'off_session', next_open: iso(nextOpenMs) },
      },
    });
  }

  /**
   * Adds a named account's leg to its series in the symbol (one per (symbol, account), found by
   * integer ids: no key string, Map entry or array per leg) and judges the series when it holds N
   * instants. A new instant is the leg's time; fills in the same millisecond (one order's fills, or
   * both legs of a self-trade) merge into one.
   */
  function regularity(tsMs: number, symbol: string, side: Side, account: string, qty: number, id: string, ctx: DetectorContext): void {
    // One instant has no gap: with N = 1 every judgement had a CV of Infinity, so nothing to do.
    if (N < 2) return;
    const series = st.series;
    const bought = side === 'buy' ? qty : 0;
    const sold = side === 'sell' ? qty : 0;
    const acc = st.accounts.idOf(account);
    const sym = st.symbolIds.idOf(symbol);
    const slot = series.find(acc, sym);
    if (slot < 0) {
      // A new series: one instant, not judged (N ≥ 2), and without an episode (episodes end with their series).
      series.open(acc, sym, tsMs, bought, sold);
      st.accounts.retain(acc);
      st.symbolIds.retain(sym);
      return;
    }
    const lastTs = series.lastTs(slot);
    if (tsMs === lastTs) {
      series.merge(slot, side === 'buy', qty);
      addId(episodeOf(slot), id);
      return;
    }
    if (tsMs < lastTs) return; // late by the reorder window: ignore for timing
    if (tsMs - lastTs > t.timing_regularity_max_gap_ms) {
      series.restart(slot, tsMs, bought, sold);
      if (st.episodes.size > 0) st.episodes.delete(slot);
      return;
    }
    series.append(slot, tsMs, bought, sold);
    const ep = episodeOf(slot);
    addId(ep, id);
    // Once a series holds N instants, its last N are judged at each new one. When they are not all
    // in its run, two of their gaps are further apart than a CV under the bar allows (`maxGapRatio`):
    // not machine-like, which only counts against an open episode. (A series with an episode has
    // held N instants since its last restart, so without counting them: a run short of N with no
    // episode needs nothing, whether or not this was a judgement.)
    if (series.runOf(slot) < N) {
      notRegular(slot, ep);
      return;
    }
    series.copyRun(slot, judged);
    judgeSeries(slot, judged, ep, tsMs, symbol, account, id, ctx);
  }

  function episodeOf(slot: number): Episode | undefined {
    return st.episodes.size > 0 ? st.episodes.get(slot) : undefined;
  }

  function addId(ep: Episode | undefined, id: string): void {
    if (ep && ep.tradeIds.length < MAX_IDS) ep.tradeIds.push(id);
  }

  /**
   * Whether the gaps of a full series' last N instants are certainly not machine-like: their
   * coefficient of variation from one pass of sums (Σgap, Σgap²) is over the bar by more than
   * rounding could account for (a relative error near 1e-13 against a 1% margin). Most series that
   * reach a judgement with their gaps within `maxGapRatio` are still irregular: they end here,
   * without the exact two-pass statistics that decide (and describe) the rest.
   */
  function clearlyIrregular(p: Float64Array): boolean {
    let sum = 0;
    let sumSq = 0;
    for (let i = 1; i < N; i++) {
      const gap = p[i * STRIDE + TS]! - p[(i - 1) * STRIDE + TS]!;
      sum += gap;
      sumSq += gap * gap;
    }
    const mean = sum / (N - 1);
    if (!(mean > 0)) return false;
    const variance = Math.max(0, sumSq / (N - 1) - mean * mean);
    return Math.sqrt(variance) / mean > 1.01 * t.timing_regularity_cv;
  }

  /** An irregular judgement: the episode survives a few irregular gaps; N in a row end it. */
  function notRegular(slot: number, episode: Episode | undefined): void {
    if (episode && ++episode.failing >= N) st.episodes.delete(slot);
  }

  /** Judges the last N instants of a full series (`p`, oldest first): emits (or updates) its episode when they are machine-like. */
  function judgeSeries(
    slot: number,
    p: Float64Array,
    episode: Episode | undefined,
    tsMs: number,
    symbol: string,
    account: string,
    id: string,
    ctx: DetectorContext,
  ): void {
    if (clearlyIrregular(p)) {
      notRegular(slot, episode);
      return;
    }
    let sum = 0;
    const ts = (i: number): number => p[i * STRIDE + TS]!;
    for (let i = 1; i < N; i++) sum += ts(i) - ts(i - 1);
    const mean = sum / (N - 1);
    let sq = 0;
    for (let i = 1; i < N; i++) sq += (ts(i) - ts(i - 1) - mean) ** 2;
    const cv = mean > 0 ? Math.sqrt(sq / (N - 1)) / mean : Infinity;
    let buy = 0;
    let sell = 0;
    for (let i = 0; i < N; i++) {
      buy += p[i * STRIDE + BUY]!;
      sell += p[i * STRIDE + SELL]!;
    }
    const oneSide = Math.max(buy, sell) / Math.max(1e-12, buy + sell);
    const regular = cv < t.timing_regularity_cv && mean >= MIN_MEAN_GAP_MS && oneSide <= t.timing_regularity_max_one_side;
    if (!regular) {
      notRegular(slot, episode);
      return;
    }
    let ep = episode;
    if (!ep) {
      ep = {
        key: `${symbol}|${account}|regular|${ts(0)}`,
        startMs: ts(0),
        events: N,
        lastEmitEvents: 0,
        failing: 0,
        tradeIds: [id],
        minCv: cv,
      };
      st.episodes.set(slot, ep);
    } else {
      ep.events++;
      ep.failing = 0;
    }
    ep.minCv = Math.min(ep.minCv, cv);
    if (ep.lastEmitEvents > 0 && ep.events < ep.lastEmitEvents * 1.5) return;
    ep.lastEmitEvents = ep.events;
    const overCv = 1 - cv / t.timing_regularity_cv;
    ctx.emit({
      pattern: 'unusual_timing',
      episodeKey: ep.key,
      description:
        `${symbol}: account ${account} traded at machine-like regular intervals: ${ep.events} executions every ` +
        `${(mean / 1000).toFixed(2)}s on average with a coefficient of variation of ${cv.toFixed(3)} over the last ${N} ` +
        `(threshold ${t.timing_regularity_cv}), ${pct(buy / Math.max(1e-12, buy + sell))} buying. Check for an undisclosed algorithm or a volume-generating bot.`,
      confidence: Math.min(1, 0.5 + 0.3 * overCv + 0.2 * Math.min(1, ep.events / (3 * N))),
      riskScore: Math.min(1, 0.2 + 0.1 * Math.log2(ep.events / N + 1) + 0.2 * (1 - oneSide) * 2),
      tsMs,
      windowStartMs: ep.startMs,
      windowEndMs: tsMs,
      symbols: [symbol],
      accounts: [account],
      evidence: {
        tradeIds: ep.tradeIds.slice(),
        orderIds: [],
        metrics: [
          { name: 'gap_cv', value: round4(cv), threshold: t.timing_regularity_cv, op: '<' },
          { name: 'mean_gap_ms', value: Math.round(mean), threshold: MIN_MEAN_GAP_MS, op: '>=', unit: 'ms' },
          { name: 'series_trades', value: ep.events, threshold: N, op: '>=' },
          { name: 'one_side_share', value: round4(oneSide), threshold: t.timing_regularity_max_one_side, op: '<=', unit: 'ratio' },
        ],
        details: { rule: 'regular_timing' },
      },
    });
  }

  /**
   * Drops the series idle longer than `seriesIdleMs`, in one pass over them every sixteenth of that
   * time (so a series is dropped at most that much later: every quarter, up to a quarter more series
   * than live ones were held; a pass reads the rows in order).
   */
  function expireSeries(nowMs: number): void {
    if (nowMs < st.seriesSweepMs) return;
    st.seriesSweepMs = nowMs + seriesIdleMs / 16;
    const series = st.series;
    const cutoff = nowMs - seriesIdleMs;
    for (let slot = series.nextIdle(0, cutoff); slot >= 0; slot = series.nextIdle(slot + 1, cutoff)) {
      const acc = series.accountOf(slot);
      const sym = series.symbolOf(slot);
      series.release(slot);
      st.accounts.release(acc);
      st.symbolIds.release(sym);
      if (st.episodes.size > 0) st.episodes.delete(slot);
    }
  }

  /** Judges the marking windows that ended before now, in the order a walk of the symbols would. */
  function closeDueMarks(ctx: DetectorContext): void {
    const closing: MarkWindow[] = [];
    while (st.markDeadlines.peek() < ctx.now) {
      const m = st.markDeadlines.pop()!;
      if (m.owner.marks.includes(m)) closing.push(m);
    }
    closing.sort((a, b) => a.owner.seq - b.owner.seq || a.seq - b.seq);
    for (const m of closing) {
      const marks = m.owner.marks;
      marks.splice(marks.indexOf(m), 1);
      judgeMark(m, ctx);
    }
  }

  /** Ends the off-session periods whose next open has come (final alert update), in symbol walk order. */
  function endDueOffSessions(ctx: DetectorContext): void {
    const ending: OffSession[] = [];
    while (st.offDeadlines.peek() <= ctx.now) {
      const o = st.offDeadlines.pop()!;
      if (o.owner.off === o) ending.push(o);
    }
    ending.sort((a, b) => a.owner.seq - b.owner.seq);
    for (const o of ending) {
      if (o.trades > o.lastEmitTrades) emitOff(o, ctx);
      o.owner.off = null;
    }
  }

  /** Frees the memory of dropped symbol states; queued in order of activity, so only due ones are looked at. */
  function reclaimSymbols(nowMs: number): void {
    const q = st.symbolQueue;
    while (st.symbolQueueHead < q.length && nowMs - q[st.symbolQueueHead]!.queuedTs > SYMBOL_IDLE_MS) {
      const s = q[st.symbolQueueHead++]!;
      if (st.symbols.get(s.symbol) !== s) continue;
      if (isDropped(s)) st.symbols.delete(s.symbol);
      else {
        // Idle but with a window or period open: look again a whole idle time later.
        s.queuedTs = s.marks.length === 0 && !s.off ? s.lastTsMs : nowMs;
        q.push(s);
      }
    }
    if (st.symbolQueueHead > 4096 && st.symbolQueueHead * 2 > q.length) {
      st.symbolQueue = q.slice(st.symbolQueueHead);
      st.symbolQueueHead = 0;
    }
  }

  return {
    onTrade(trade: Trade, ctx: DetectorContext): void {
      // The new legs (not already reported by fills), as values. Sell leg first, so the buy leg
      // (which counts and emits) already knows both accounts.
      const fresh = st.executions.markTrade(trade);
      const { tsMs, symbol, price, qty, side, tradeId } = trade;
      if (fresh & SELL_LEG) onLeg(tsMs, symbol, 'sell', trade.seller, price, qty, side, tradeId, ctx);
      if (fresh & BUY_LEG) onLeg(tsMs, symbol, 'buy', trade.buyer, price, qty, side, tradeId, ctx);
    },
    onOrder(order: OrderEvent, ctx: DetectorContext): void {
      // The fill's leg when a trade did not report it already; fills carry no aggressor.
      if (st.executions.markFill(order) !== 0)
        onLeg(order.tsMs, order.symbol, order.side, order.account, order.price, order.qty, undefined, order.orderId, ctx);
    },
    onTime(ctx: DetectorContext): void {
      st.ticks++;
      st.tickNowMs = ctx.now;
      st.executions.expire(ctx.now);
      closeDueMarks(ctx);
      endDueOffSessions(ctx);
      reclaimSymbols(ctx.now);
      expireSeries(ctx.now);
      st.accounts.reclaim();
      st.symbolIds.reclaim();
    },
    snapshot: () => st,
    restore(state: unknown): void {
      st = state as State;
    },
    onEnd(ctx: DetectorContext): void {
      // Everything still open, in walk order (dropped states have nothing open).
      for (const s of st.symbols.values()) {
        for (const m of s.marks) judgeMark(m, ctx);
        s.marks.length = 0;
      }
      for (const s of st.symbols.values()) if (s.off && s.off.trades > s.off.lastEmitTrades) emitOff(s.off, ctx);
    },
  };
}

export const unusualTiming: DetectorFactory = {
  pattern: 'unusual_timing',
  version: 1,
  create: createUnusualTiming,
};
