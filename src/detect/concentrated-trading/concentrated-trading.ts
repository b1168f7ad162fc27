import type { Config } from '../../config/config.js';
import type { OrderEvent, Side, Trade } from '../../domain/events.js';
import type { Detector, DetectorContext, DetectorFactory, SharedState } from '../detector.js';
import { type AccountExecutions, BUY_LEG, SELL_LEG, SharedExecutions } from '../window/account-executions.js';
import { AccountIds } from '../window/account-ids.js';
import { DeadlineQueue, visitDue } from '../window/deadline-queue.js';
import { appendZeros } from '../window/tight-array.js';
import { BOUGHT, BOUGHT_INIT, BUY_NET, BUY_SEQ, FlowTable, LEGS, SELL_NET, SELL_SEQ, SOLD, SOLD_INIT } from './flow-table.js';
import { fmt, pct, round4 } from '../format.js';

/**
 * concentrated_trading (MAR Annex II 1(a)(i): orders or transactions that represent a significant
 * proportion of the daily volume; MAR Art. 12(2)(a): a dominant position over supply or demand).
 *
 * Per symbol, a sliding window (`concentration_window_ms`) of execution legs. Each trade's quantity
 * counts once for its buyer (on the buy side) and once for its seller (on the sell side); legs
 * without an account still count in the side's total V, so an anonymous tape dilutes shares and
 * never alerts. An account's weight on a side is the flow it drove that way, net of all it traded
 * the other way: qᵢ = max(0, initiated buysᵢ − soldᵢ) on the buy side (the reverse on the sell
 * side). "Initiated" leaves out legs where the account's resting order was taken by someone
 * else's aggressive order (when the tape says who the aggressor was): a market maker that
 * supplies a one-way flow ends up net short, but the demand was the aggressor's, not its supply.
 * Netting makes a dominant position a position: an account that buys and sells alike (a liquidity
 * provider, a day trader) dominates neither side. For each side the
 * Herfindahl–Hirschman index HHI = Σ (qᵢ / V)² and the top account's share qᵢ / V are kept
 * incrementally (O(1) per leg).
 * Alerts when, on a side, HHI ≥ `concentration_threshold` and the top share ≥
 * `concentration_top_share`, with at least `concentration_min_trades` trades and
 * `concentration_min_accounts` accounts in the window. Sliding (not tumbling) so a burst that
 * straddles a boundary is not split in two. One alert per symbol and side while
 * the condition keeps holding (a gap of one window ends the episode).
 */

interface Episode {
  readonly key: string;
  readonly side: Side;
  readonly top: string;
  readonly startMs: number;
  lastHoldMs: number;
  readonly accounts: Set<string>;
  readonly tradeIds: string[];
  readonly seenIds: Set<string>;
  lastEmitHhi: number;
  lastEmitShare: number;
  lastEmitTrades: number;
  peakHhi: number;
  peakShare: number;
}

/**
 * One symbol's window. Each side's totals (at the head of `legNums`): Σ qᵢ² over named accounts (kept incrementally) and all
 * quantity on the side, anonymous legs included. Which accounts hold a net flow each way is in
 * their flow (`BUY_NET` / `SELL_NET` > 0 in a row, or an initiated one leg), with the order they
 * came to hold it (`BUY_SEQ` / `SELL_SEQ`, or the leg's): a map of the holders would be inserted
 * into and deleted from on nearly every leg, and is read only when alerting.
 */
export interface SymbolState {
  readonly symbol: string;
  /** When `onTime` must next look at this symbol (see `visit`); Infinity when not queued. */
  due: number;
  /**
   * The window's running numbers (`HEAD` of them: the latest leg time, each side's Σq² and total),
   * then the legs in the window, oldest first: leg number `firstLeg` to `firstLeg + size - 1` (numbered
   * as they came, from 0 when the state was made), leg n at place `n & (legIds.length - 1)` of a
   * ring (a power of two places): no object per leg, and no array that is copied or reallocated
   * as legs come and go (only when the ring grows or shrinks). Per place: time, quantity, the
   * sequence number it gave its account, if any, and the kind bits (`SELL`, `INITIATED`, `IN_ROW`)
   * with the account id + 1 (0: anonymous) as one integer, `(id + 1) * 8 + kind` (`LEG_FIELDS`
   * numbers in `legNums` from `legAt(place)`; the last read back as an integer, `metaOf`); and the
   * trade or order id. (The kind and account in an array apart were ~64 bytes more per symbol; the
   * running numbers as fields of this object were a heap number each, ~100 bytes more.)
   */
  legNums: number[];
  legIds: string[];
  firstLeg: number;
  size: number;
  /** Executions (buy legs) in the window: the trade count. */
  trades: number;
  /**
   * Named accounts with legs in the window; none while every named account of the window has one leg
   * (of a quantity over the 1e-9 floor) and the window holds at most `LOOSE_LEGS` legs: their flows
   * are their legs, found by looking along the ring (most symbols' windows hold a few trades among
   * different accounts, and a table was ~250 bytes). Those legs' account ids are then held
   * (`AccountIds.retain`) by the legs, until they leave the window or the table is made (`flowsOf`).
   */
  flows: FlowTable | undefined;
  /** Distinct named accounts with legs in the window. */
  accounts: number;
  /** Counter for `BUY_SEQ` / `SELL_SEQ`. */
  seq: number;
  /** The open episode of each side (one alert per symbol and side while the condition holds). */
  buyEpisode: Episode | undefined;
  sellEpisode: Episode | undefined;
}

