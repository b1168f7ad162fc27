import type { Config, Session } from '../../config/config.js';
import type { OrderEvent, Trade } from '../../domain/events.js';
import type { Detector, DetectorContext, DetectorFactory } from '../detector.js';
import { AccountExecutions, type Leg } from '../window/account-executions.js';
import { sessionsAround, type SessionInstance } from './session-clock.js';
import { fmt, iso, pct, round4 } from '../format.js';
import { DeadlineQueue, visitDue } from '../window/deadline-queue.js';

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
 *    Poisson-like human or market-maker timing has CV ≈ 1. Series with more than
 *    `timing_regularity_max_one_side` of their quantity on one side are execution algorithms (TWAP
 *    slicing a parent order) and are not flagged; mean gaps under 100 ms are latency artefacts.
 */

interface MarkWindow {
  readonly kind: 'close' | 'open';
  readonly symbol: string;
  /** Its key in the owner's `marks`, the owner, and a creation number (emission order). */
  readonly key: string;
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

/**
 * One account's series in one symbol: its last instants, oldest first, as [time, bought, sold]
 * triples in one flat array (STRIDE), never empty. The array is the whole series (no object around
 * it: most series never get a second instant, and every new one lives for the gap limit).
 * Exactly as long as its instants while it fills (an instant added makes a new array): a push would
 * reserve room for 8 more instants, 176 bytes of slack in the many series that stop at two or three
 * (on a dense tape series were most of the detector's memory). A full series shifts in place.
 */
type Instants = number[];

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

/** The regularity series of one symbol, by account. */
interface SymbolSeries {
  readonly symbol: string;
  /**
   * In order of their latest instant (a series that gets one moves to the end), so the idle ones
   * are at the front: expiry reads only them, not every series (each read is a cache miss).
   */
  readonly byAccount: Map<string, Instants>;
  /**
   * Open episodes by account: few, so kept beside the series rather than in each; null while the
   * symbol has none (most never do, and an empty Map is ~170 bytes for each of 100k symbols).
   */
  episodes: Map<string, Episode> | null;
  /** When its idle series are next looked for (its entry in `seriesDeadlines`). */
  due: number;
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
  readonly marks: Map<string, MarkWindow>;
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
  /** By symbol, then account: no key string is built per leg. */
  readonly series: Map<string, SymbolSeries>;
  /**
   * Symbols by when their idle series are next dropped: one visit per symbol now and then instead of
   * a queue entry per series (nearly every leg of a 10k-account tape opens a series).
   */
  readonly seriesDeadlines: DeadlineQueue<SymbolSeries>;
}

const MAX_IDS = 500;
/** Layout of Series.points: time, quantity bought, quantity sold. */
const STRIDE = 3;
const TS = 0;
const BUY = 1;
const SELL = 2;
/** Symbol state (last price, session cache) idle this long without an open window or period is dropped. */
const SYMBOL_IDLE_MS = 7 * 86_400_000;
const MIN_MEAN_GAP_MS = 100;

function createUnusualTiming(config: Config): Detector {
  const t = config.thresholds;
  const W = t.timing_marking_window_ms;
  /** All mutable state in one graph, so a checkpoint is `snapshot()` of this object. */
  let st: State = {
    executions: new AccountExecutions(),
    symbols: new Map(),
    symbolQueue: [],
    symbolQueueHead: 0,
    markDeadlines: new DeadlineQueue(),
    offDeadlines: new DeadlineQueue(),
    created: 0,
    ticks: 0,
    tickNowMs: -Infinity,
    series: new Map(),
    seriesDeadlines: new DeadlineQueue(),
  };
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
    return st.ticks > s.touchedTick && s.marks.size === 0 && !s.off && st.tickNowMs - s.lastTsMs > SYMBOL_IDLE_MS;
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
        marks: new Map(),
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

  function onLeg(leg: Leg, ctx: DetectorContext): void {
    const session = sessionOf(leg.symbol);
    // One leg per execution for prices and volume: the buy leg (present, possibly anonymous, for every trade).
    const primary = leg.side === 'buy';
    if (session) {
      const s = stateOf(leg.symbol, leg.tsMs);
      const instances = instancesFor(s, leg.tsMs, session);
      const inSession = instances.some((i) => leg.tsMs >= i.openMs && leg.tsMs <= i.closeMs);
      if (!inSession) offSession(s, leg, instances, ctx, primary);
      const mw = inSession ? markingWindow(leg.tsMs, instances) : undefined;
      if (mw) {
        const key = `${mw.kind}|${mw.startMs}`;
        let m = s.marks.get(key);
        if (!m) {
          m = {
            kind: mw.kind,
            symbol: leg.symbol,
            key,
            owner: s,
            seq: st.created++,
            startMs: mw.startMs,
            endMs: mw.endMs,
            refPrice: Number.isFinite(s.lastPrice) && s.lastTsMs < mw.startMs ? s.lastPrice : leg.price,
            lastPrice: leg.price,
            lastTsMs: leg.tsMs,
            volume: 0,
            trades: 0,
            accounts: new Map(),
          };
          s.marks.set(key, m);
          st.markDeadlines.push(m.endMs, m);
        }
        if (primary) {
          m.volume += leg.qty;
          m.trades++;
          if (leg.tsMs >= m.lastTsMs) {
            m.lastPrice = leg.price;
            m.lastTsMs = leg.tsMs;
          }
        }
        if (leg.account !== '') {
          let a = m.accounts.get(leg.account);
          if (!a) m.accounts.set(leg.account, (a = { bought: 0, sold: 0, aggBought: 0, aggSold: 0, ids: [] }));
          // A leg counts as directional unless the tape says the other side was the aggressor.
          const aggressive = leg.aggressor === undefined || leg.aggressor === leg.side;
          if (leg.side === 'buy') {
            a.bought += leg.qty;
            if (aggressive) a.aggBought += leg.qty;
          } else {
            a.sold += leg.qty;
            if (aggressive) a.aggSold += leg.qty;
          }
          if (a.ids.length < MAX_IDS) a.ids.push(leg.id);
        }
      }
      if (primary && leg.tsMs >= s.lastTsMs) {
        s.lastPrice = leg.price;
        s.lastTsMs = leg.tsMs;
      }
    }
    if (leg.account !== '') regularity(leg, ctx);
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

  function offSession(s: SymbolState, leg: Leg, instances: SessionInstance[], ctx: DetectorContext, primary: boolean): void {
    const next = instances.find((i) => i.openMs > leg.tsMs);
    const nextOpenMs = next ? next.openMs : leg.tsMs;
    if (!s.off || s.off.nextOpenMs !== nextOpenMs) {
      s.off = {
        key: `${leg.symbol}|off|${nextOpenMs}`,
        symbol: leg.symbol,
        owner: s,
        nextOpenMs,
        startMs: leg.tsMs,
        endMs: leg.tsMs,
        trades: 0,
        qty: 0,
        accounts: new Set(),
        tradeIds: [],
        lastEmitTrades: 0,
      };
      st.offDeadlines.push(nextOpenMs, s.off);
    }
    const o = s.off;
    if (leg.account !== '' && o.accounts.size < 50) o.accounts.add(leg.account);
    // Counts and emission on the buy leg only (one per execution); the sell leg contributes its account.
    if (!primary) return;
    o.trades++;
    o.qty += leg.qty;
    o.endMs = Math.max(o.endMs, leg.tsMs);
    if (o.tradeIds.length < MAX_IDS) o.tradeIds.push(leg.id);
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

  function regularity(leg: Leg, ctx: DetectorContext): void {
    let ss = st.series.get(leg.symbol);
    if (!ss) {
      ss = { symbol: leg.symbol, byAccount: new Map(), episodes: null, due: leg.tsMs + seriesIdleMs };
      st.series.set(leg.symbol, ss);
      st.seriesDeadlines.push(ss.due, ss);
    }
    let p = ss.byAccount.get(leg.account);
    if (!p) {
      // An array literal of one instant, not the 17 slots a first push reserves.
      p = [leg.tsMs, leg.side === 'buy' ? leg.qty : 0, leg.side === 'sell' ? leg.qty : 0];
      ss.byAccount.set(leg.account, p);
    } else {
      p = extend(ss, p, leg);
      if (!p) return;
    }
    const N = t.timing_regularity_min_trades;
    const ep = episodeOf(ss, leg.account);
    if (ep && ep.tradeIds.length < MAX_IDS) ep.tradeIds.push(leg.id);
    if (p.length < N * STRIDE) return;
    judgeSeries(ss, p, ep, leg, ctx);
  }

  function episodeOf(ss: SymbolSeries, account: string): Episode | undefined {
    return ss.episodes?.get(account);
  }

  /**
   * Adds a leg to an existing series, keeping its last N instants; returns the series (a new array
   * while it fills), or undefined when the leg changes nothing more (merged into the last instant, or late).
   */
  function extend(ss: SymbolSeries, p: Instants, leg: Leg): Instants | undefined {
    const last = p.length - STRIDE; // the last instant (p is never empty)
    if (leg.tsMs === p[last + TS]) {
      // Same instant: one order's fills, or both legs of a self-trade; merge.
      if (leg.side === 'buy') p[last + BUY]! += leg.qty;
      else p[last + SELL]! += leg.qty;
      const ep = episodeOf(ss, leg.account);
      if (ep && ep.tradeIds.length < MAX_IDS) ep.tradeIds.push(leg.id);
      return undefined;
    }
    const lastTs = p[last + TS]!;
    const bought = leg.side === 'buy' ? leg.qty : 0;
    const sold = leg.side === 'sell' ? leg.qty : 0;
    let q: Instants;
    if (leg.tsMs < lastTs) return undefined; // late by the reorder window: ignore for timing
    if (leg.tsMs - lastTs > t.timing_regularity_max_gap_ms) {
      q = [leg.tsMs, bought, sold];
      ss.episodes?.delete(leg.account);
    } else if (p.length < t.timing_regularity_min_trades * STRIDE) {
      q = p.concat([leg.tsMs, bought, sold]); // an exact-size copy (a push would reserve slack)
    } else {
      // Full: drop the oldest instant, in place (a plain loop: copyWithin takes V8's slow generic path).
      q = p;
      for (let i = STRIDE; i < q.length; i++) q[i - STRIDE] = q[i]!;
      q[last + TS] = leg.tsMs;
      q[last + BUY] = bought;
      q[last + SELL] = sold;
    }
    ss.byAccount.delete(leg.account);
    ss.byAccount.set(leg.account, q);
    return q;
  }

  /**
   * Whether the gaps of a full series' last N instants are certainly not machine-like: their
   * coefficient of variation from one pass of sums (Σgap, Σgap²) is over the bar by more than
   * rounding could account for (a relative error near 1e-13 against a 1% margin). A full series
   * gets a judgement per instant and nearly all are irregular: they end here, without the exact
   * two-pass statistics that decide (and describe) the rest.
   */
  function clearlyIrregular(p: Instants, N: number): boolean {
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
  function notRegular(ss: SymbolSeries, episode: Episode | undefined, leg: Leg, N: number): void {
    if (episode && ++episode.failing >= N) ss.episodes?.delete(leg.account);
  }

  /** Judges the last N instants of a full series: emits (or updates) its episode when they are machine-like. */
  function judgeSeries(ss: SymbolSeries, p: Instants, episode: Episode | undefined, leg: Leg, ctx: DetectorContext): void {
    const N = t.timing_regularity_min_trades;
    if (clearlyIrregular(p, N)) {
      notRegular(ss, episode, leg, N);
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
      notRegular(ss, episode, leg, N);
      return;
    }
    let ep = episode;
    if (!ep) {
      ep = {
        key: `${leg.symbol}|${leg.account}|regular|${ts(0)}`,
        startMs: ts(0),
        events: N,
        lastEmitEvents: 0,
        failing: 0,
        tradeIds: [leg.id],
        minCv: cv,
      };
      (ss.episodes ??= new Map()).set(leg.account, ep);
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
        `${leg.symbol}: account ${leg.account} traded at machine-like regular intervals: ${ep.events} executions every ` +
        `${(mean / 1000).toFixed(2)}s on average with a coefficient of variation of ${cv.toFixed(3)} over the last ${N} ` +
        `(threshold ${t.timing_regularity_cv}), ${pct(buy / Math.max(1e-12, buy + sell))} buying. Check for an undisclosed algorithm or a volume-generating bot.`,
      confidence: Math.min(1, 0.5 + 0.3 * overCv + 0.2 * Math.min(1, ep.events / (3 * N))),
      riskScore: Math.min(1, 0.2 + 0.1 * Math.log2(ep.events / N + 1) + 0.2 * (1 - oneSide) * 2),
      tsMs: leg.tsMs,
      windowStartMs: ep.startMs,
      windowEndMs: leg.tsMs,
      symbols: [leg.symbol],
      accounts: [leg.account],
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
   * Drops the series idle longer than `seriesIdleMs`, visiting only the symbols due, from the front
   * of their activity order up to the first series still live, whose idle time is the symbol's next
   * visit, though no sooner than an eighth of the idle time: a walk from the front of a Map steps
   * over the holes its deletions left, so a visit per tick was a quarter of the detector's time.
   * Legs arriving late within the reorder window leave that order nearly sorted only, so a series
   * can be dropped a little late: memory only, as `seriesIdleMs` says.
   */
  function expireSeries(nowMs: number): void {
    visitDue(st.seriesDeadlines, nowMs, (ss) => {
      for (const [account, p] of ss.byAccount) {
        const lastTs = p[p.length - STRIDE + TS]!;
        if (nowMs - lastTs <= seriesIdleMs) {
          ss.due = Math.max(lastTs + seriesIdleMs, nowMs + seriesIdleMs / 8);
          st.seriesDeadlines.push(ss.due, ss);
          return;
        }
        ss.byAccount.delete(account);
        ss.episodes?.delete(account);
      }
      st.series.delete(ss.symbol);
    });
  }

  /** Judges the marking windows that ended before now, in the order a walk of the symbols would. */
  function closeDueMarks(ctx: DetectorContext): void {
    const closing: MarkWindow[] = [];
    while (st.markDeadlines.peek() < ctx.now) {
      const m = st.markDeadlines.pop()!;
      if (m.owner.marks.get(m.key) === m) closing.push(m);
    }
    closing.sort((a, b) => a.owner.seq - b.owner.seq || a.seq - b.seq);
    for (const m of closing) {
      m.owner.marks.delete(m.key);
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
        s.queuedTs = s.marks.size === 0 && !s.off ? s.lastTsMs : nowMs;
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
      // Sell leg first, so the buy leg (which counts and emits) already knows both accounts.
      for (const leg of st.executions.fromTrade(trade).legs.reverse()) onLeg(leg, ctx);
    },
    onOrder(order: OrderEvent, ctx: DetectorContext): void {
      if (order.action !== 'fill') return;
      for (const leg of st.executions.fromFill(order).legs) onLeg(leg, ctx);
    },
    onTime(ctx: DetectorContext): void {
      st.ticks++;
      st.tickNowMs = ctx.now;
      st.executions.expire(ctx.now);
      closeDueMarks(ctx);
      endDueOffSessions(ctx);
      reclaimSymbols(ctx.now);
      expireSeries(ctx.now);
    },
    snapshot: () => st,
    restore(state: unknown): void {
      st = state as State;
    },
    onEnd(ctx: DetectorContext): void {
      // Everything still open, in walk order (dropped states have nothing open).
      for (const s of st.symbols.values()) {
        for (const m of s.marks.values()) judgeMark(m, ctx);
        s.marks.clear();
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
