import type { PatternType } from '../../domain/alert.js';
import type { EpochMs, MarketEvent } from '../../domain/events.js';

/**
 * The contract between the built-in market simulator and its users (`start --source sim`,
 * `surveillance test`, benchmarks). The simulator is deterministic: the same options give the same
 * events and labels, byte for byte.
 */
export interface SimulatorOptions {
  readonly symbols: readonly string[];
  readonly seed: number;
  /** Simulated start time. */
  readonly startMs: EpochMs;
  /** Simulated duration; null = endless (live monitor). */
  readonly durationMs: number | null;
  /** Inject labelled manipulation scenarios (on for `test` and, occasionally, for `start`). */
  readonly inject: boolean;
  /** Only these scenario types (all when absent). */
  readonly scenarioTypes?: readonly PatternType[] | undefined;
  /**
   * The trading session of every symbol (background trades only inside it). Absent: the default
   * `SIMULATOR_SESSION` (09:30–16:00 America/New_York); null: a 24h market (no marking-the-close or
   * off-session scenarios then). Pass `simulatorSessions(...)` into the config's `sessions`.
   */
  readonly session?: SimSession | null | undefined;
}

/** A daily session in local time; the same shape as the config's `sessions` entries. */
export interface SimSession {
  readonly open: string;
  readonly close: string;
  readonly timezone: string;
}

/** One injected scenario: what, where, who and when (the `evaluate --labels` CSV row). */
export interface ScenarioLabel {
  readonly scenario_id: string;
  readonly type: PatternType;
  readonly symbol: string;
  readonly accounts: readonly string[];
  readonly startMs: EpochMs;
  readonly endMs: EpochMs;
  /**
   * A side effect that detectors may legitimately report but need not (a pump is also a volume
   * spike; a benign news jump is a price anomaly): alerts matching it are neither hits nor false
   * positives, and missing it is no miss. Absent = a scenario that must be detected.
   */
  readonly incidental?: boolean | undefined;
  /** Which form of the pattern was injected (e.g. 'ring', 'marking_close'), for reports. */
  readonly variant?: string | undefined;
}

export interface Simulation {
  /** Events in event-time order, in batches of about one simulated second each. */
  readonly batches: Iterable<MarketEvent[]>;
  /** Labels of the scenarios injected so far (complete once `batches` is exhausted). */
  readonly labels: readonly ScenarioLabel[];
}