interface State {
  readonly executions: AccountExecutions;
  /** Ids of the accounts in the symbols' flow tables (the engine's table, shared with other detectors). */
  readonly accounts: AccountIds;
  readonly symbols: Map<string, SymbolState>;
  /** Symbols by the time their state may be dropped: `onTime` visits only those, not every symbol. */
  readonly due: DeadlineQueue<SymbolState>;
  /** Event time of the latest tick (`onTime`): episodes end at ticks (see `openEpisode`). */
  lastTickMs: number;
}

const MAX_IDS = 500;
/** Bits of a leg's kind: a sell leg (else a buy leg); initiated by the account (its side was the aggressor, or the aggressor is unknown). */
const SELL = 1;
const INITIATED = 2;
/** A leg whose account has a row (else the leg is its account's only one in the window, see `FlowTable`). */
const IN_ROW = 4;
/**
 * The window's running numbers at the head of `SymbolState.legNums`, unboxed (fields of the state
 * object held a heap number each: 47k symbols had a window at the end of the 100k-symbol file): the
 * latest time of a leg since the state was made (episodes hold at leg times, so at or before it),
 * each side's Σ qᵢ² over named accounts (kept incrementally) and all quantity on the side,
 * anonymous legs included.
 */
const LAST_LEG_MS = 0;
const BUY_SUM_SQ = 1;
const BUY_TOTAL = 2;
const SELL_SUM_SQ = 3;
const SELL_TOTAL = 4;
const HEAD = 5;
/** A new state's `legNums`: the head only (doubles: the array keeps them unboxed; `slice` keeps its kind). */
const NEW_HEAD: readonly number[] = [-Infinity, 0, 0, 0, 0];
/** A leg's numbers in `SymbolState.legNums`, from `legAt(place)`. */
const LEG_TS = 0;
const LEG_QTY = 1;
const LEG_SEQ = 2;
const LEG_META = 3;
const LEG_FIELDS = 4;
/** Legs a window without a flow table holds at most (each new named leg's account is looked for along them). */
const LOOSE_LEGS = 8;
/** Smallest ring of legs (a power of two): many symbols hold the two legs of one trade. */
const MIN_LEGS = 2;
/** Empty ids (''), shared (`slice` copies them: a packed array of exact length). */
const NO_IDS: string[] = [];

function emptyIds(n: number): string[] {
  while (NO_IDS.length < n) NO_IDS.push('');
  return NO_IDS.slice(0, n);
}

/**
 * The detector as a class: one set of methods for every engine. As closures made per engine, each
 * engine had its own `visit`, `releaseLegs`, … and optimised code that had inlined one engine's
 * threw itself away at the first call of another's ("wrong call target"): in the live engine,
 * after the warm-up's, at its first symbol whose window emptied.
 */
class ConcentratedTrading implements Detector {
  private readonly t: Config['thresholds'];
  private readonly windowMs: number;
  /** All mutable state, in one object so a checkpoint is `snapshot()` of it and a restore swaps it. */
  private st: State;
  /** Scratch for the live index entries (judge), reused. */
  private readonly used: number[] = [];

  constructor(config: Config, shared: SharedState) {
    this.t = config.thresholds;
    this.windowMs = this.t.concentration_window_ms;
    this.st = {
      executions: SharedExecutions.of(shared),
      accounts: AccountIds.of(shared),
      symbols: new Map(),
      due: new DeadlineQueue(),
      lastTickMs: -Infinity,
    };
  }

