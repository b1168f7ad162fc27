import type { Config } from '../../config/config.js';
import type { OrderEvent, Trade } from '../../domain/events.js';
import type { Detector, DetectorContext, DetectorFactory, SharedState } from '../detector.js';
import { AccountExecutions, BUY_LEG, isExecution, type Execution } from '../window/account-executions.js';
import { AccountIds } from '../window/account-ids.js';
import { DeadlineQueue, visitDue } from '../window/deadline-queue.js';
import { COMPACT_MIN, TIGHT_ITEMS } from '../window/tight-array.js';
import { IntTable } from '../window/int-table.js';
import { grownF64 } from '../window/pool-chunks.js';
import { AccountGraph, NO_EDGE, NO_EXECUTION } from './account-graph.js';
import { IdClasses } from './id-classes.js';
import { IdLists } from './id-lists.js';
import { SeenTable } from './seen-table.js';
import { fmt, pct, round4 } from '../format.js';

/**
 * wash_trading (EU MAR Annex I (c): transactions with no change in beneficial ownership).
 *
 * Per symbol, a sliding window (`wash_window_ms`) of executions with both accounts known forms a
 * directed buyer→seller graph. Each new execution b←s (b bought from s) closes a cycle when a path
 * s→…→b of at most `wash_max_ring` − 1 edges exists whose every edge has an execution of similar
 * size and price (tolerances). The cycle's accounts form a group (a pair, a ring, or one account
 * trading with itself); the group's internal trades in the window join its episode. The episode
 * alerts once it holds `wash_min_trades` trades (`wash_self_min_trades` for self-trades), the
 * group ends roughly flat (offset ratio ≥ `wash_trade_threshold`) and every member does at least
 * `wash_min_exclusivity` of its own volume inside the group (so a market maker or broker that is
 * merely the counterparty of a round-tripping client is not accused) and at least
 * `wash_min_matched_share` of a pair's or ring's internal trades pair off with a later trade the
 * other way of similar size (wash legs are arranged to offset; a client trading back and forth
 * against its market maker in sizes of its own is not wash). The search starts only at
 * the accounts of the new execution and is bounded by depth and an inspection budget.
 */

interface Episode {
  /**
   * Key in `State.episodes`, and the rank of the episode's creation (the order of that map). An
   * alert's episode key is the group key and `startMs` (`episodeKey`), made only for an alert.
   */
  readonly groupKey: string;
  readonly rank: number;
  readonly symbol: string;
  /** Its members' names; their ids, nets and net ranks are in `State.episodeNumbers` (`memberId`, `EP_FIELDS`). */
  readonly accounts: readonly string[];
  /** A pair's place in its symbol's `pairEpisodes` (-1: not a pair, or not indexed). */
  pairSlot: number;
  /**
   * Where its times, sums and measures (`EP_START` …) start in `State.episodeNumbers`, while it is
   * open. Not its end's time: a closed episode's entries in `State.episodeEnds` read that.
   */
  readonly at: number;
  /** The time it is queued under in `State.episodeEnds` (Infinity once closed; entries under another time are stale). */
  endDue: number;
  /**
   * Trade ids already counted, by their class in the symbol's `IdClasses`, with the time of the last
   * execution counted under each (pruned once they left the window).
   */
  readonly seen: SeenTable;
  /** Ticks seen before this episode existed: its `seen` is pruned from the next tick on. */
  readonly bornTick: number;
  /** `seen` size that triggers the next physical prune (amortised; pruning is logical per tick). */
  pruneAt: number;
  /**
   * The symbol's newest execution number when the group's internal executions were last all
   * offered to the episode (`addMembers`), and those of them that were skipped then as already
   * counted under the same id: see `addMembers`.
   */
  walkedSeq: number;
  /** Made with the first such execution (most episodes have none). */
  dupSeqs: Set<number> | undefined;
  /**
   * The first `MAX_IDS` trade and order ids counted: two lists of `State.idLists`, the trade ids'
   * made with room for the new episode's first offer (no array per episode: see `IdLists`).
   */
  readonly tradeIds: number;
  readonly orderIds: number;
  /** Net ranks given so far (see `EP_FIELDS`). */
  netRanks: number;
  n: number;
  cycles: number;
  lastEmitN: number;
  lastCycle: readonly string[];
}

/**
 * An open episode's numbers that are not small integers, `EP_FIELDS` doubles from `Episode.at` in
 * `State.episodeNumbers`: its start, last match, end and last counted execution's times; its sums
 * (gross quantity, which is also the quantities' sum for their mean; notional; quantities' squares;
 * prices' range); the last measured exclusivity, market share and matched share (reused when the
 * window has moved past the episode).
 * As fields of the episode each was a heap number of its own, made with the episode and copied
 * with it by every scavenge while it lived (the burst of the live feed makes hundreds a second).
 */
const EP_START = 0;
const EP_LAST_MATCH = 1;
const EP_END = 2;
const EP_LAST_EXEC = 3;
const EP_GROSS = 4;
const EP_NOTIONAL = 5;
const EP_MIN_PRICE = 6;
const EP_MAX_PRICE = 7;
const EP_SUM_QTY_SQ = 8;
const EP_EXCLUSIVITY = 9;
const EP_MARKET_SHARE = 10;
const EP_MATCHED_SHARE = 11;
/**
 * Then, per member (in the order of `accounts`; room for the most members a group can have,
 * `maxMembers`): its account id, held (`AccountIds.retain`) while the episode is open (an
 * execution's accounts are matched to members by id, with no name or string key per execution);
 * its net quantity; and when that last became non-zero (`Episode.netRanks` counts; -1 while zero):
 * the map of nets by name this was dropped a member back at 0 and appended it again when it moved,
 * and `net_positions` and the offset's sum follow that order. As arrays they were three more
 * objects per episode.
 */
const EP_FIELDS = 12;

interface SymbolState {
  readonly symbol: string;
  /** When `onTime` must next look at this symbol (see `nextDue`); Infinity when not queued. */
  due: number;
  /** Open episodes of this symbol: when 0 an execution that closes no cycle needs no group lookup. */
  openEpisodes: number;
  /**
   * The executions in the window with both accounts known, oldest first from index `head` on: their
   * time, price, quantity, buyer and seller ids (`EX_FIELDS` numbers each in one array of doubles;
   * the ids are read back as integers, `buyerOf`), ids and order ids. No object per execution, and
   * few arrays per symbol (many symbols hold an execution or two: an array of ids apart was ~64
   * bytes more each), of exact length while short (`tight-array.ts`; not `exOrderIds`, rare).
   * Execution number `seq` (counted from the symbol's first) is at index `seq - base`; the graph's
   * edges hold these numbers.
   */
  ex: number[];
  exIds: string[];
  /** Made with the first execution that has order ids (a paired fill's); until then every one has none (`orderIdsOf`). */
  exOrderIds: (readonly string[])[] | undefined;
  /**
   * The executions' trade-id classes in `classes` (-1: not looked up yet), made when an episode of
   * the symbol first counts one, and dropped with `classes` when its last open episode closes (no
   * episode then holds a class).
   */
  exClass: number[] | undefined;
  classes: IdClasses | undefined;
  head: number;
  base: number;
  /**
   * The newest execution number that arrived with an earlier time than the one before it. While it
   * is not past the window's oldest, the window is in time order (so is each edge's list) and
   * `internal` merges the edges' lists instead of sorting.
   */
  disorderSeq: number;
  /**
   * The accounts with executions in the window, with their quantity and edges; none while no
   * account is in two of the window's executions (at most `LOOSE_MAX` of them) and none is a
   * self-trade. No cycle can close then but a self-trade's (which makes the graph): a path from a
   * new execution's seller to its buyer needs an execution in which the seller bought, and one in
   * which the buyer sold. Most symbols' windows hold a few trades among different accounts (with
   * 100k accounts), and a graph was ~1 KB. Such executions' account ids are held
   * (`AccountIds.retain`) by the symbol itself, until they leave the window or the graph is made.
   * Made then from the window's executions, the graph is the one that adding them one by one (and
   * taking out those that left) would have made: each account in one execution, each edge holds one,
   * and every quantity taken out was the only one added to its account (so none leaves a residue).
   */
  graph: AccountGraph | undefined;
  /** All traded quantity in the window (each execution once, anonymous ones too). */
  volume: number;
  /**
   * Traded quantities in the window, oldest first from entry `volumeHead` on: time and quantity, two
   * numbers each (no object per trade). None while they are the window's executions' (`ex`), one
   * for one in order: a tape of trades between named accounts counts each trade's quantity and
   * makes its execution, of the same time and quantity (an array of them apart was ~64 bytes a
   * symbol). An anonymous trade, a fill, or an execution without its own quantity (its buy leg
   * counted from a fill before) makes the list (`volumesOf`); an empty window goes back to none.
   */
  volumes: number[] | undefined;
  volumeHead: number;
  lastTsMs: number;
  /**
   * The open episodes of pairs of this symbol, by (lower, higher) member id → place in
   * `pairEpisodes`: an execution that closes no cycle finds its pair's episode here, without
   * building a key string (made with the first pair episode).
   */
  pairIndex: IntTable | undefined;
  pairEpisodes: Episode[] | undefined;
}

