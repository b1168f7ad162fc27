import type { Finding, PatternType } from '../domain/alert.js';
import type { EpochMs, OrderEvent, Quote, Trade } from '../domain/events.js';
import type { Config } from '../config/config.js';

/** What a detector may see of the engine: event time and a way to report. Never the wall clock. */
export interface DetectorContext {
  /** Current event time (the watermark): the latest event time seen. */
  readonly now: EpochMs;
  /** Reports a finding; the engine assigns id and level and de-duplicates by episode key. */
  emit(finding: Finding): void;
}

/**
 * One pattern's detection logic. Handlers are the hot path: synchronous, no I/O, no allocation
 * beyond what the pattern's state needs. State is keyed (symbol, account) and must expire beyond the
 * detector's horizon so memory stays bounded on endless streams.
 */
export interface Detector {
  onTrade?(trade: Trade, ctx: DetectorContext): void;
  onOrder?(order: OrderEvent, ctx: DetectorContext): void;
  onQuote?(quote: Quote, ctx: DetectorContext): void;
  /** Event time advanced (called at most once per `tickMs` of event time): close windows, expire state. */
  onTime?(ctx: DetectorContext): void;
  /** The input ended: report what is still open (e.g. a pump whose dump never came). */
  onEnd?(ctx: DetectorContext): void;
  /**
   * Everything the detector has learned so far, as one object graph for a checkpoint: plain
   * objects, arrays, Map, Set, typed arrays and instances of classes registered with `stateClass`
   * (src/engine/snapshot.ts); no functions. Returned by reference: the engine serialises it at once.
   */
  snapshot(): unknown;
  /**
   * Replaces all state with a decoded `snapshot()` of a detector made from the same configuration.
   * Afterwards the detector must behave exactly as the one that was snapshotted (same alerts).
   */
  restore(state: unknown): void;
}

/**
 * State that several detectors of one engine read, built once per engine by the first detector that
 * asks for it (e.g. the order book spoofing and layering both judge against). A detector keeps what
 * it gets in its own state: the engine snapshots all detectors as one graph, so the objects stay
 * shared after a restore.
 */
export interface SharedState {
  get<T>(key: string, make: () => T): T;
}

/** Creates a detector from the configuration in force (thresholds, sessions). Registered in registry.ts. */
export interface DetectorFactory {
  readonly pattern: PatternType;
  /** Bump when the logic changes; stored on every alert. */
  readonly version: number;
  create(config: Config, shared: SharedState): Detector;
}