  /** Positions of the live entries of `s`'s index (in no meaningful order). */
  private liveEntries(s: SymbolState): number[] {
    this.used.length = 0;
    const index = s.flows!.index;
    for (let e = 0; e < index.length; e += 2) if (index[e]! > 0 && (index[e + 1]! < 0 || index[e + 1]! >= s.firstLeg)) this.used.push(e);
    return this.used;
  }

  private stateOf(symbol: string): SymbolState {
    let s = this.st.symbols.get(symbol);
    if (!s) {
      s = {
        symbol,
        due: Infinity,
        legNums: NEW_HEAD.slice(),
        legIds: [],
        firstLeg: 0,
        size: 0,
        trades: 0,
        flows: undefined,
        accounts: 0,
        seq: 0,
        buyEpisode: undefined,
        sellEpisode: undefined,
      };
      this.st.symbols.set(symbol, s);
    }
    return s;
  }

  /**
   * Adds (`sign` 1) or removes (-1) a leg of `kind` (`SELL`, `INITIATED` bits) and quantity `qty`
   * to the flow in row `slot` (index entry `e`); deletes the row once it is back to a new flow's
   * numbers. (The side totals are the caller's.)
   */
  private apply(s: SymbolState, kind: number, qty: number, slot: number, e: number, sign: 1 | -1): void {
    const sell = (kind & SELL) !== 0;
    const f = s.flows!.rows;
    const r = FlowTable.at(slot);
    const buyBefore = Math.max(0, f[r + BOUGHT_INIT]! - f[r + SOLD]!);
    const sellBefore = Math.max(0, f[r + SOLD_INIT]! - f[r + BOUGHT]!);
    const initiated = (kind & INITIATED) !== 0;
    if (!sell) {
      f[r + BOUGHT]! += sign * qty;
      if (initiated) f[r + BOUGHT_INIT]! += sign * qty;
    } else {
      f[r + SOLD]! += sign * qty;
      if (initiated) f[r + SOLD_INIT]! += sign * qty;
    }
    const buyAfter = Math.max(0, f[r + BOUGHT_INIT]! - f[r + SOLD]!);
    const sellAfter = Math.max(0, f[r + SOLD_INIT]! - f[r + BOUGHT]!);
    if (buyBefore !== buyAfter) {
      s.legNums[BUY_SUM_SQ]! += buyAfter * buyAfter - buyBefore * buyBefore;
      if (f[r + BUY_NET] === 0 && buyAfter > 1e-9) f[r + BUY_SEQ] = s.seq++;
      f[r + BUY_NET] = buyAfter > 1e-9 ? buyAfter : 0;
    }
    if (sellBefore !== sellAfter) {
      s.legNums[SELL_SUM_SQ]! += sellAfter * sellAfter - sellBefore * sellBefore;
      if (f[r + SELL_NET] === 0 && sellAfter > 1e-9) f[r + SELL_SEQ] = s.seq++;
      f[r + SELL_NET] = sellAfter > 1e-9 ? sellAfter : 0;
    }
    // Nothing bought or sold any more: start the sums over from zero (float residue must not linger).
    if (f[r + BOUGHT]! <= 1e-9 && f[r + SOLD]! <= 1e-9) f[r + BOUGHT] = f[r + SOLD] = f[r + BOUGHT_INIT] = f[r + SOLD_INIT] = 0;
    const wasPresent = f[r + LEGS]! > 0;
    f[r + LEGS]! += sign;
    if (f[r + LEGS]! <= 0) f[r + LEGS] = 0;
    if (wasPresent !== f[r + LEGS]! > 0) s.accounts += wasPresent ? -1 : 1;
    // Its numbers are now those of a new flow (zeros; the sequence numbers are set before they are read).
    if (f[r + LEGS] === 0 && f[r + BOUGHT] === 0 && f[r + SOLD] === 0 && f[r + BUY_NET] === 0 && f[r + SELL_NET] === 0)
      s.flows!.deleteRow(e, slot);
  }

  /*
   * An account's only leg in the window is its flow: what `apply` does to a new row (and back to
   * zeros), for a quantity above the 1e-9 floor (the row path takes the others). An initiated leg
   * holds a net flow of its quantity on its side, with the next sequence number.
   */
  private addOnly(s: SymbolState, kind: number, qty: number): number {
    s.accounts++;
    if ((kind & INITIATED) === 0) return 0;
    if ((kind & SELL) !== 0) s.legNums[SELL_SUM_SQ]! += qty * qty;
    else s.legNums[BUY_SUM_SQ]! += qty * qty;
    return s.seq++;
  }

