import { createHash } from 'node:crypto';
import { MANIPULATION_TYPES, type Alert, type Evidence, type Finding, type PatternType } from '../domain/alert.js';
import { assertNever, type MarketEvent, type OrderEvent, type Quote, type Trade } from '../domain/events.js';
import { levelFor, score01 } from '../domain/level.js';
import type { Detector, DetectorContext, DetectorFactory, SharedState } from '../detect/detector.js';
import type { Config } from '../config/config.js';
import { MarketContext } from './market-context.js';
import { decodeState, encodeState, stateCodeId } from './snapshot.js';

/** Where alerts go: the store, a printer, a test's array. Called once per processed batch. */
export interface AlertSink {
  write(alerts: readonly Alert[]): void | Promise<void>;
}

export interface EngineStats {
  events: number;
  trades: number;
  orders: number;
  quotes: number;
  /** Distinct alerts raised (episodes), not updates. */
  alerts: number;
  alertUpdates: number;
  firstTsMs: number | null;
  lastTsMs: number | null;
}

/** Evidence lists are capped so one long episode cannot grow an alert without bound. */
export const MAX_EVIDENCE_IDS = 500;

/** How often (event time) detectors get `onTime`: window closing and state expiry. */
const TICK_MS = 1_000;

/** Deterministic alert id: the same pattern and episode always give the same id. */
export function alertIdFor(pattern: PatternType, episodeKey: string): string {
  return createHash('sha256').update(`${pattern}\u0000${episodeKey}`).digest('hex').slice(0, 20);
}

/** Turns a finding into its alert shape (status active); the store keeps analyst fields on update. */
export function alertFromFinding(f: Finding, version: number): Alert {
  const capped = (ids: readonly string[]): readonly string[] => (ids.length > MAX_EVIDENCE_IDS ? ids.slice(0, MAX_EVIDENCE_IDS) : ids);
  const evidence: Evidence = {
    ...f.evidence,
    tradeIds: capped(f.evidence.tradeIds),
    orderIds: capped(f.evidence.orderIds),
    metrics: f.evidence.metrics,
    details: {
      ...(f.evidence.details ?? {}),
      ...(f.evidence.tradeIds.length > MAX_EVIDENCE_IDS ? { trade_count: f.evidence.tradeIds.length } : {}),
      ...(f.evidence.orderIds.length > MAX_EVIDENCE_IDS ? { order_count: f.evidence.orderIds.length } : {}),
    },
  };
  const confidence = score01(f.confidence);
  const risk = score01(f.riskScore);
  const manipulation = MANIPULATION_TYPES.has(f.pattern);
  return {
    alert_id: alertIdFor(f.pattern, f.episodeKey),
    type: f.pattern,
    manipulation_type: manipulation ? f.pattern : null,
    anomaly_type: manipulation ? null : f.pattern,
    level: levelFor(confidence, risk),
    description: f.description,
    confidence,
    risk_score: risk,
    timestamp: new Date(f.tsMs).toISOString(),
    window_start: new Date(f.windowStartMs).toISOString(),
    window_end: new Date(f.windowEndMs).toISOString(),
    affected_symbols: [...f.symbols].sort(),
    affected_users: [...f.accounts].filter((a) => a !== '').sort(),
    evidence,
    status: 'active',
    detector_version: version,
  };
}

/** What `Engine.snapshot` serialises. */
interface EngineState {
  readonly fingerprint: string;
  readonly now: number;
  readonly nextTickMs: number;
  readonly stats: EngineStats;
  readonly firstSeen: Map<string, number>;
  readonly market: MarketContext | null;
  readonly detectors: unknown[];
}

interface Slot {
  readonly factory: DetectorFactory;
  readonly detector: Detector;
}

/** A detector's handler of one event kind, taken from it once instead of looked up per event. */
interface Handler<E> {
  readonly slot: Slot;
  readonly fn: (this: Detector, event: E, ctx: DetectorContext) => void;
}

/** The handlers of the slots whose detector has `name`, in slot order. */
function handlers<E>(slots: readonly Slot[], name: 'onTrade' | 'onOrder' | 'onQuote'): Handler<E>[] {
  const out: Handler<E>[] = [];
  for (const slot of slots) {
    // eslint-disable-next-line @typescript-eslint/unbound-method -- always called with its detector as `this` (dispatch)
    const fn = slot.detector[name] as Handler<E>['fn'] | undefined;
    if (fn) out.push({ slot, fn });
  }
  return out;
}

/**
 * What detectors are handed: event time and `emit`. One class for every engine, so `ctx.emit` is the
 * same function in all of them: as a closure made per engine, detector code optimised in the live
 * warm-up's scratch engines had inlined their closure and was thrown away ("wrong call target") at
 * the live engine's first alert of each detector (docs/perf-notes/cls10a.md).
 */
class EngineContext implements DetectorContext {
  now = -Infinity;
  constructor(private readonly engine: Engine) {}
  emit(finding: Finding): void {
    this.engine.receive(finding);
  }
}

/**
 * Routes events to every detector in event-time order, advances the watermark, turns findings into
 * alerts (one alert per episode, updated as it grows) and hands them to the sink once per batch.
 * Holds no wall clock: the same input gives the same alerts, replayed or live.
 */