interface State {
  readonly executions: AccountExecutions;
  /** Ids of the accounts in the symbols' graphs and windows (the engine's table, shared with other detectors). */
  readonly accounts: AccountIds;
  readonly symbols: Map<string, SymbolState>;
  /** Open episodes by symbol|sorted accounts. */
  readonly episodes: Map<string, Episode>;
  /**
   * Open episodes under a time by which they may have ended (their last match one window ago, less
   * a millisecond of margin: the end test is done as it always was, on `lastMatchMs`). A tick looks
   * only at those, not at every open episode; one that matched since goes back in.
   */
  readonly episodeEnds: DeadlineQueue<Episode>;
  /** The open episodes' trade and order ids (`Episode.tradeIds`, `orderIds`). */
  readonly idLists: IdLists;
  /**
   * The open episodes' numbers (`EP_FIELDS` each, see `EP_START`), places up to `numbersEnd` handed
   * out, and the starts of those given back by closed episodes.
   */
  episodeNumbers: Float64Array<ArrayBuffer>;
  numbersEnd: number;
  readonly freeNumbers: number[];
  /** Episodes made so far (`Episode.rank`). */
  episodesMade: number;
  /**
   * Open episodes with a member whose name holds a comma. Group keys join names with commas, so
   * such a name can make two groups one key; while one is open, an execution that closes no cycle
   * looks its pair up by key (as ever) rather than in `pairIndex`.
   */
  commaEpisodes: number;
  /** Symbols by the time something of theirs expires: `onTime` visits only those, not every symbol. */
  readonly due: DeadlineQueue<SymbolState>;
  /** onTime calls so far and the `seen` cutoff of the last one (trade ids older than it are forgotten). */
  ticks: number;
  seenCutoff: number;
}

/** What `onExecution` reads of a trade or an `Execution`. */
type ExecutionFields = Pick<Execution, 'tsMs' | 'symbol' | 'buyer' | 'seller' | 'price' | 'qty'>;

/** A trade's order ids: one shared empty list (executions are kept for a window). */
const NO_ORDER_IDS: readonly string[] = [];

const MAX_IDS = 500;
/** An execution's numbers in `SymbolState.ex`. */
const EX_TS = 0;
const EX_PRICE = 1;
const EX_QTY = 2;
const EX_BUYER = 3;
const EX_SELLER = 4;
const EX_FIELDS = 5;
/** Executions a window without a graph holds at most (each new one is looked for along them). */
const LOOSE_MAX = 8;
/** Executions inspected per new execution during the cycle search: keeps the hot path bounded. */
const SEARCH_BUDGET = 4_000;
/** Executions `boughtSimilar` looks at before leaving the question to the search. */
const PREFILTER_LOOKS = 256;
/** What `quickSearch` knows of a node's last hop (`hopOf`). */
const HOP_NO = 0;
const HOP_YES = 1;
const HOP_UNWALKED = 2;
/** `quickSearch` could not settle the search (it might have run out of budget). */
const UNDECIDED = null;
/** How many later internal executions may hold a leg's counter-leg. */
const PAIR_LOOKAHEAD = 16;