  private removeOnly(s: SymbolState, kind: number, qty: number): void {
    s.accounts--;
    if ((kind & INITIATED) === 0) return;
    if ((kind & SELL) !== 0) s.legNums[SELL_SUM_SQ]! -= qty * qty;
    else s.legNums[BUY_SUM_SQ]! -= qty * qty;
  }

  /** The row `apply` would have made of leg `n`, its account's only one so far, for the account's second leg. */
  private rowOfOnly(s: SymbolState, n: number): number {
    const p = n & (s.legIds.length - 1);
    const kind = metaOf(s, p) & 7;
    const qty = s.legNums[legAt(p) + LEG_QTY]!;
    const slot = s.flows!.newRow();
    const f = s.flows!.rows;
    const r = FlowTable.at(slot);
    const initiated = (kind & INITIATED) !== 0;
    if ((kind & SELL) !== 0) {
      f[r + SOLD] = qty;
      if (initiated) {
        f[r + SOLD_INIT] = qty;
        f[r + SELL_NET] = qty;
        f[r + SELL_SEQ] = s.legNums[legAt(p) + LEG_SEQ]!;
      }
    } else {
      f[r + BOUGHT] = qty;
      if (initiated) {
        f[r + BOUGHT_INIT] = qty;
        f[r + BUY_NET] = qty;
        f[r + BUY_SEQ] = s.legNums[legAt(p) + LEG_SEQ]!;
      }
    }
    f[r + LEGS] = 1;
    s.legNums[legAt(p) + LEG_META] = metaOf(s, p) | IN_ROW;
    return slot;
  }

  private expire(s: SymbolState, nowMs: number): void {
    const cutoff = nowMs - this.windowMs;
    const nums = s.legNums;
    const mask = s.legIds.length - 1;
    let n = s.firstLeg;
    const end = n + s.size;
    if (n === end || !(nums[legAt(n & mask) + LEG_TS]! < cutoff)) return;
    do {
      const p = n & mask;
      const meta = metaOf(s, p);
      const qty = nums[legAt(p) + LEG_QTY]!;
      if ((meta & SELL) !== 0) nums[SELL_TOTAL]! -= qty;
      else {
        nums[BUY_TOTAL]! -= qty;
        s.trades--;
      }
      if (meta >= 8) {
        if ((meta & IN_ROW) === 0) {
          this.removeOnly(s, meta, qty);
          if (s.flows === undefined) this.st.accounts.release((meta >> 3) - 1);
        } else {
          const e = s.flows!.locate((meta >> 3) - 1, n);
          this.apply(s, meta, qty, -1 - s.flows!.index[e + 1]!, e, -1);
        }
      }
      s.legIds[p] = ''; // the ring must not keep the id string alive
      n++;
    } while (n < end && nums[legAt(n & mask) + LEG_TS]! < cutoff);
    s.firstLeg = n;
    s.size = end - n;
    if (s.size === 0) {
      // An empty window: Σq² starts over from zero (incremental float sums drift over an endless stream).
      nums[BUY_SUM_SQ] = 0;
      nums[SELL_SUM_SQ] = 0;
    }
    // A ring sixteen times too big (after a burst) shrinks to four times: room to grow again before it must.
    if (mask + 1 > MIN_LEGS && 16 * s.size < mask + 1) this.resizeLegs(s, Math.max(MIN_LEGS, (mask + 1) >> 2));
  }

