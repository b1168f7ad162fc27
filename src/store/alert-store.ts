import type { Alert, AlertStatus, Level, PatternType } from '../domain/alert.js';

export interface AlertFilter {
  readonly level?: Level | undefined;
  /** Alerts at this level or more severe. */
  readonly minLevel?: Level | undefined;
  readonly status?: AlertStatus | undefined;
  readonly type?: PatternType | undefined;
  readonly symbol?: string | undefined;
  readonly account?: string | undefined;
  /** Detection time ≥ this (epoch ms). */
  readonly sinceMs?: number | undefined;
  /** Detection time < this (epoch ms). */
  readonly untilMs?: number | undefined;
  readonly limit?: number | undefined;
  readonly offset?: number | undefined;
  /** Default: newest first. */
  readonly sort?: 'time_desc' | 'time_asc' | 'risk_desc' | 'level' | undefined;
}

export interface Resolution {
  readonly resolution: 'resolved' | 'false_positive';
  readonly note?: string | undefined;
  readonly by: string;
  readonly atIso: string;
}

export interface Summary {
  readonly total: number;
  readonly active: number;
  readonly byStatus: Readonly<Record<AlertStatus, number>>;
  readonly byLevel: Readonly<Record<Level, number>>;
  readonly byType: Readonly<Record<PatternType, number>>;
  /** Risk distribution: high > 0.7, medium 0.4–0.7, low < 0.4. */
  readonly risk: { readonly high: number; readonly medium: number; readonly low: number };
  readonly topSymbols: readonly { symbol: string; count: number }[];
  readonly topAccounts: readonly { account: string; count: number }[];
}

/** The running monitor as recorded in the store (one at a time per store). */
export interface MonitorRecord {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
  readonly heartbeatAt: string;
  readonly symbols: readonly string[];
  readonly source: string;
  readonly events: number;
  readonly alerts: number;
  /** Thresholds and settings in force, as JSON. */
  readonly config: unknown;
}

/** The finished or current run statistics shown by `status` after a monitor ends. */
export interface MonitorClaim {
  readonly pid: number;
  readonly host: string;
  readonly symbols: readonly string[];
  readonly source: string;
  readonly config: unknown;
}

/**
 * The alert store: SQLite embedded, PostgreSQL for scale-out; one contract test suite for both.
 * Writes are idempotent: upserting the same alert id updates it and keeps the analyst's fields.
 */
export interface AlertStore {
  /** Inserts or updates alerts (by id) in one transaction; status and resolution are preserved. */
  upsertAlerts(alerts: readonly Alert[]): Promise<void>;
  listAlerts(filter?: AlertFilter): Promise<Alert[]>;
  countAlerts(filter?: AlertFilter): Promise<number>;
  getAlert(id: string): Promise<Alert | undefined>;
  /** Resolves or marks false positive; throws NotFoundError for an unknown id. */
  resolveAlert(id: string, resolution: Resolution): Promise<Alert>;
  summary(filter?: AlertFilter): Promise<Summary>;

  /**
   * Records this process as the running monitor; throws ConflictError when a live one is recorded.
   * `isAlive` judges a recorded monitor (pid on this host, or a fresh heartbeat elsewhere).
   */
  claimMonitor(claim: MonitorClaim, isAlive: (m: MonitorRecord) => boolean): Promise<void>;
  heartbeatMonitor(pid: number, events: number, alerts: number): Promise<void>;
  releaseMonitor(pid: number, events: number, alerts: number): Promise<void>;
  /** The recorded monitor, live or not (the caller judges liveness), and the last run's numbers. */
  getMonitor(): Promise<{ current: MonitorRecord | null; last: MonitorRecord | null }>;

  close(): Promise<void>;
}