function createWashTrading(config: Config, shared: SharedState): Detector {
  const t = config.thresholds;
  const windowMs = t.wash_window_ms;
  /** Members a group has at most (a cycle has at most `wash_max_ring` accounts, a self-trade one), and the numbers of an episode. */
  const maxMembers = Math.max(1, t.wash_max_ring);
  /** Where an episode's member columns start among its numbers (see `EP_FIELDS`): nets, then net ranks. */
  const netsAt = EP_FIELDS + maxMembers;
  const ranksAt = EP_FIELDS + 2 * maxMembers;
  const episodeStride = EP_FIELDS + 3 * maxMembers;
  /** All mutable state, in one object so a checkpoint is `snapshot()` of it and a restore swaps it. */
  let st: State = {
    executions: new AccountExecutions(),
    accounts: AccountIds.of(shared),
    symbols: new Map(),
    episodes: new Map(),
    due: new DeadlineQueue(),
    episodeEnds: new DeadlineQueue(),
    idLists: new IdLists(),
    episodeNumbers: new Float64Array(16 * EP_FIELDS),
    numbersEnd: 0,
    freeNumbers: [],
    episodesMade: 0,
    commaEpisodes: 0,
    ticks: 0,
    seenCutoff: -Infinity,
  };

  /**
   * The time before which an episode's counted ids are forgotten. Equivalent to deleting them on
   * every tick (as before) without walking every episode's ids every second: that walk was 44% of
   * the time with a few busy groups.
   */
  function cutoffOf(ep: Episode): number {
    return ep.bornTick < st.ticks ? st.seenCutoff : -Infinity;
  }

  function pruneSeen(ep: Episode): void {
    const cutoff = cutoffOf(ep);
    ep.seen.prune(cutoff);
    ep.pruneAt = Math.max(256, 2 * ep.seen.size);
  }

  /** The last symbol's state (a trade's volume and execution ask for it one after the other); cleared when a symbol is dropped or state restored. */
  let lastSymbol: string | undefined;
  let lastState: SymbolState | undefined;

  function stateOf(symbol: string, tsMs: number): SymbolState {
    if (symbol === lastSymbol) return lastState!;
    let s = st.symbols.get(symbol);
    if (!s) {
      s = {
        symbol,
        due: Infinity,
        openEpisodes: 0,
        ex: [],
        exIds: [],
        exOrderIds: undefined,
        exClass: undefined,
        classes: undefined,
        head: 0,
        base: 0,
        disorderSeq: -1,
        graph: undefined,
        volume: -0, // a double from the start, as the episodes' sums (see `episodeFor`)
        volumes: undefined,
        volumeHead: 0,
        lastTsMs: tsMs,
        pairIndex: undefined,
        pairEpisodes: undefined,
      };
      // Written once more at once: V8 takes a field that no object wrote since it was made for a
      // constant, and optimized code relies on that; the first write, much later (the first
      // compaction moves `base`), threw away onExecution, the search and the functions they inline,
      // to compile them again (--trace-opt, live feed: with the same in `AccountGraph`, onExecution
      // is compiled once instead of three times).
      s.base = s.head = s.volumeHead = 0;
      s.disorderSeq = -1;
      st.symbols.set(symbol, s);
    }
    lastSymbol = symbol;
    lastState = s;
    return s;
  }

  /** Makes sure `onTime` looks at `s` once event time passes `due` (an earlier visit is harmless). */
  function schedule(s: SymbolState, due: number): void {
    if (due >= s.due) return;
    s.due = due;
    st.due.push(due, s);
  }

  /**
   * The time after which a tick has something to do for `s`: its oldest execution or traded
   * quantity leaves the window, or the symbol has been idle for a window and is dropped.
   */
  function nextDue(s: SymbolState): number {
    let t = s.lastTsMs;
    if (s.head < s.exIds.length) t = Math.min(t, s.ex[s.head * EX_FIELDS + EX_TS]!);
    if (s.volumes !== undefined && 2 * s.volumeHead < s.volumes.length) t = Math.min(t, s.volumes[2 * s.volumeHead]!);
    return t + windowMs;
  }

  /**
   * One tick's work for one symbol. Expiring here rather than at the symbol's next execution changes
   * nothing observable (the same subtractions in the same order); it only frees memory sooner. The
   * drop is exactly when the walk over all symbols dropped it: the first tick one window after its
   * last event (the window is then empty, as every execution is at most `lastTsMs`).
   */
  function visit(s: SymbolState, nowMs: number): void {
    expireSymbol(s, nowMs);
    // At a tick (after its cutoff is set), the trade-id classes no episode can tell apart any more.
    s.classes?.sweep(s.base + s.head, st.seenCutoff);
    if (s.head >= s.exIds.length && nowMs - s.lastTsMs > windowMs) {
      s.graph?.dropAll();
      st.symbols.delete(s.symbol);
      lastSymbol = lastState = undefined;
    } else schedule(s, nextDue(s));
  }

  function expireSymbol(s: SymbolState, nowMs: number): void {
    const cutoff = nowMs - windowMs;
    const ex = s.ex;
    while (s.head < s.exIds.length && ex[s.head * EX_FIELDS + EX_TS]! < cutoff) {
      const i = s.head++;
      if (s.graph !== undefined) s.graph.removeOldest(ex[i * EX_FIELDS + EX_QTY]!);
      else releaseLoose(s, i);
      // Its traded quantity, when the executions are the volume entries: the same subtractions, in the same order.
      if (s.volumes === undefined) s.volume -= ex[i * EX_FIELDS + EX_QTY]!;
    }
    // An empty window whose graph has nothing left (no account with a residue of quantity): back to none.
    if (s.graph !== undefined && s.head === s.exIds.length && s.graph.isEmpty()) s.graph = undefined;
    // Executions that left the window go once they are most of the arrays (and more than a few).
    if (s.head > COMPACT_MIN && s.head * 2 > s.exIds.length) {
      const h = s.head;
      if (s.exIds.length - h < TIGHT_ITEMS) {
        // Few left: copies of exact length (tight-array.ts).
        s.ex = s.ex.slice(h * EX_FIELDS);
        s.exIds = s.exIds.slice(h);
      } else {
        s.ex.splice(0, h * EX_FIELDS);
        s.exIds.splice(0, h);
      }
      s.exOrderIds?.splice(0, h);
      s.exClass?.splice(0, h);
      s.base += h;
      s.head = 0;
    }
    const v = s.volumes;
    if (v === undefined) return;
    while (2 * s.volumeHead < v.length && v[2 * s.volumeHead]! < cutoff) {
      s.volume -= v[2 * s.volumeHead++ + 1]!;
    }
    if (2 * s.volumeHead === v.length && s.head === s.exIds.length) {
      // Nothing traded in the window: the executions are the volume entries again (none).
      s.volumes = undefined;
      s.volumeHead = 0;
    } else if (s.volumeHead > COMPACT_MIN && s.volumeHead * 4 > v.length) {
      if (v.length - 2 * s.volumeHead < 2 * TIGHT_ITEMS) s.volumes = v.slice(2 * s.volumeHead);
      else v.splice(0, 2 * s.volumeHead);
      s.volumeHead = 0;
    }
  }

  /**
   * The symbol's graph, made when it has none (the window's executions go in first, in order; `next`
   * is the number of the execution about to be added).
   */
  function graphOf(s: SymbolState, next: number): AccountGraph {
    if (s.graph !== undefined) return s.graph;
    const g = new AccountGraph(st.accounts, s.head < s.exIds.length ? s.base + s.head : next);
    for (let i = s.head; i < s.exIds.length; i++) {
      g.add(s.base + i, buyerOf(s, s.base + i), sellerOf(s, s.base + i), s.ex[i * EX_FIELDS + EX_QTY]!);
      releaseLoose(s, i);
    }
    s.graph = g;
    return g;
  }

  /** Whether account `a` or `b` is in an execution of `s`'s window. */
  function holdsAccount(s: SymbolState, a: number, b: number): boolean {
    for (let i = s.head; i < s.exIds.length; i++) {
      const x = s.ex[i * EX_FIELDS + EX_BUYER]!;
      const y = s.ex[i * EX_FIELDS + EX_SELLER]!;
      if (x === a || x === b || y === a || y === b) return true;
    }
    return false;
  }

  /** Lets go of the account ids of execution (index `i`) of a window without a graph. */
  function releaseLoose(s: SymbolState, i: number): void {
    st.accounts.release(s.ex[i * EX_FIELDS + EX_BUYER]! | 0);
    st.accounts.release(s.ex[i * EX_FIELDS + EX_SELLER]! | 0);
  }

  /** Is execution `a` of similar size and price to `ref` (sequence numbers in `s`)? */
  function similar(s: SymbolState, a: number, ref: number): boolean {
    const aQty = exField(s, a, EX_QTY);
    const refQty = exField(s, ref, EX_QTY);
    const refPrice = exField(s, ref, EX_PRICE);
    const sizeDiff = Math.abs(aQty - refQty) / Math.max(aQty, refQty);
    const priceDiff = Math.abs(exField(s, a, EX_PRICE) - refPrice) / refPrice;
    return sizeDiff <= t.wash_size_tolerance && priceDiff <= t.wash_price_tolerance;
  }

  /**
   * Scratch of the cycle search, reused by every search (it is rebuilt from nothing each time, so it
   * is not detector state): the nodes of the path being explored, and the executions left to
   * inspect. Reusing them spares a Set, arrays and two closures per execution.
   */
  const path: number[] = [];
  let budget = 0;
  /** The searched execution's size and price (read once per search, not once per inspection). */
  let refQty = 0;
  let refPrice = 0;

  /**
   * Shortest path from the seller to the buyer of `ref`'s edge along buyer→seller edges that carry
   * an execution similar to `ref`, of at most `maxEdges` edges, not revisiting accounts. Iterative
   * deepening so the shortest cycle (a pair before a ring) is the one reported. Returns the path's
   * graph nodes (seller … buyer) in the scratch `path`, valid until the next search. Walks nodes and
   * edges (an out-edge is the edge to its seller), so only the last step of a path looks one up.
   */
  function findPath(s: SymbolState, refEdge: number, ref: number): number[] | undefined {
    budget = SEARCH_BUDGET;
    refQty = exField(s, ref, EX_QTY);
    refPrice = exField(s, ref, EX_PRICE);
    const maxEdges = t.wash_max_ring - 1;
    const from = s.graph!.sellerNode(refEdge);
    const to = s.graph!.buyerNode(refEdge);
    // A path's first edge is an execution in which the seller bought from another account, its last
    // one in which the buyer sold to another (neither is `ref`: there the seller sold and the buyer
    // bought). Without both no path exists, and the search, whatever budget it would spend, finds
    // none: skipped. On the live feed (few symbols, dense groups) that is 18.4k of 38.6k searches
    // (the buyer of a trade has not sold in the window, or its seller not bought), each a walk of the
    // window's graph around the seller, up to the budget, to find nothing.
    const bought = s.graph!.boughtFromOthers(from);
    const sold = s.graph!.soldToOthers(to);
    if (bought === 0 || sold === 0) return undefined;
    // Likewise when none of the seller's purchases from others, or none of the buyer's sales to
    // others, is similar to `ref` (each looked at up to a bound); the side with fewer executions
    // first, as the one more likely to rule the search out at less cost.
    if (bought <= sold) {
      if (!boughtSimilar(s, from) || !soldSimilar(s, to)) return undefined;
    } else if (!soldSimilar(s, to) || !boughtSimilar(s, from)) return undefined;
    if (maxEdges >= 1 && maxEdges <= 3) {
      const found = quickSearch(s, from, to, ref, maxEdges);
      if (found !== UNDECIDED) return found;
    }
    path.length = 0;
    path.push(from);
    for (let edges = 1; edges <= maxEdges && budget >= 0; edges++) {
      if (extend(s, from, to, s.graph!.accountOf(to), ref, edges)) return path;
    }
    return undefined;
  }

  /**
   * Scratch of `quickSearch` (not state): per graph node, `stamp` when its last hop (its edge to the
   * searched buyer) was looked up, with that edge, the hop's cost and what is known of it (`hopOf`);
   * the seller's first hops (its matching out-edges, in order); whether the last `matchCost` found a
   * similar execution.
   */
  let hopStamp = new Int32Array(64);
  let hopCost = new Int32Array(64);
  let hopMatch = new Uint8Array(64);
  let hopEdge = new Int32Array(64);
  let stamp = 0;
  const firstHops: number[] = [];
  let matched = false;

  /**
   * The depth-first search's answer for paths of at most 3 edges, had with less work; `UNDECIDED`
   * when that search might have run out of budget (the caller runs it then).
   *
   * The search walks the seller's out-edges once per pass (2- and 3-edge paths), each first hop's
   * out-edges, and for each candidate node its edge to the buyer (the last hop), again for every
   * path that reaches the node. Here the seller's out-edges are walked once, each node's last hop is
   * looked at once (its cost and answer kept, `lastHop`), and a first hop's out-edge to a node whose
   * last hop does not match is not walked: no path ends that way. The path found is the search's:
   * the first in its order (shortest, then by first hop, then by second hop, in out-edge order), by
   * the same tests on the same edges. What the search would spend is kept as an upper bound: exact
   * for the edges walked (`matchCost` counts the inspections it makes), all of a first hop's
   * purchases from others for the out-edges not walked. While that bound is within `SEARCH_BUDGET`,
   * the search could not have run out, so its answer is the one found here, exactly.
   */
  function quickSearch(s: SymbolState, from: number, to: number, ref: number, maxEdges: number): number[] | undefined | typeof UNDECIDED {
    const g = s.graph!;
    const slots = g.nodeSlots();
    if (hopStamp.length < slots) {
      hopStamp = new Int32Array(2 * slots);
      hopCost = new Int32Array(2 * slots);
      hopMatch = new Uint8Array(2 * slots);
      hopEdge = new Int32Array(2 * slots);
    }
    if (++stamp === 0x7fffffff) {
      hopStamp.fill(0);
      stamp = 1;
    }
    const toAccount = g.accountOf(to);
    path.length = 0;
    // The search's budget left if each edge not walked here cost it all its executions.
    let left = SEARCH_BUDGET - lastHop(s, from, toAccount, ref);
    if (left < 0) return UNDECIDED;
    if (matched) {
      path.push(from, to);
      return path;
    }
    if (maxEdges < 2) return undefined;
    // Two edges: the seller's out-edges to others than the buyer, in order, each matching one's last hop.
    firstHops.length = 0;
    let out = 0;
    for (let e = g.firstOut(from); e !== NO_EDGE; e = g.nextEdge(e)) {
      const v = g.sellerNode(e);
      if (v === to || v === from) continue;
      out += matchCost(s, e, ref);
      if (!matched) continue;
      firstHops.push(v);
      left -= lastHop(s, v, toAccount, ref);
      if (matched) {
        if (left - out < 0) return UNDECIDED;
        path.push(from, v, to);
        return path;
      }
    }
    left -= out;
    if (left < 0) return UNDECIDED;
    if (maxEdges < 3 || firstHops.length === 0) return undefined;
    // Three edges: the seller's out-edges again (as walked above), then each first hop's out-edges
    // to nodes not on the path whose last hop matches.
    left -= out;
    for (const v of firstHops) {
      left -= g.boughtFromOthers(v); // its out-edges' executions: at most what the search spends on them
      if (left < 0) return UNDECIDED;
      for (let e = g.firstOut(v); e !== NO_EDGE; e = g.nextEdge(e)) {
        const w = g.sellerNode(e);
        if (w === to || w === from || w === v) continue;
        if (hopOf(s, w, toAccount) === HOP_NO) {
          // No path ends this way. The search spends the last hop's inspections when this edge matches: counted as if it did.
          left -= hopCost[w]!;
          if (left < 0) return UNDECIDED;
          continue;
        }
        matchCost(s, e, ref);
        if (!matched) continue;
        left -= lastHop(s, w, toAccount, ref);
        if (left < 0) return UNDECIDED;
        if (matched) {
          path.push(from, v, w, to);
          return path;
        }
      }
    }
    return undefined;
  }

  /**
   * What is known of node `u`'s last hop in this search: `HOP_NO` (it ends no path: no edge to the
   * buyer, or no similar execution on it), `HOP_YES`, or `HOP_UNWALKED` (an edge, `hopEdge`, not yet
   * walked). Finding the edge is cheap, walking it is not: a first hop's out-edge to a node with no
   * edge to the buyer is then skipped without walking that out-edge's executions.
   */
  function hopOf(s: SymbolState, u: number, toAccount: number): number {
    if (hopStamp[u] === stamp) return hopMatch[u]!;
    const e = s.graph!.edgeFrom(u, toAccount);
    hopStamp[u] = stamp;
    hopCost[u] = 0;
    hopEdge[u] = e;
    return (hopMatch[u] = e === NO_EDGE ? HOP_NO : HOP_UNWALKED);
  }

  /** `matchCost` of node `u`'s edge to the buyer (0 without one), once per search; sets `matched`. */
  function lastHop(s: SymbolState, u: number, toAccount: number, ref: number): number {
    if (hopOf(s, u, toAccount) === HOP_UNWALKED) {
      hopCost[u] = matchCost(s, hopEdge[u]!, ref);
      hopMatch[u] = matched ? HOP_YES : HOP_NO;
    }
    matched = hopMatch[u] === HOP_YES;
    return hopCost[u]!;
  }

  /**
   * The inspections `edgeMatches` spends on `edge` when its budget does not run out: up to and with
   * the first execution (other than `ref`) similar to `ref`, or all; `matched` says which.
   */
  function matchCost(s: SymbolState, edge: number, ref: number): number {
    let k = 0;
    for (let x = s.graph!.firstExecution(edge); x !== NO_EXECUTION; x = s.graph!.nextExecution(x)) {
      k++;
      if (x !== ref && similarToRef(s, x)) {
        matched = true;
        return k;
      }
    }
    matched = false;
    return k;
  }

  /**
   * Did node `u` buy from another account, in the window, in an execution similar to the search's
   * `ref`? True too when that is not settled within `PREFILTER_LOOKS` executions (the search decides).
   * `ref` itself is not among them: it is on an out-edge of its buyer, not of its seller `u`. On the
   * live feed this settles 8.8k of the 20k searches left by the counts, at a few looks each.
   */
  function boughtSimilar(s: SymbolState, u: number): boolean {
    let looks = PREFILTER_LOOKS;
    for (let e = s.graph!.firstOut(u); e !== NO_EDGE; e = s.graph!.nextEdge(e)) {
      if (s.graph!.sellerNode(e) === u) continue;
      for (let x = s.graph!.firstExecution(e); x !== NO_EXECUTION; x = s.graph!.nextExecution(x)) {
        if (--looks < 0 || similarToRef(s, x)) return true;
      }
    }
    return false;
  }

  /** Did node `u` sell to another account, in the window, in an execution similar to `ref`? As `boughtSimilar`, along its in-edges. */
  function soldSimilar(s: SymbolState, u: number): boolean {
    let looks = PREFILTER_LOOKS;
    for (let e = s.graph!.firstIn(u); e !== NO_EDGE; e = s.graph!.nextIn(e)) {
      if (s.graph!.buyerNode(e) === u) continue;
      for (let x = s.graph!.firstExecution(e); x !== NO_EXECUTION; x = s.graph!.nextExecution(x)) {
        if (--looks < 0 || similarToRef(s, x)) return true;
      }
    }
    return false;
  }

  /** Depth-first step of `findPath`: can node `u` reach node `to` (account `toAccount`) in exactly `depthLeft` more edges? */
  function extend(s: SymbolState, u: number, to: number, toAccount: number, ref: number, depthLeft: number): boolean {
    if (depthLeft === 1) {
      const last = s.graph!.edgeFrom(u, toAccount);
      if (last !== NO_EDGE && edgeMatches(s, last, ref)) {
        path.push(to);
        return true;
      }
      return false;
    }
    for (let e = s.graph!.firstOut(u); e !== NO_EDGE; e = s.graph!.nextEdge(e)) {
      if (budget < 0) return false;
      const v = s.graph!.sellerNode(e);
      // Not revisiting: the path so far, and the end (only the last edge may lead there). Paths hold at most `wash_max_ring` accounts.
      if (v === to || path.includes(v)) continue;
      if (!edgeMatches(s, e, ref)) continue;
      path.push(v);
      if (extend(s, v, to, toAccount, ref, depthLeft - 1)) return true;
      path.pop();
    }
    return false;
  }

  /** Does the edge hold an execution (other than `ref`) similar to `ref`? Spends the budget. */
  function edgeMatches(s: SymbolState, edge: number, ref: number): boolean {
    for (let x = s.graph!.firstExecution(edge); x !== NO_EXECUTION; x = s.graph!.nextExecution(x)) {
      if (--budget < 0) return false;
      if (x !== ref && similarToRef(s, x)) return true;
    }
    return false;
  }

  /** `similar(s, a, ref)` for the search's `ref` (`refQty`, `refPrice`): the same arithmetic. */
  function similarToRef(s: SymbolState, a: number): boolean {
    const aQty = exField(s, a, EX_QTY);
    const sizeDiff = Math.abs(aQty - refQty) / Math.max(aQty, refQty);
    const priceDiff = Math.abs(exField(s, a, EX_PRICE) - refPrice) / refPrice;
    return sizeDiff <= t.wash_size_tolerance && priceDiff <= t.wash_price_tolerance;
  }

  /**
   * The open episode of the group of the cycle's `size` accounts (`cycle`, in the order of the scratch
   * `groupOrder`; their ids in `groupIds`), made if there is none. `expected`: executions it is about
   * to be offered, the first `expected` of the scratch `members`.
   */
  function episodeFor(s: SymbolState, cycle: readonly string[], size: number, startMs: number, expected: number): Episode {
    const symbol = s.symbol;
    // `${symbol}|${names.join(',')}`, the names in order, built without the array of names.
    let groupKey = `${symbol}|`;
    for (let k = 0; k < size; k++) groupKey += k === 0 ? cycle[groupOrder[k]!]! : `,${cycle[groupOrder[k]!]!}`;
    let ep = st.episodes.get(groupKey);
    if (!ep) {
      const accounts: string[] = [];
      for (let k = 0; k < size; k++) accounts.push(cycle[groupOrder[k]!]!);
      ep = {
        groupKey,
        rank: st.episodesMade++,
        symbol,
        accounts,
        pairSlot: -1,
        at: numbersFor(startMs),
        endDue: Infinity,
        seen: new SeenTable(expected),
        bornTick: st.ticks,
        pruneAt: 256,
        walkedSeq: -1,
        dupSeqs: undefined,
        tradeIds: st.idLists.open(Math.min(MAX_IDS, expected)),
        orderIds: st.idLists.open(Math.min(MAX_IDS, orderIdsIn(s, members, expected))),
        netRanks: 0,
        n: 0,
        cycles: 0,
        lastEmitN: 0,
        lastCycle: [],
      };
      // As in `stateOf`: fields first written long after (a moved pair's slot, a prune, a duplicate,
      // the first alert) are written once now, so that write changes no code.
      ep.pairSlot = -1;
      ep.pruneAt = 256;
      ep.dupSeqs = undefined;
      ep.lastEmitN = 0;
      st.episodes.set(groupKey, ep);
      for (let k = 0; k < size; k++) {
        st.episodeNumbers[ep.at + EP_FIELDS + k] = groupIds[k]!;
        st.accounts.retain(groupIds[k]!);
      }
      if (hasComma(accounts)) st.commaEpisodes++;
      if (accounts.length === 2) indexPair(s, ep);
      queueEnd(ep);
      s.openEpisodes++;
    }
    return ep;
  }

  /** A new episode's place in `episodeNumbers`, filled for its start at `startMs`. */
  function numbersFor(startMs: number): number {
    let at = st.freeNumbers.pop();
    if (at === undefined) {
      at = st.numbersEnd;
      st.numbersEnd += episodeStride;
      st.episodeNumbers = grownF64(st.episodeNumbers, st.numbersEnd);
    }
    const v = st.episodeNumbers;
    v[at + EP_START] = v[at + EP_LAST_MATCH] = v[at + EP_END] = v[at + EP_LAST_EXEC] = startMs;
    // The sums start at -0, as they did as fields (the same sums), the measures unset (NaN: read only once set, see `judge`).
    v[at + EP_GROSS] = v[at + EP_NOTIONAL] = v[at + EP_SUM_QTY_SQ] = -0;
    v[at + EP_MIN_PRICE] = Infinity;
    v[at + EP_MAX_PRICE] = -Infinity;
    v[at + EP_EXCLUSIVITY] = v[at + EP_MARKET_SHARE] = v[at + EP_MATCHED_SHARE] = NaN;
    v.fill(0, at + netsAt, at + ranksAt); // nets
    v.fill(-1, at + ranksAt, at + episodeStride); // net ranks
    return at;
  }

  /** How many order ids the first `count` executions of `seqs` have (counted up to `MAX_IDS`). */
  function orderIdsIn(s: SymbolState, seqs: readonly number[], count: number): number {
    let n = 0;
    for (let m = 0; m < count && n < MAX_IDS && s.exOrderIds !== undefined; m++) n += s.exOrderIds[seqs[m]! - s.base]!.length;
    return n;
  }

  /**
   * Ends the bookkeeping of a closed episode: its key, pair index entry, held ids, count and table of
   * counted ids (no longer read: a closed episode is never judged again). Its
   * symbol's state outlives it (an episode ends one window after its last match, in the tick loop
   * before idle symbols are dropped, and a match is an event of the symbol); checked all the same.
   */
  function forget(ep: Episode): void {
    st.episodes.delete(ep.groupKey);
    const s = st.symbols.get(ep.symbol);
    if (s) {
      s.openEpisodes--;
      if (ep.pairSlot >= 0 && s.pairEpisodes?.[ep.pairSlot] === ep) unindexPair(s, ep);
      // No episode left to hold a trade-id class: the next one starts them afresh.
      if (s.openEpisodes === 0) s.exClass = s.classes = undefined;
    }
    if (hasComma(ep.accounts)) st.commaEpisodes--;
    for (let k = 0; k < ep.accounts.length; k++) st.accounts.release(memberId(ep, k));
    ep.seen.release(); // its array goes to the next episodes' tables
    st.idLists.close(ep.tradeIds);
    st.idLists.close(ep.orderIds);
    st.freeNumbers.push(ep.at);
  }

  /** Puts a pair's episode in its symbol's pair index. */
  function indexPair(s: SymbolState, ep: Episode): void {
    const eps = (s.pairEpisodes ??= []);
    ep.pairSlot = eps.length;
    eps.push(ep);
    addPair((s.pairIndex ??= new IntTable()), memberId(ep, 0), memberId(ep, 1), ep.pairSlot);
  }

  /** Takes a pair's episode out of its symbol's pair index (the last one moves to its place). */
  function unindexPair(s: SymbolState, ep: Episode): void {
    const eps = s.pairEpisodes!;
    const index = s.pairIndex!;
    deletePair(index, memberId(ep, 0), memberId(ep, 1));
    const last = eps.pop()!;
    if (last !== ep) {
      const c = memberId(last, 0);
      const d = memberId(last, 1);
      deletePair(index, c, d);
      addPair(index, c, d, ep.pairSlot);
      eps[ep.pairSlot] = last;
      last.pairSlot = ep.pairSlot;
    }
    ep.pairSlot = -1;
    if (eps.length === 0) s.pairEpisodes = s.pairIndex = undefined;
  }

  /**
   * The open episode of the pair (`buyer`, `seller`: names and ids) in `s`, if any: the one under
   * the key of the two names. Found by ids unless a name with a comma is involved (see `commaEpisodes`).
   */
  function pairEpisode(s: SymbolState, buyer: string, seller: string, buyerId: number, sellerId: number): Episode | undefined {
    if (st.commaEpisodes > 0 || buyer.includes(',') || seller.includes(',')) {
      const group = buyer < seller ? `${buyer},${seller}` : `${seller},${buyer}`;
      return st.episodes.get(`${s.symbol}|${group}`);
    }
    if (s.pairIndex === undefined) return undefined;
    const slot = pairSlotOf(s.pairIndex, buyerId, sellerId);
    return slot < 0 ? undefined : s.pairEpisodes![slot];
  }

  /** The trade-id class of the execution at index `i` of `s`'s window arrays (number `seq`, id `id`, time `tsMs`). */
  function classOf(s: SymbolState, i: number, id: string, tsMs: number): number {
    let classes = s.exClass;
    if (classes === undefined) {
      classes = s.exClass = [];
      for (let k = 0; k < s.exIds.length; k++) classes.push(-1);
      s.classes = new IdClasses();
    }
    let c = classes[i]!;
    if (c < 0) classes[i] = c = s.classes!.classOf(id, s.base + i, tsMs);
    return c;
  }

  /** Counts execution `seq` of `s` in the episode (once); false when it was not counted (its id is counted already). */
  function addToEpisode(s: SymbolState, ep: Episode, seq: number): boolean {
    const i = seq - s.base;
    const id = s.exIds[i]!;
    const tsMs = exField(s, seq, EX_TS);
    const qty = exField(s, seq, EX_QTY);
    const price = exField(s, seq, EX_PRICE);
    const c = classOf(s, i, id, tsMs);
    if (ep.seen.get(c) >= cutoffOf(ep)) return false; // NaN (false) when not counted
    ep.seen.set(c, tsMs);
    if (ep.seen.size > ep.pruneAt) pruneSeen(ep);
    ep.n++;
    const v = st.episodeNumbers;
    const at = ep.at;
    v[at + EP_GROSS] = v[at + EP_GROSS]! + qty;
    v[at + EP_NOTIONAL] = v[at + EP_NOTIONAL]! + qty * price;
    v[at + EP_SUM_QTY_SQ] = v[at + EP_SUM_QTY_SQ]! + qty * qty;
    v[at + EP_MIN_PRICE] = Math.min(v[at + EP_MIN_PRICE]!, price);
    v[at + EP_MAX_PRICE] = Math.max(v[at + EP_MAX_PRICE]!, price);
    v[at + EP_END] = Math.max(v[at + EP_END]!, tsMs);
    const buyer = buyerOf(s, seq);
    const seller = sellerOf(s, seq);
    if (buyer !== seller) {
      // Both are members (the group's internal execution).
      addNet(ep, memberIndex(ep, buyer), qty);
      addNet(ep, memberIndex(ep, seller), -qty);
    }
    v[at + EP_LAST_EXEC] = tsMs;
    const lists = st.idLists;
    if (lists.count(ep.tradeIds) < MAX_IDS) lists.push(ep.tradeIds, id);
    const orderIds = orderIdsOf(s, i);
    for (let k = 0; k < orderIds.length && lists.count(ep.orderIds) < MAX_IDS; k++) lists.push(ep.orderIds, orderIds[k]!);
    return true;
  }

  /**
   * Offers the group's internal executions (`internal`, in its order) to the episode, as counting
   * each with `addToEpisode` did, without the per-id lookup for those an earlier call counted: a
   * busy pair has thousands in the window, and looking every one up again on every match made a
   * single execution cost tens of ms. Skipping is exact: an execution counted earlier (number at
   * most `walkedSeq`, which every internal execution of the window then was offered) set its id's
   * time to its own; while that time is not before the episode's cutoff (which only grows), nothing
   * can have replaced or pruned it, so `addToEpisode` would return at once. The others are offered:
   * those new since, those older than the cutoff (a late execution held in the window behind a
   * newer one), and those skipped last time because their id was counted already (`dupSeqs`: the
   * id may be forgotten by now).
   */
  function addMembers(s: SymbolState, ep: Episode, members: readonly number[], count: number): void {
    const walked = ep.walkedSeq;
    const cutoff = cutoffOf(ep);
    const dups = ep.dupSeqs;
    if (dups !== undefined && dups.size > 0) {
      // Those that left the window are never offered again.
      const oldest = s.base + s.head;
      for (const x of dups) if (x < oldest) dups.delete(x);
    }
    for (let m = 0; m < count; m++) {
      const x = members[m]!;
      if (x <= walked && exField(s, x, EX_TS) >= cutoff && (dups === undefined || dups.size === 0 || !dups.has(x))) continue;
      if (!addToEpisode(s, ep, x) && x > walked) (ep.dupSeqs ??= new Set()).add(x);
    }
    ep.walkedSeq = s.base + s.exIds.length - 1;
  }

  /**
   * Scratch of `internal` (rebuilt by each call, so not detector state): the executions found, and
   * per edge of the group its next execution to merge. Filled by index up to a count, never emptied:
   * `length = 0` gives a V8 array's storage up, and growing it back on every match of a group with
   * hundreds of internal executions allocated 3 MB per 20k events of the live feed's burst.
   */
  const members: number[] = [];
  const cursors: number[] = [];

  /**
   * The group's internal executions in the window (both accounts in the group), by time; those of
   * one time in the order of their edges (buyer, then seller, in the group's order), then of their
   * numbers: what a stable sort by time of the edges' lists, one after the other, gave. Each edge's
   * list is in number order, so when the window is in time order (`disorderSeq`) the lists are
   * merged (linear in their length; the sort was most of a busy pair's cost per match). Returns how
   * many there are, in the scratch `members` (valid until the next call).
   */
  function internal(s: SymbolState, ids: readonly number[], idCount: number): number {
    let n = 0;
    let edges = 0;
    for (let i = 0; i < idCount; i++) {
      for (let j = 0; j < idCount; j++) {
        const edge = s.graph!.edge(ids[i]!, ids[j]!);
        if (edge !== NO_EDGE) cursors[edges++] = s.graph!.firstExecution(edge);
      }
    }
    if (s.disorderSeq > s.base + s.head) {
      const all: number[] = [];
      for (let c = 0; c < edges; c++) for (let x = cursors[c]!; x !== NO_EXECUTION; x = s.graph!.nextExecution(x)) all.push(x);
      all.sort((x, y) => exField(s, x, EX_TS) - exField(s, y, EX_TS));
      for (const x of all) members[n++] = x;
      return n;
    }
    if (edges === 1) {
      for (let x = cursors[0]!; x !== NO_EXECUTION; x = s.graph!.nextExecution(x)) members[n++] = x;
      return n;
    }
    for (;;) {
      // The earliest head; on a tie the first edge's.
      let best = -1;
      let bestTs = Infinity;
      for (let c = 0; c < edges; c++) {
        const x = cursors[c]!;
        if (x === NO_EXECUTION) continue;
        const ts = exField(s, x, EX_TS);
        if (ts < bestTs) {
          best = c;
          bestTs = ts;
        }
      }
      if (best < 0) return n;
      const x = cursors[best]!;
      members[n++] = x;
      cursors[best] = s.graph!.nextExecution(x);
    }
  }

  /**
   * Share of the group's internal executions that have a counter-leg: a later execution the other
   * way (a different buyer) of similar size and price, each leg used once, paired in time order.
   * Wash legs are arranged to offset each other, so they come in matching pairs; a trader who
   * merely trades back and forth against the same market maker does so in sizes of its own.
   */
  let pairUsed = new Uint8Array(64);

  function matchedShare(s: SymbolState, execs: readonly number[], count: number): number {
    if (count === 0) return 0;
    if (pairUsed.length < count) pairUsed = new Uint8Array(2 * count);
    const used = pairUsed;
    used.fill(0, 0, count);
    let matched = 0;
    for (let i = 0; i < count; i++) {
      if (used[i]) continue;
      const x = execs[i]!;
      const xBuyer = buyerOf(s, x);
      // The counter-leg follows soon: look a bounded number of executions ahead.
      for (let j = i + 1; j < count && j <= i + PAIR_LOOKAHEAD; j++) {
        const y = execs[j]!;
        if (used[j] || buyerOf(s, y) === xBuyer || !similar(s, y, x)) continue;
        used[i] = 1;
        used[j] = 1;
        matched += 2;
        break;
      }
    }
    return matched / count;
  }

  /**
   * A new execution with both accounts known: `e` is a trade or a paired fill's `Execution` (no object
   * made per trade); `counted` when its time and quantity were just counted as the symbol's volume
   * entry (`countVolume`, `SymbolState.volumes`).
   */
  function onExecution(e: ExecutionFields, id: string, orderIds: readonly string[], ctx: DetectorContext, counted: boolean): void {
    const s = stateOf(e.symbol, e.tsMs);
    s.lastTsMs = Math.max(s.lastTsMs, e.tsMs);
    expireSymbol(s, ctx.now);
    if (!counted && s.volumes === undefined) s.volumes = volumesOf(s);
    schedule(s, e.tsMs + windowMs);
    const buyer = st.accounts.idOf(e.buyer);
    const seller = st.accounts.idOf(e.seller);
    const seq = s.base + s.exIds.length;
    if (s.head < s.exIds.length && e.tsMs < s.ex[(s.exIds.length - 1) * EX_FIELDS + EX_TS]!) s.disorderSeq = seq;
    let edge = NO_EDGE;
    if (s.graph === undefined && buyer !== seller && s.exIds.length - s.head < LOOSE_MAX && !holdsAccount(s, buyer, seller)) {
      // No account in two of the window's executions: no graph (see `SymbolState.graph`).
      st.accounts.retain(buyer);
      st.accounts.retain(seller);
    } else edge = graphOf(s, seq).add(seq, buyer, seller, e.qty);
    if (s.exIds.length < TIGHT_ITEMS) {
      // Exact lengths while short (tight-array.ts): most symbols hold an execution or two.
      s.ex = s.ex.concat([e.tsMs, e.price, e.qty, buyer, seller]);
      s.exIds = s.exIds.concat([id]);
    } else {
      s.ex.push(e.tsMs, e.price, e.qty, buyer, seller);
      s.exIds.push(id);
    }
    if (s.exOrderIds === undefined && orderIds.length > 0) {
      s.exOrderIds = [];
      for (let k = 0; k < s.exIds.length - 1; k++) s.exOrderIds.push(NO_ORDER_IDS);
    }
    s.exOrderIds?.push(orderIds);
    s.exClass?.push(-1);

    let cycle: string[] | undefined;
    const cycleIds = scratchIds;
    cycleIds.length = 0;
    if (e.buyer === e.seller) {
      cycle = [e.buyer];
      cycleIds.push(buyer);
    } else {
      const found = edge === NO_EDGE ? undefined : findPath(s, edge, seq);
      if (found) {
        cycle = [e.buyer];
        cycleIds.push(buyer);
        for (let k = 0; k < found.length - 1; k++) {
          const id = s.graph!.accountOf(found[k]!);
          cycle.push(st.accounts.name(id));
          cycleIds.push(id);
        }
      }
    }
    if (!cycle) {
      // Not a cycle by itself, but it may extend a group already under watch (e.g. the first leg of the next round trip).
      if (s.openEpisodes === 0) return;
      const ep = pairEpisode(s, e.buyer, e.seller, buyer, seller);
      if (ep) addToEpisode(s, ep, seq);
      return;
    }
    // The group: the cycle's accounts (distinct: a path does not revisit one) by name, and their ids
    // in that order; a few, sorted by insertion into scratch (no closure and arrays per match).
    const size = cycle.length;
    for (let k = 0; k < size; k++) {
      let j = k;
      for (; j > 0 && cycle[groupOrder[j - 1]!]! > cycle[k]!; j--) groupOrder[j] = groupOrder[j - 1]!;
      groupOrder[j] = k;
    }
    for (let k = 0; k < size; k++) groupIds[k] = cycleIds[groupOrder[k]!]!;
    const inCount = internal(s, groupIds, size);
    const ep = episodeFor(s, cycle, size, inCount > 0 ? exField(s, members[0]!, EX_TS) : e.tsMs, inCount);
    addMembers(s, ep, members, inCount);
    ep.cycles++;
    st.episodeNumbers[ep.at + EP_LAST_MATCH] = e.tsMs;
    // A match out of time order moves the end earlier: queue the episode under its earlier time.
    if (endCheckAt(ep) < ep.endDue) queueEnd(ep);
    ep.lastCycle = cycle;
    judge(s, ep, e.tsMs, ctx, members, inCount);
  }

  /** Scratch of `judge`: the group's internal quantities, in the group's order. */
  const memberQty: number[] = [];
  /** Scratch of `onExecution`: the cycle's account ids; the cycle's places in name order, and the ids in that order. */
  const scratchIds: number[] = [];
  const groupOrder: number[] = [];
  const groupIds: number[] = [];

  function addMemberQty(k: number, q: number): void {
    const v = memberQty[k]! + q;
    memberQty[k] = Math.abs(v) < 1e-12 ? 0 : v;
  }

  /**
   * Judges the episode after an execution at `lastMs` that closed one of its cycles, the first
   * `inCount` of `inWindow` being the group's internal executions (`internal`); without them, when it
   * closes (`final`: the measures taken at its last judgement are reported, not those of the window now).
   */
  function judge(s: SymbolState, ep: Episode, lastMs: number, ctx: DetectorContext, inWindow?: readonly number[], inCount = 0): void {
    const final = inWindow === undefined;
    const self = ep.accounts.length === 1;
    const minTrades = self ? t.wash_self_min_trades : t.wash_min_trades;
    if (ep.n < minTrades) return;
    let absNet = 0;
    // In the order the members came to have their nets (`nextNet`), as `net_positions` lists them.
    const v = st.episodeNumbers;
    const at = ep.at;
    for (let k = nextNet(ep, -1); k >= 0; k = nextNet(ep, netRankOf(ep, k))) absNet += Math.abs(netOf(ep, k));
    const gross = v[at + EP_GROSS]!;
    const offset = gross > 0 ? 1 - absNet / (2 * gross) : 0;
    if (offset < t.wash_trade_threshold) return;
    let exclusivity = v[at + EP_EXCLUSIVITY]!;
    let marketShare = v[at + EP_MARKET_SHARE]!;
    if (!final) {
      // Exclusivity: each member's volume inside the group, as a share of its own window volume.
      // Summed per member in the order of `inWindow`, a residue under 1e-12 being 0 (as the map of sums did).
      const size = ep.accounts.length;
      for (let k = 0; k < size; k++) memberQty[k] = 0; // scratch, not emptied (see `members`)
      let groupWindowQty = 0;
      for (let m = 0; m < inCount; m++) {
        const x = inWindow[m]!;
        const q = exField(s, x, EX_QTY);
        const buyer = buyerOf(s, x);
        const seller = sellerOf(s, x);
        groupWindowQty += q;
        addMemberQty(memberIndex(ep, buyer), q);
        if (seller !== buyer) addMemberQty(memberIndex(ep, seller), q);
      }
      exclusivity = 1;
      for (let k = 0; k < size; k++) {
        const total = s.graph!.qtyOf(memberId(ep, k));
        if (total > 0) exclusivity = Math.min(exclusivity, memberQty[k]! / total);
      }
      marketShare = s.volume > 0 ? Math.min(1, groupWindowQty / s.volume) : 0;
    }
    if (exclusivity < t.wash_min_exclusivity) return;
    const matched = self ? 1 : final ? v[at + EP_MATCHED_SHARE]! : matchedShare(s, inWindow, inCount);
    if (matched < t.wash_min_matched_share) return;
    v[at + EP_MATCHED_SHARE] = matched;
    // Re-emit only when the episode grew materially (25% more trades), and once more when it closes.
    if (ep.lastEmitN > 0 && (final ? ep.n === ep.lastEmitN : ep.n < ep.lastEmitN * 1.25)) return;
    ep.lastEmitN = ep.n;
    v[at + EP_EXCLUSIVITY] = exclusivity;
    v[at + EP_MARKET_SHARE] = marketShare;

    const meanQty = gross / ep.n;
    const sizeCv = Math.sqrt(Math.max(0, v[at + EP_SUM_QTY_SQ]! / ep.n - meanQty * meanQty)) / meanQty;
    const minPrice = v[at + EP_MIN_PRICE]!;
    const priceSpread = minPrice > 0 ? v[at + EP_MAX_PRICE]! / minPrice - 1 : 0;
    const repeat = Math.log2(ep.n / minTrades + 1); // 1 at the minimum, grows slowly
    const offsetExcess = (offset - t.wash_trade_threshold) / Math.max(1e-9, 1 - t.wash_trade_threshold);
    // Confidence: how flat the group ends, how exclusively its members trade together, how often, how alike.
    const confidence =
      0.35 +
      0.2 * offsetExcess +
      0.2 * exclusivity +
      0.1 * Math.min(1, repeat - 1 + 0.5) +
      0.1 * (self ? 1 : Math.max(0, 1 - sizeCv)) +
      0.05 * Math.min(1, ep.cycles / 3);
    // Risk: how much of the market's volume is fake, how big and how repeated.
    const risk =
      0.3 + 0.35 * marketShare + 0.15 * Math.min(1, repeat - 1) + 0.1 * Math.min(1, ep.cycles / 10) + 0.1 * Math.min(1, priceSpread / 0.02);

    const who = self
      ? `account ${ep.accounts[0]} traded with itself`
      : `accounts ${ep.lastCycle.join(' → ')} → ${ep.lastCycle[0]} traded in a ${ep.accounts.length === 2 ? 'pair' : `${ep.accounts.length}-account ring`}`;
    const startMs = v[at + EP_START]!;
    const endMs = v[at + EP_END]!;
    const mins = ((endMs - startMs) / 60000).toFixed(1);
    ctx.emit({
      pattern: 'wash_trading',
      episodeKey: `${ep.groupKey}|${startMs}`,
      description:
        `${ep.symbol}: ${who} ${ep.n} times over ${mins} min (${fmt(gross)} gross, ${pct(marketShare)} of the symbol's volume in the last ${windowMs / 60000} min) ` +
        `ending ${pct(offset)} offset (net position ≈ 0; threshold ${pct(t.wash_trade_threshold)}), prices within ${pct(priceSpread)}: no change in beneficial ownership is likely (MAR Annex I (c)). ` +
        `Check whether the accounts share a beneficial owner.`,
      confidence: Math.min(1, confidence),
      riskScore: Math.min(1, risk),
      tsMs: lastMs,
      windowStartMs: startMs,
      windowEndMs: endMs,
      symbols: [ep.symbol],
      accounts: ep.accounts,
      evidence: {
        tradeIds: st.idLists.toArray(ep.tradeIds),
        orderIds: st.idLists.toArray(ep.orderIds),
        metrics: [
          { name: 'group_trades', value: ep.n, threshold: minTrades, op: '>=' },
          { name: 'offset_ratio', value: round4(offset), threshold: t.wash_trade_threshold, op: '>=', unit: 'ratio' },
          { name: 'min_member_exclusivity', value: round4(exclusivity), threshold: t.wash_min_exclusivity, op: '>=', unit: 'ratio' },
          { name: 'gross_qty', value: gross, unit: 'qty' },
          { name: 'notional', value: round4(v[at + EP_NOTIONAL]!) },
          { name: 'price_spread', value: round4(priceSpread), threshold: t.wash_price_tolerance, op: '<=', unit: 'ratio' },
          { name: 'size_cv', value: round4(sizeCv), unit: 'ratio' },
          { name: 'matched_leg_share', value: round4(matched), threshold: t.wash_min_matched_share, op: '>=', unit: 'ratio' },
          { name: 'market_share', value: round4(marketShare), unit: 'ratio' },
          { name: 'cycles_closed', value: ep.cycles },
        ],
        details: {
          kind: self ? 'self_trade' : ep.accounts.length === 2 ? 'pair' : 'ring',
          cycle: ep.lastCycle,
          net_positions: netPositions(ep),
          window_ms: windowMs,
        },
      },
    });
  }

  return {
    onTrade(trade: Trade, ctx: DetectorContext): void {
      const fresh = st.executions.markTrade(trade);
      const execution = isExecution(trade, fresh);
      // The volume entry is the execution's (`SymbolState.volumes`) unless the execution's own expiry
      // (before it is added) would have taken it out: older than the window already.
      const counted = execution && (fresh & BUY_LEG) !== 0 && trade.tsMs >= ctx.now - windowMs;
      if (fresh & BUY_LEG) countVolume(trade.symbol, trade.tsMs, trade.qty, counted);
      if (execution) onExecution(trade, trade.tradeId, NO_ORDER_IDS, ctx, counted);
    },
    onOrder(order: OrderEvent, ctx: DetectorContext): void {
      if (order.action !== 'fill') return;
      // The fill's new leg as a bit (no Leg object and result per fill: a feed reports each trade's two fills too).
      if (st.executions.pairFill(order) === BUY_LEG) countVolume(order.symbol, order.tsMs, order.qty, false);
      const execution = st.executions.paired;
      if (execution) onExecution(execution, execution.id, execution.orderIds, ctx, false);
    },
    onTime(ctx: DetectorContext): void {
      st.executions.expire(ctx.now);
      st.ticks++;
      st.seenCutoff = ctx.now - windowMs;
      // A quiet gap of one window ends the episode: the next match starts a new alert.
      const ending: Episode[] = [];
      for (const { time, item: ep } of st.episodeEnds.takeDue((at) => at < ctx.now)) {
        if (time !== ep.endDue) continue; // stale
        if (ctx.now - st.episodeNumbers[ep.at + EP_LAST_MATCH]! > windowMs) {
          ep.endDue = Infinity;
          ending.push(ep);
        } else queueEnd(ep);
      }
      // In the order the episodes were made, as the walk over all open episodes closed them.
      ending.sort((a, b) => a.rank - b.rank);
      for (const ep of ending) {
        closeEpisode(ep, ctx);
        forget(ep);
      }
      visitDue(st.due, ctx.now, (s) => visit(s, ctx.now));
      st.accounts.reclaim();
    },
    onEnd(ctx: DetectorContext): void {
      for (const ep of st.episodes.values()) closeEpisode(ep, ctx);
    },
    snapshot(): unknown {
      return st;
    },
    restore(state: unknown): void {
      st = state as State;
      lastSymbol = lastState = undefined;
    },
  };

  /** Member `k`'s account id. */
  function memberId(ep: Episode, k: number): number {
    return st.episodeNumbers[ep.at + EP_FIELDS + k]! | 0; // an integer, as it was stored
  }

  /** The place of account `id` among the members (-1: not one). */
  function memberIndex(ep: Episode, id: number): number {
    for (let k = 0; k < ep.accounts.length; k++) if (memberId(ep, k) === id) return k;
    return -1;
  }

  /** Member `k`'s net quantity. */
  function netOf(ep: Episode, k: number): number {
    return st.episodeNumbers[ep.at + netsAt + k]!;
  }

  function netRankOf(ep: Episode, k: number): number {
    return st.episodeNumbers[ep.at + ranksAt + k]!;
  }

  /** Adds to member `k`'s net; a residue under 1e-12 is 0 (and the member's place in the order is given up). */
  function addNet(ep: Episode, k: number, q: number): void {
    const v = st.episodeNumbers;
    const net = ep.at + netsAt + k;
    const rank = ep.at + ranksAt + k;
    const sum = v[net]! + q;
    if (Math.abs(sum) < 1e-12) {
      v[net] = 0;
      v[rank] = -1;
    } else {
      if (v[rank]! < 0) v[rank] = ep.netRanks++;
      v[net] = sum;
    }
  }

  /** The member with a non-zero net that came to have it next after rank `after` (-1: the first), or -1. */
  function nextNet(ep: Episode, after: number): number {
    let best = -1;
    for (let k = 0; k < ep.accounts.length; k++) {
      const r = netRankOf(ep, k);
      if (r > after && (best < 0 || r < netRankOf(ep, best))) best = k;
    }
    return best;
  }

  /** The members with a non-zero net, by name, in the order they came to have it (an alert's `net_positions`). */
  function netPositions(ep: Episode): Record<string, number> {
    const entries: [string, number][] = [];
    for (let k = nextNet(ep, -1); k >= 0; k = nextNet(ep, netRankOf(ep, k))) entries.push([ep.accounts[k]!, netOf(ep, k)]);
    return Object.fromEntries(entries);
  }

  /** When to check whether `ep` has ended: a millisecond before its last match is one window old. */
  function endCheckAt(ep: Episode): number {
    return st.episodeNumbers[ep.at + EP_LAST_MATCH]! + windowMs - 1;
  }

  function queueEnd(ep: Episode): void {
    ep.endDue = endCheckAt(ep);
    st.episodeEnds.push(ep.endDue, ep);
  }

  /** Brings an alerted episode's alert up to date with trades that arrived since its last update. */
  function closeEpisode(ep: Episode, ctx: DetectorContext): void {
    const s = st.symbols.get(ep.symbol);
    if (ep.lastEmitN > 0 && ep.n > ep.lastEmitN && s) judge(s, ep, st.episodeNumbers[ep.at + EP_LAST_EXEC]!, ctx);
  }

  /** Counts a traded quantity; `ofExecution` when the execution about to be added has its time and quantity (`SymbolState.volumes`). */
  function countVolume(symbol: string, tsMs: number, qty: number, ofExecution: boolean): void {
    const s = stateOf(symbol, tsMs);
    s.lastTsMs = Math.max(s.lastTsMs, tsMs);
    s.volume += qty;
    if (s.volumes === undefined && !ofExecution) s.volumes = volumesOf(s);
    // Without a list the execution about to be added is the entry.
    if (s.volumes !== undefined && s.volumes.length < 2 * TIGHT_ITEMS) s.volumes = s.volumes.concat([tsMs, qty]);
    else s.volumes?.push(tsMs, qty);
    schedule(s, tsMs + windowMs);
  }

  /** The volume entries of a symbol whose entries are its executions': their times and quantities. */
  function volumesOf(s: SymbolState): number[] {
    const v: number[] = [];
    for (let i = s.head; i < s.exIds.length; i++) v.push(s.ex[i * EX_FIELDS + EX_TS]!, s.ex[i * EX_FIELDS + EX_QTY]!);
    s.volumeHead = 0;
    return v.length < 2 * TIGHT_ITEMS ? v.slice() : v; // exact length while short (tight-array.ts)
  }
}