  /**
   * Moves the legs to a ring of `places` places (a power of two, at least `size`): twice the places
   * when full, a quarter when mostly empty (see `expire`), and `MIN_LEGS` for a new window.
   *
   * Doubling is the ring written twice after the head (`concat`): leg n sits at n & (old places - 1) in each half,
   * which is n & (places - 1) in one of them, so nothing moves, and each array is allocated once, of
   * exactly the new length (a ring filled by pushes was reallocated ~25 times on its way to 32k legs
   * in a burst, then copied once more when its first time turned it into an array of doubles). The
   * other half's copy of each id is cleared: the ring must not keep a string alive past its leg.
   * Shrinking copies the live legs into a prefix of the old arrays (`slice`: one allocation each, of
   * exactly that length, elements of the same kind); a new window's arrays are of exactly two places
   * (`tight-array.ts`). The head of `legNums` goes along unchanged.
   */
  private resizeLegs(s: SymbolState, places: number): void {
    const old = s.legIds.length;
    const end = s.firstLeg + s.size;
    if (old > 0 && places === 2 * old) {
      s.legNums = s.legNums.concat(s.legNums.slice(HEAD));
      const ids = s.legIds.concat(s.legIds);
      for (let n = s.firstLeg; n < end; n++) ids[(n & (places - 1)) ^ old] = '';
      s.legIds = ids;
      return;
    }
    const nums = old === 0 ? appendZeros(s.legNums, LEG_FIELDS * places, 0) : s.legNums.slice(0, legAt(places));
    const ids = old === 0 ? emptyIds(places) : s.legIds.slice(0, places).fill('');
    const oldMask = old - 1;
    for (let n = s.firstLeg; n < end; n++) {
      const from = n & oldMask;
      const to = n & (places - 1);
      for (let k = 0; k < LEG_FIELDS; k++) nums[legAt(to) + k] = s.legNums[legAt(from) + k]!;
      ids[to] = s.legIds[from]!;
    }
    s.legNums = nums;
    s.legIds = ids;
  }

  /** A new leg of symbol `s`: `account` '' when anonymous, `aggressor` the trade's aggressor side when known. */
  private onLeg(
    s: SymbolState,
    tsMs: number,
    side: Side,
    account: string,
    qty: number,
    aggressor: Side | undefined,
    id: string,
    ctx: DetectorContext,
  ): void {
    this.expire(s, ctx.now);
    let kind = (side === 'sell' ? SELL : 0) | (aggressor === undefined || aggressor === side ? INITIATED : 0);
    if (kind & SELL) s.legNums[SELL_TOTAL]! += qty;
    else {
      s.legNums[BUY_TOTAL]! += qty;
      s.trades++;
    }
    if (s.size === s.legIds.length) this.resizeLegs(s, Math.max(MIN_LEGS, 2 * s.size));
    const n = s.firstLeg + s.size;
    const p = n & (s.legIds.length - 1);
    let seq = 0;
    const accountId = account === '' ? -1 : this.st.accounts.idOf(account);
    if (accountId >= 0 && s.flows === undefined && qty > 1e-9 && s.size < LOOSE_LEGS && !this.hasLegOf(s, accountId)) {
      // The account's only leg, in a window without a table (see `SymbolState.flows`).
      this.st.accounts.retain(accountId);
      seq = this.addOnly(s, kind, qty);
    } else if (accountId >= 0) {
      const flows = this.flowsOf(s);
      let e = flows.locate(accountId, s.firstLeg);
      if (!flows.isLive(e, accountId, s.firstLeg) && qty > 1e-9) {
        flows.add(e, accountId, n, s.firstLeg);
        seq = this.addOnly(s, kind, qty);
      } else {
        let slot: number;
        if (!flows.isLive(e, accountId, s.firstLeg)) {
          slot = flows.newRow();
          e = flows.add(e, accountId, -1 - slot, s.firstLeg);
        } else if (flows.index[e + 1]! >= 0) {
          slot = this.rowOfOnly(s, flows.index[e + 1]!);
          flows.index[e + 1] = -1 - slot;
        } else slot = -1 - flows.index[e + 1]!;
        kind |= IN_ROW;
        this.apply(s, kind, qty, slot, e, 1);
      }
    }
    const nums = s.legNums;
    const at = legAt(p);
    nums[at + LEG_TS] = tsMs;
    nums[at + LEG_QTY] = qty;
    nums[at + LEG_SEQ] = seq;
    nums[at + LEG_META] = (accountId + 1) * 8 + kind;
    s.legIds[p] = id;
    s.size++;
    nums[LAST_LEG_MS] = Math.max(nums[LAST_LEG_MS]!, tsMs);
    // Once event time is a window past its latest leg, the symbol has nothing left: be visited then.
    this.schedule(s, nums[LAST_LEG_MS] + this.windowMs);
    if (account === '') return;
    // Most legs end here, on numbers at hand: the rest of the judgement (`judge`) is for a window that concentrates.
    if (s.trades < this.t.concentration_min_trades || s.accounts < this.t.concentration_min_accounts) return;
    const total = nums[side === 'buy' ? BUY_TOTAL : SELL_TOTAL]!;
    if (total <= 0) return;
    const hhi = nums[side === 'buy' ? BUY_SUM_SQ : SELL_SUM_SQ]! / (total * total);
    if (hhi < this.t.concentration_threshold) return;
    this.judge(s, side, tsMs, hhi, total, ctx);
  }