export class Engine {
  readonly stats: EngineStats = {
    events: 0,
    trades: 0,
    orders: 0,
    quotes: 0,
    alerts: 0,
    alertUpdates: 0,
    firstTsMs: null,
    lastTsMs: null,
  };
  private readonly slots: Slot[];
  /**
   * Per event kind, the detectors that take it. With 8 detectors of 8 classes, reading
   * `slot.detector.onTrade` per event was a megamorphic property load, twice per detector.
   */
  private readonly tradeHandlers: Handler<Trade>[];
  private readonly orderHandlers: Handler<OrderEvent>[];
  private readonly quoteHandlers: Handler<Quote>[];
  /**
   * The context detectors see. `now` is a plain data property the engine updates, not a getter:
   * detectors read it in their inner loops (expiry walks), where a getter call showed in profiles.
   */
  private readonly ctx: EngineContext;
  private nextTickMs = -Infinity;
  private readonly pending = new Map<string, Alert>();
  /**
   * Live inputs: hand alerts to the sink as soon as the event that raised them is processed, not at
   * the end of its batch (alert latency: up to a whole batch sooner). Replay keeps one write per
   * batch. The alerts are the same either way; only more intermediate versions may be written.
   */
  flushOnAlert = false;
  /** First detection time of each alert id: an alert's `timestamp` stays its first detection. */
  private readonly firstSeen = new Map<string, number>();
  private current: Slot | undefined;
  /** Recent events per symbol, so alerts carry their evidence events and surrounding trades. */
  private market: MarketContext | null;
  /** Identifies what a snapshot is valid for: the detectors, their versions, the configuration and the build (`stateCodeId`). */
  readonly fingerprint: string;

  constructor(
    factories: readonly DetectorFactory[],
    config: Config,
    private readonly sink: AlertSink,
  ) {
    const shared = new Map<string, unknown>();
    const sharedState: SharedState = {
      get<T>(key: string, make: () => T): T {
        if (!shared.has(key)) shared.set(key, make());
        return shared.get(key) as T;
      },
    };
    this.slots = factories.map((factory) => ({ factory, detector: factory.create(config, sharedState) }));
    this.tradeHandlers = handlers(this.slots, 'onTrade');
    this.orderHandlers = handlers(this.slots, 'onOrder');
    this.quoteHandlers = handlers(this.slots, 'onQuote');
    this.ctx = new EngineContext(this);
    this.market =
      config.evidence_context_events > 0
        ? new MarketContext({ perSymbol: config.evidence_context_events, maxHeld: config.evidence_context_max_events })
        : null;
    this.fingerprint = createHash('sha256')
      .update(JSON.stringify({ detectors: factories.map((f) => [f.pattern, f.version]), config, code: stateCodeId() }))
      .digest('hex')
      .slice(0, 16);
  }

  /**
   * The engine's whole state (event time, tick, counters, alert first-seen times, market context and
   * every detector's state) as bytes, for a checkpoint. Call between batches. A fresh engine built
   * with the same detectors and configuration and given these bytes by `restore` continues exactly
   * as this one would: same alerts for the same following events.
   */
  snapshot(): Buffer {
    if (this.pending.size > 0) throw new Error('snapshot with unflushed alerts');
    const detectors = this.slots.map((slot) => slot.detector.snapshot());
    const state: EngineState = {
      fingerprint: this.fingerprint,
      now: this.nowMs,
      nextTickMs: this.nextTickMs,
      stats: this.stats,
      firstSeen: this.firstSeen,
      market: this.market,
      detectors,
    };
    return encodeState(state);
  }

  /** Loads a `snapshot()` taken by an engine with the same fingerprint; throws if it is not. */
  restore(bytes: Uint8Array): void {
    const state = decodeState(bytes) as EngineState;
    if (state.fingerprint !== this.fingerprint) {
      throw new Error(`snapshot was taken with other detectors or configuration (${state.fingerprint}, this engine ${this.fingerprint})`);
    }
    this.slots.forEach((slot, i) => slot.detector.restore(state.detectors[i]));
    this.nowMs = state.now;
    this.nextTickMs = state.nextTickMs;
    Object.assign(this.stats, state.stats);
    this.firstSeen.clear();
    for (const [k, v] of state.firstSeen) this.firstSeen.set(k, v);
    this.market = state.market;
  }

  private get nowMs(): number {
    return this.ctx.now;
  }

  private set nowMs(tsMs: number) {
    this.ctx.now = tsMs;
  }

  /** The current event time (latest seen). */
  get now(): number {
    return this.nowMs;
  }

