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
}

/** One injected scenario: what, where, who and when (the `evaluate --labels` CSV row). */
export interface ScenarioLabel {
  readonly scenario_id: string;
  readonly type: PatternType;
  readonly symbol: string;
  readonly accounts: readonly string[];
  readonly startMs: EpochMs;
  readonly endMs: EpochMs;
}

export interface Simulation {
  /** Events in event-time order, in batches of about one simulated second each. */
  readonly batches: Iterable<MarketEvent[]>;
  /** Labels of the scenarios injected so far (complete once `batches` is exhausted). */
  readonly labels: readonly ScenarioLabel[];
}