  /**
   * The symbol's flow table, made when it has none from the window's legs (each its account's only
   * one, see `SymbolState.flows`): what adding them one by one would have made, but for where the
   * entries are (no one reads them in an order).
   */
  private flowsOf(s: SymbolState): FlowTable {
    if (s.flows !== undefined) return s.flows;
    const flows = new FlowTable(this.st.accounts);
    const mask = s.legIds.length - 1;
    for (let n = s.firstLeg; n < s.firstLeg + s.size; n++) {
      const meta = metaOf(s, n & mask);
      if (meta < 8) continue;
      const id = (meta >> 3) - 1;
      flows.add(flows.locate(id, s.firstLeg), id, n, s.firstLeg);
      this.st.accounts.release(id); // held by the table now
    }
    s.flows = flows;
    return flows;
  }

  /** Whether account `id` has a leg in the window of `s`. */
  private hasLegOf(s: SymbolState, id: number): boolean {
    const mask = s.legIds.length - 1;
    for (let n = s.firstLeg; n < s.firstLeg + s.size; n++) if (metaOf(s, n & mask) >> 3 === id + 1) return true;
    return false;
  }

  /** Lets go of the account ids held by the legs of a window without a table (the symbol's state is being dropped). */
  private releaseLegs(s: SymbolState): void {
    const mask = s.legIds.length - 1;
    for (let n = s.firstLeg; n < s.firstLeg + s.size; n++) {
      const meta = metaOf(s, n & mask);
      if (meta >= 8) this.st.accounts.release((meta >> 3) - 1);
    }
  }

  /** Makes sure `onTime` looks at `s` once event time passes `due` (an earlier visit is harmless). */
  private schedule(s: SymbolState, due: number): void {
    if (due >= s.due) return;
    s.due = due;
    this.st.due.push(due, s);
  }

  /**
   * A tick's visit to a symbol that may have nothing left. Ticks do not expire legs or end episodes
   * one by one: the next leg expires what left the window before it is judged (the same legs, in
   * the same order, as ticks would have), and an episode counts as ended from the first tick a
   * window past its last hold (`openEpisode`). What a tick must do on time is drop the state of a
   * symbol whose every leg has left the window and every episode has ended: the first tick a window
   * past its latest leg, as the walk over all symbols did.
   */
  private visit(s: SymbolState, nowMs: number): void {
    if (nowMs - this.windowMs > s.legNums[LAST_LEG_MS]!) {
      if (s.flows !== undefined) s.flows.dropAll();
      else this.releaseLegs(s);
      this.st.symbols.delete(s.symbol);
    } else this.schedule(s, s.legNums[LAST_LEG_MS]! + this.windowMs);
  }

  /** The side's episode, if one is open: it ended at the first tick more than a window after its last hold. */
  private openEpisode(s: SymbolState, side: Side): Episode | undefined {
    const ep = side === 'buy' ? s.buyEpisode : s.sellEpisode;
    if (!ep || this.st.lastTickMs - ep.lastHoldMs <= this.windowMs) return ep;
    if (side === 'buy') s.buyEpisode = undefined;
    else s.sellEpisode = undefined;
    return undefined;
  }

