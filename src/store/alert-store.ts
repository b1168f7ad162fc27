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
  /**
   * Called once by a latency-bound writer (a live monitor) before it starts committing: the store
   * moves its own upkeep off the committing thread (SQLite: WAL checkpoints, on a thread that costs
   * ≈ 10 MB). Optional.
   */
  beginStreaming?(): Promise<void>;
  listAlerts(filter?: AlertFilter): Promise<Alert[]>;
  countAlerts(filter?: AlertFilter): Promise<number>;
  /** Counts matching alerts but stops at `cap` (a listing's "10,000+" without scanning millions). */
  countAlertsUpTo(filter: AlertFilter, cap: number): Promise<number>;
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

  // ---- Case management (analyst workflow) ----

  /**
   * Applies one case action and appends it to the audit trail in the same transaction;
   * throws NotFoundError for an unknown id. The audit trail can only grow (enforced by the database).
   */
  applyCaseAction(id: string, action: CaseAction, by: string, atIso: string): Promise<Alert>;
  /** The case fields (assignee, escalation) of these alerts; ids not found are absent. */
  caseFields(ids: readonly string[]): Promise<Map<string, CaseFields>>;
  /** The audit trail of one alert, oldest first. */
  caseHistory(id: string): Promise<AuditEntry[]>;

  /** Alert counts per time bucket (by detection time), level and type: the summary charts. */
  timeline(filter: AlertFilter, bucketMs: number): Promise<TimelineBucket[]>;

  // ---- Change feed (live updates, webhooks) ----

  /** The highest change number so far (0 for an empty store). */
  latestChange(): Promise<number>;
  /** Alerts inserted or changed after change number `after`, oldest change first, at most `limit`. */
  changesSince(after: number, limit: number): Promise<AlertChange[]>;

  // ---- API tokens ----

  /** Records a token by its hash; throws ConflictError when the name is taken. */
  createToken(token: NewApiToken): Promise<ApiToken>;
  listTokens(): Promise<ApiToken[]>;
  /** Revokes by id or name; throws NotFoundError when neither matches an active token. */
  revokeToken(idOrName: string, atIso: string): Promise<ApiToken>;
  /** The active (not revoked) token with this hash. */
  findTokenByHash(hash: string): Promise<ApiToken | undefined>;

  // ---- Webhook outbox ----

  /** Queues deliveries; an (alert, url) pair already queued is ignored. Returns how many were new. */
  enqueueWebhooks(items: readonly NewOutboxItem[], nowMs: number): Promise<number>;
  /** Undelivered items whose next attempt is due, oldest first. */
  dueWebhooks(nowMs: number, limit: number): Promise<OutboxItem[]>;
  /** Records one delivery attempt: delivered, or failed with the time of the next attempt. */
  recordWebhookAttempt(id: number, result: WebhookAttempt): Promise<void>;
  /** All outbox items (newest first), for status and tests. */
  listWebhooks(limit: number): Promise<OutboxItem[]>;
  /** A named progress marker (e.g. how far the webhook dispatcher has read the change feed). */
  getCursor(name: string): Promise<number | undefined>;
  setCursor(name: string, value: number): Promise<void>;

  close(): Promise<void>;
}

/** One analyst action on an alert (a case). */
export type CaseAction =
  | { readonly kind: 'assign'; readonly assignee: string; readonly note?: string | undefined }
  | { readonly kind: 'comment'; readonly text: string }
  | { readonly kind: 'escalate'; readonly note?: string | undefined }
  | { readonly kind: 'resolve'; readonly resolution: 'resolved' | 'false_positive'; readonly note?: string | undefined };

export const CASE_ACTION_KINDS = ['assign', 'comment', 'escalate', 'resolve'] as const;

/** The analyst-owned fields of an alert besides its status. */
export interface CaseFields {
  readonly assignee: string | null;
  readonly escalated: boolean;
  readonly escalated_at: string | null;
  readonly escalated_by: string | null;
}

/** The case state an audit entry records before and after an action. */
export interface CaseState {
  readonly status: AlertStatus;
  readonly assignee: string | null;
  readonly escalated: boolean;
  readonly resolution: AlertStatus | null;
  readonly resolution_note: string | null;
}

/** One row of the append-only audit trail. */
export interface AuditEntry {
  readonly seq: number;
  readonly alert_id: string;
  readonly at: string;
  readonly actor: string;
  readonly action: CaseAction['kind'];
  readonly note: string | null;
  readonly before: CaseState;
  readonly after: CaseState;
}

/** One cell of the alerts-over-time histogram. */
export interface TimelineBucket {
  /** Bucket start, epoch ms (UTC). */
  readonly start_ms: number;
  readonly level: Level;
  readonly type: PatternType;
  readonly count: number;
}

/** An alert as it appears on the change feed. */
export interface AlertChange {
  readonly seq: number;
  /** True when this change created the alert (first sight). */
  readonly created: boolean;
  readonly alert: Alert;
}

export const TOKEN_ROLES = ['viewer', 'analyst', 'admin'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

export interface NewApiToken {
  readonly id: string;
  readonly name: string;
  readonly role: TokenRole;
  /** sha-256 hex of the secret; the secret itself is never stored. */
  readonly hash: string;
  readonly createdAt: string;
}

export interface ApiToken {
  readonly id: string;
  readonly name: string;
  readonly role: TokenRole;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

export interface NewOutboxItem {
  readonly alertId: string;
  readonly url: string;
  /** The exact body to POST (signed as is). */
  readonly payload: string;
}

export interface OutboxItem extends NewOutboxItem {
  readonly id: number;
  readonly attempts: number;
  readonly nextAttemptMs: number;
  readonly deliveredAt: string | null;
  readonly lastError: string | null;
}

export type WebhookAttempt =
  { readonly ok: true; readonly atIso: string } | { readonly ok: false; readonly error: string; readonly nextAttemptMs: number };

/** The case state of an alert plus its case fields (what the audit trail records). */
export function caseStateOf(a: Alert, c: CaseFields): CaseState {
  return {
    status: a.status,
    assignee: c.assignee,
    escalated: c.escalated,
    resolution: a.resolution ?? null,
    resolution_note: a.resolution_note ?? null,
  };
}