/** Number `field` (`EX_TS`, `EX_PRICE`, `EX_QTY`) of execution `seq` of `s` (in the window). */
function exField(s: SymbolState, seq: number, field: number): number {
  return s.ex[(seq - s.base) * EX_FIELDS + field]!;
}

/** The order ids of the execution at index `i` of `s`'s window arrays. */
function orderIdsOf(s: SymbolState, i: number): readonly string[] {
  return s.exOrderIds === undefined ? NO_ORDER_IDS : s.exOrderIds[i]!;
}

/** Buyer and seller account ids of execution `seq` of `s`. */
function buyerOf(s: SymbolState, seq: number): number {
  return s.ex[(seq - s.base) * EX_FIELDS + EX_BUYER]! | 0; // an integer, as it was stored
}

function sellerOf(s: SymbolState, seq: number): number {
  return s.ex[(seq - s.base) * EX_FIELDS + EX_SELLER]! | 0;
}

/*
 * A pair's entry in `SymbolState.pairIndex` is keyed by its two account ids, the lower first: one
 * entry whichever of the two bought.
 */
function pairSlotOf(index: IntTable, a: number, b: number): number {
  return index.get(Math.min(a, b), Math.max(a, b));
}

function addPair(index: IntTable, a: number, b: number, slot: number): void {
  index.add(Math.min(a, b), Math.max(a, b), slot);
}

function deletePair(index: IntTable, a: number, b: number): void {
  index.delete(Math.min(a, b), Math.max(a, b));
}

function hasComma(names: readonly string[]): boolean {
  for (const a of names) if (a.includes(',')) return true;
  return false;
}

export const washTrading: DetectorFactory = {
  pattern: 'wash_trading',
  version: 2,
  create: createWashTrading,
};