  /** Judges `side` of `s` after a named leg at `tsMs`, whose HHI is past the threshold (side volume `total`). */
  private judge(s: SymbolState, side: Side, tsMs: number, hhi: number, total: number, ctx: DetectorContext): void {
    const symbol = s.symbol;
    // The accounts' flows this way: in their row, or their one leg (see `FlowTable`).
    const flows = this.flowsOf(s);
    const f = flows.rows;
    const index = flows.index;
    const mask = s.legIds.length - 1;
    const kind = side === 'sell' ? SELL : 0;
    const netOf = (e: number): number => {
      const v = index[e + 1]!;
      if (v < 0) return f[FlowTable.at(-1 - v) + (side === 'buy' ? BUY_NET : SELL_NET)]!;
      const meta = metaOf(s, v & mask);
      return (meta & SELL) === kind && (meta & INITIATED) !== 0 ? s.legNums[legAt(v & mask) + LEG_QTY]! : 0;
    };
    // The top account: the largest flow, ties to the smallest name. One pass over the index, names
    // read only on a tie (most judgements end at the share check below, and the index of a busy
    // symbol holds thousands of accounts: a name per entry was most of the pass).
    let topQty = 0;
    let topEntry = -1;
    const firstLeg = s.firstLeg;
    for (let e = 0; e < index.length; e += 2) {
      if (!(index[e]! > 0) || (index[e + 1]! >= 0 && index[e + 1]! < firstLeg)) continue; // empty, deleted or dead
      const q = netOf(e);
      if (q > topQty) {
        topQty = q;
        topEntry = e;
      } else if (q === topQty && q !== 0 && flows.account(e) < flows.account(topEntry)) topEntry = e;
    }
    const share = topQty / total;
    if (share < this.t.concentration_top_share) return;
    const top = topEntry >= 0 ? flows.account(topEntry) : '';

    // One episode per symbol and side: a change of the leading account extends it rather than raising a new alert.
    let ep = this.openEpisode(s, side);
    const windowStart = s.size > 0 ? s.legNums[legAt(s.firstLeg & mask) + LEG_TS]! : tsMs;
    if (!ep) {
      ep = {
        key: `${symbol}|${side}|${windowStart}`,
        side,
        top,
        startMs: windowStart,
        lastHoldMs: tsMs,
        accounts: new Set(),
        tradeIds: [],
        seenIds: new Set(),
        lastEmitHhi: 0,
        lastEmitShare: 0,
        lastEmitTrades: 0,
        peakHhi: 0,
        peakShare: 0,
      };
      if (side === 'buy') s.buyEpisode = ep;
      else s.sellEpisode = ep;
    }
    ep.lastHoldMs = tsMs;
    ep.peakHhi = Math.max(ep.peakHhi, hhi);
    ep.peakShare = Math.max(ep.peakShare, share);
    const material =
      ep.lastEmitTrades === 0 || hhi >= ep.lastEmitHhi + 0.05 || share >= ep.lastEmitShare + 0.05 || s.trades >= ep.lastEmitTrades * 2;
    if (!material) return;
    ep.lastEmitHhi = hhi;
    ep.lastEmitShare = share;
    ep.lastEmitTrades = s.trades;
    // The dominating accounts: the top one plus any holding at least half the top share threshold.
    const dominant: [string, number][] = [];
    const order: number[] = [];
    for (const e of this.liveEntries(s)) {
      const q = netOf(e);
      if (q === 0 || (e !== topEntry && q / total < this.t.concentration_top_share / 2)) continue;
      dominant.push([flows.account(e), q]);
      const v = index[e + 1]!;
      order.push(v < 0 ? f[FlowTable.at(-1 - v) + (side === 'buy' ? BUY_SEQ : SELL_SEQ)]! : s.legNums[legAt(v & mask) + LEG_SEQ]!);
    }
    // Largest first; ties in the order the accounts came to hold their flow.
    const rank = dominant.map((_, i) => i).sort((i, j) => dominant[j]![1] - dominant[i]![1] || order[i]! - order[j]!);
    const ranked = rank.map((i) => dominant[i]!);
    for (const [a] of ranked) ep.accounts.add(a);
    // Evidence: the dominating accounts' legs on this side in the window (bounded; scanned only when emitting).
    for (let n = s.firstLeg; n < s.firstLeg + s.size && ep.tradeIds.length < MAX_IDS; n++) {
      const meta = metaOf(s, n & mask);
      const id = s.legIds[n & mask]!;
      if ((meta & SELL) === kind && meta >= 8 && ep.accounts.has(this.st.accounts.name((meta >> 3) - 1)) && !ep.seenIds.has(id)) {
        ep.seenIds.add(id);
        ep.tradeIds.push(id);
      }
    }

    const accounts = [...ep.accounts].sort();
    const overHhi = (hhi - this.t.concentration_threshold) / Math.max(1e-9, 1 - this.t.concentration_threshold);
    const overShare = (share - this.t.concentration_top_share) / Math.max(1e-9, 1 - this.t.concentration_top_share);
    const sideWord = side === 'buy' ? 'buying' : 'selling';
    // How one-way the top account traded: net over gross on its side (1 = it never traded the other way).
    const topValue = index[topEntry + 1]!;
    const topGross = topValue < 0 ? f[FlowTable.at(-1 - topValue) + (side === 'buy' ? BOUGHT : SOLD)]! : topQty;
    const oneSided = topGross > 0 ? Math.min(1, topQty / topGross) : 0;
    ctx.emit({
      pattern: 'concentrated_trading',
      episodeKey: ep.key,
      description:
        `${symbol}: account ${top} did ${pct(share)} of all ${sideWord} (initiated, net of its own opposite trades) (${fmt(topQty)} of ${fmt(total)}) over the last ` +
        `${this.windowMs / 60000} min; HHI of ${sideWord} shares ${hhi.toFixed(3)} (thresholds: top share ${pct(this.t.concentration_top_share)}, HHI ${this.t.concentration_threshold}) ` +
        `across ${s.trades} trades and ${s.accounts} accounts. Review for control of ${side === 'buy' ? 'demand' : 'supply'} (MAR Annex II 1(a)(i)).`,
      // Confidence: how far past both thresholds, and whether the account trades one way only (no liquidity provision).
      confidence: Math.min(1, 0.45 + 0.2 * overHhi + 0.2 * overShare + 0.15 * oneSided),
      // Risk: how dominant and how much activity is involved.
      riskScore: Math.min(
        1,
        0.25 + 0.4 * share + 0.15 * Math.min(1, Math.log10(s.trades / this.t.concentration_min_trades + 1) * 2) + 0.1 * oneSided,
      ),
      tsMs: tsMs,
      windowStartMs: ep.startMs,
      windowEndMs: tsMs,
      symbols: [symbol],
      accounts,
      evidence: {
        tradeIds: ep.tradeIds.slice(),
        orderIds: [],
        metrics: [
          { name: 'hhi', value: round4(hhi), threshold: this.t.concentration_threshold, op: '>=' },
          { name: 'top_share', value: round4(share), threshold: this.t.concentration_top_share, op: '>=', unit: 'ratio' },
          { name: 'window_trades', value: s.trades, threshold: this.t.concentration_min_trades, op: '>=' },
          { name: 'window_accounts', value: s.accounts, threshold: this.t.concentration_min_accounts, op: '>=' },
          { name: 'top_qty', value: topQty, unit: 'qty' },
          { name: 'side_volume', value: total, unit: 'qty' },
          { name: 'top_one_sidedness', value: round4(oneSided), unit: 'ratio' },
        ],
        details: {
          side,
          top_account: top,
          shares: Object.fromEntries(ranked.map(([a, q]) => [a, round4(q / total)])),
          window_ms: this.windowMs,
        },
      },
    });
  }