  /** A detector's finding, through its context's `emit`: the alert, enriched, is pending until the next flush. */
  receive(finding: Finding): void {
    const slot = this.current;
    if (!slot) throw new Error('emit outside a detector callback');
    if (finding.pattern !== slot.factory.pattern) {
      throw new Error(`detector ${slot.factory.pattern} emitted a ${finding.pattern} finding`);
    }
    let alert = alertFromFinding(finding, slot.factory.version);
    const first = this.firstSeen.get(alert.alert_id);
    if (first !== undefined) {
      this.stats.alertUpdates++;
      if (first !== finding.tsMs) {
        alert = {
          ...alert,
          timestamp: new Date(first).toISOString(),
          evidence: { ...alert.evidence, details: { ...alert.evidence.details, updated_at: new Date(finding.tsMs).toISOString() } },
        };
      }
    } else {
      this.firstSeen.set(alert.alert_id, finding.tsMs);
      this.stats.alerts++;
    }
    // Enriched at emission, not at flush, so the context does not depend on how input was batched.
    this.pending.set(alert.alert_id, this.market ? this.market.enrich(alert) : alert);
  }

  /**
   * Processes one batch of events (already validated and in event-time order within the window).
   * `clock[i]`, when given, is the event time the whole stream had reached at `events[i]`: an
   * engine that sees only some symbols (a detection thread) then keeps the clock a single engine
   * over all symbols would have.
   */
  async process(events: readonly MarketEvent[], clock?: ArrayLike<number>): Promise<void> {
    // The event loop is `run`, a plain function: with the loop and its awaits in this async function,
    // V8 inlined `flush` into the loop's optimised code and threw that code away (a deopt) at almost
    // every batch that raised an alert: 64 times over the live bench's feed (docs/perf-notes/live9.md).
    let from = 0;
    while (from < events.length) {
      from = this.run(events, clock, from);
      // Live input: an event left alerts pending, and they are stored before the next event runs.
      if (from < events.length) await this.flush();
    }
    this.current = undefined;
    if (events.length > 0) this.stats.lastTsMs = this.nowMs;
    // Most batches raise no alert: then `process` ends without suspending (an await of `flush` cost
    // a promise and a microtask hop per batch, small live batches included).
    if (this.pending.size > 0) await this.flush();
  }

  /**
   * Runs `events` from `from` on; returns the index after the last event run: the end of the batch,
   * or (`flushOnAlert`) the event after one that left alerts pending.
   */
  private run(events: readonly MarketEvent[], clock: ArrayLike<number> | undefined, from: number): number {
    const stats = this.stats;
    for (let i = from; i < events.length; i++) {
      const e = events[i]!;
      const t = clock ? clock[i]! : e.tsMs;
      if (t > this.nowMs) {
        this.nowMs = t;
        if (this.nowMs >= this.nextTickMs) {
          this.tick();
          this.nextTickMs = this.nowMs - (this.nowMs % TICK_MS) + TICK_MS;
        }
      }
      stats.events++;
      if (stats.firstTsMs === null) stats.firstTsMs = e.tsMs;
      this.market?.record(e);
      switch (e.type) {
        case 'trade':
          stats.trades++;
          this.dispatch(this.tradeHandlers, e);
          break;
        case 'order':
          stats.orders++;
          this.dispatch(this.orderHandlers, e);
          break;
        case 'quote':
          stats.quotes++;
          this.dispatch(this.quoteHandlers, e);
          break;
        default:
          assertNever(e, 'event type');
      }
      if (this.flushOnAlert && this.pending.size > 0) {
        this.current = undefined;
        return i + 1;
      }
    }
    return events.length;
  }

  /** Hands one event to each handler in turn (`current` names the detector for `emit`). */
  private dispatch<E>(list: readonly Handler<E>[], e: E): void {
    const ctx = this.ctx;
    for (let j = 0; j < list.length; j++) {
      const h = list[j]!;
      this.current = h.slot;
      h.fn.call(h.slot.detector, e, ctx);
    }
  }

  /**
   * Calls onTime with `now` at the start of the current second. Using the boundary, not the event
   * time, makes expiry decisions independent of which other symbols share the engine, so a symbol
   * gets the same alerts whether it is replayed alone, with all symbols, or in a bus partition.
   */
  private tick(): void {
    const eventNow = this.nowMs;
    this.nowMs = eventNow - (eventNow % TICK_MS);
    try {
      this.tickSlots();
    } finally {
      this.nowMs = eventNow;
    }
  }

  private tickSlots(): void {
    this.market?.expire(this.nowMs);
    for (const slot of this.slots) {
      if (slot.detector.onTime) {
        this.current = slot;
        slot.detector.onTime(this.ctx);
      }
    }
    this.current = undefined;
  }

  /** Advances event time without events (a live source that is idle but whose clock moves on). */
  async advanceTo(tsMs: number): Promise<void> {
    if (tsMs <= this.nowMs) return;
    this.nowMs = tsMs;
    if (this.nowMs >= this.nextTickMs) {
      this.tick();
      this.nextTickMs = this.nowMs - (this.nowMs % TICK_MS) + TICK_MS;
    }
    await this.flush();
  }

  /** The input ended: lets detectors close open episodes, then flushes. */
  async end(): Promise<void> {
    this.tick();
    for (const slot of this.slots) {
      if (slot.detector.onEnd) {
        this.current = slot;
        slot.detector.onEnd(this.ctx);
      }
    }
    this.current = undefined;
    await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const alerts = [...this.pending.values()];
    this.pending.clear();
    await this.sink.write(alerts);
  }
}
