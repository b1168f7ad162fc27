import type { EpochMs } from './events.js';

/** The patterns the engine knows, in snake_case as stored and shown. */
export const PATTERN_TYPES = [
  'pump_and_dump',
  'wash_trading',
  'spoofing',
  'layering',
  'volume_spike',
  'price_anomaly',
  'concentrated_trading',
  'unusual_timing',
] as const;
export type PatternType = (typeof PATTERN_TYPES)[number];

/** Manipulation patterns imply intent; anomalies are statistical outliers worth a look. */
export const MANIPULATION_TYPES: ReadonlySet<PatternType> = new Set([
  'pump_and_dump',
  'wash_trading',
  'spoofing',
  'layering',
  'concentrated_trading',
]);

export const LEVELS = ['critical', 'high', 'medium', 'low'] as const;
export type Level = (typeof LEVELS)[number];

export const ALERT_STATUSES = ['active', 'resolved', 'false_positive'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** A measured value next to the threshold it was compared with. */
export interface Metric {
  readonly name: string;
  readonly value: number;
  /** The threshold crossed (or the reference it was compared against). */
  readonly threshold?: number | undefined;
  /** How it was compared: '>=', '<=', '>' or '<'. */
  readonly op?: '>=' | '<=' | '>' | '<' | undefined;
  readonly unit?: string | undefined;
}

/** What the alert rests on: the events and the measurements. */
export interface Evidence {
  readonly tradeIds: readonly string[];
  readonly orderIds: readonly string[];
  readonly metrics: readonly Metric[];
  /** Pattern-specific details (e.g. the account cycle of a wash-trading ring). */
  readonly details?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * What a detector reports. The engine turns findings into alerts: it assigns the id, level and
 * de-duplicates by `episodeKey`, so a growing episode updates one alert instead of raising a flood.
 */
export interface Finding {
  readonly pattern: PatternType;
  /** Identifies one ongoing episode; the same key from the same pattern updates the same alert. */
  readonly episodeKey: string;
  readonly description: string;
  readonly confidence: number;
  readonly riskScore: number;
  readonly tsMs: EpochMs;
  readonly windowStartMs: EpochMs;
  readonly windowEndMs: EpochMs;
  readonly symbols: readonly string[];
  readonly accounts: readonly string[];
  readonly evidence: Evidence;
}

export interface Alert {
  readonly alert_id: string;
  readonly type: PatternType;
  readonly manipulation_type: PatternType | null;
  readonly anomaly_type: PatternType | null;
  readonly level: Level;
  readonly description: string;
  readonly confidence: number;
  readonly risk_score: number;
  /** Event time of detection (ISO-8601). */
  readonly timestamp: string;
  readonly window_start: string;
  readonly window_end: string;
  readonly affected_symbols: readonly string[];
  readonly affected_users: readonly string[];
  readonly evidence: Evidence;
  readonly status: AlertStatus;
  readonly detector_version: number;
  readonly resolved_by?: string | null | undefined;
  readonly resolved_at?: string | null | undefined;
  readonly resolution?: AlertStatus | null | undefined;
  readonly resolution_note?: string | null | undefined;
}

/** Parses a level name, returning undefined for anything else. */
export function parseLevel(s: string): Level | undefined {
  return (LEVELS as readonly string[]).includes(s) ? (s as Level) : undefined;
}

/** Parses a pattern name, returning undefined for anything else. */
export function parsePattern(s: string): PatternType | undefined {
  return (PATTERN_TYPES as readonly string[]).includes(s) ? (s as PatternType) : undefined;
}

/** Level rank: critical 0 … low 3 (for sorting and "at or above" filters). */
export function levelRank(level: Level): number {
  return LEVELS.indexOf(level);
}