  onTrade(t: Trade, ctx: DetectorContext): void {
    const fresh = this.st.executions.markTrade(t);
    if (fresh === 0) return;
    const s = this.stateOf(t.symbol);
    if (fresh & BUY_LEG) this.onLeg(s, t.tsMs, 'buy', t.buyer, t.qty, t.side, t.tradeId, ctx);
    if (fresh & SELL_LEG) this.onLeg(s, t.tsMs, 'sell', t.seller, t.qty, t.side, t.tradeId, ctx);
  }

  onOrder(order: OrderEvent, ctx: DetectorContext): void {
    // The fill's leg when a trade did not report it already; fills carry no aggressor.
    if (this.st.executions.markFill(order) !== 0)
      this.onLeg(this.stateOf(order.symbol), order.tsMs, order.side, order.account, order.qty, undefined, order.orderId, ctx);
  }

  onTime(ctx: DetectorContext): void {
    this.st.lastTickMs = ctx.now;
    this.st.executions.expire(ctx.now);
    visitDue(this.st.due, ctx.now, (s) => this.visit(s, ctx.now));
    this.st.accounts.reclaim();
  }

  snapshot(): unknown {
    return this.st;
  }

  restore(state: unknown): void {
    this.st = state as State;
  }
}

/** The kind bits and account id + 1 of the leg at place `p` of `s`'s ring, as the integer they were stored as. */
export function metaOf(s: SymbolState, p: number): number {
  return s.legNums[legAt(p) + LEG_META]! | 0;
}

/** The quantity of the leg at place `p` of `s`'s ring. */
export function legQty(s: SymbolState, p: number): number {
  return s.legNums[legAt(p) + LEG_QTY]!;
}

/** Where the numbers of the leg at place `p` start in `legNums` (after the head). */
function legAt(p: number): number {
  return HEAD + LEG_FIELDS * p;
}

/** The window's side totals and Σq² of `s`: [buy total, sell total, buy Σq², sell Σq²]. */
export function sideNumbers(s: SymbolState): [number, number, number, number] {
  const nums = s.legNums;
  return [nums[BUY_TOTAL]!, nums[SELL_TOTAL]!, nums[BUY_SUM_SQ]!, nums[SELL_SUM_SQ]!];
}

export const concentratedTrading: DetectorFactory = {
  pattern: 'concentrated_trading',
  version: 2,
  create: (config: Config, shared: SharedState): Detector => new ConcentratedTrading(config, shared),
};
