import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { LEVELS, type Alert, type AlertStatus } from '../../domain/alert.js';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import {
  caseStateOf,
  type AlertChange,
  type AlertFilter,
  type AlertStore,
  type ApiToken,
  type AuditEntry,
  type CaseAction,
  type CaseFields,
  type MonitorClaim,
  type MonitorRecord,
  type NewApiToken,
  type NewOutboxItem,
  type OutboxItem,
  type Resolution,
  type Summary,
  type TimelineBucket,
  type TokenRole,
  type WebhookAttempt,
} from '../alert-store.js';
import { applyCase } from '../case-actions.js';
import { Checkpointer } from './checkpointer.js';
import { SQLITE_MIGRATIONS } from './migrations.js';
import { ORDER_BY, summaryOf, withResolution } from '../rows.js';

/** The subset of better-sqlite3 this store uses (keeps the driver at the edge). */
type Db = Database.Database;

interface AlertRow {
  alert_id: string;
  data: string;
  status: AlertStatus;
  resolved_by: string | null;
  resolved_at: string | null;
  resolution: AlertStatus | null;
  resolution_note: string | null;
}

interface MonitorRow {
  pid: number;
  host: string;
  started_at: string;
  heartbeat_at: string;
  symbols: string;
  source: string;
  events: number;
  alerts: number;
  config: string;
}

/** Opens (creating and migrating) the SQLite store at `path`. */
export function openSqliteStore(path: string): SqliteAlertStore {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  // WAL + synchronous=NORMAL: a commit appends to the WAL without waiting for fsync (the WAL is
  // synced at checkpoints), so a live monitor's per-batch commit takes ≈ 0.6 ms. A committed alert
  // survives the process crashing; the last commits can be lost if the OS crashes or power fails.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // Several CLI processes share one file: wait for a writer instead of failing with SQLITE_BUSY.
  db.pragma('busy_timeout = 10000');
  migrate(db);
  return new SqliteAlertStore(db, path);
}

function migrate(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  const apply = db.transaction(() => {
    const done = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
    for (const m of SQLITE_MIGRATIONS) {
      if (done.has(m.version)) continue;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(m.version, new Date().toISOString());
    }
  });
  apply.immediate();
}

function toMs(iso: string): number {
  return Date.parse(iso);
}

function rowToAlert(r: AlertRow): Alert {
  return withResolution(JSON.parse(r.data) as Alert, r);
}

/** Builds the WHERE clause of a filter; symbols and users are stored as ',A,B,' for LIKE matching. */
function where(f: AlertFilter): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (f.level) {
    parts.push('level = ?');
    params.push(f.level);
  }
  if (f.minLevel) {
    parts.push('level_rank <= ?');
    params.push(LEVELS.indexOf(f.minLevel));
  }
  if (f.status) {
    parts.push('status = ?');
    params.push(f.status);
  }
  if (f.type) {
    parts.push('type = ?');
    params.push(f.type);
  }
  if (f.symbol) {
    parts.push('symbols LIKE ?');
    params.push(`%,${f.symbol},%`);
  }
  if (f.account) {
    parts.push('users LIKE ?');
    params.push(`%,${f.account},%`);
  }
  if (f.sinceMs !== undefined) {
    parts.push('ts_ms >= ?');
    params.push(f.sinceMs);
  }
  if (f.untilMs !== undefined) {
    parts.push('ts_ms < ?');
    params.push(f.untilMs);
  }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

export class SqliteAlertStore implements AlertStore {
  private readonly upsert: Database.Statement;
  private checkpointer: Checkpointer | undefined;
  constructor(
    readonly db: Db,
    private readonly path = ':memory:',
  ) {
    // On conflict the analyst's fields (status, resolution) are left as they are.
    this.upsert = db.prepare(`
      INSERT INTO alerts (alert_id, type, level, level_rank, confidence, risk_score, ts_ms, window_start_ms,
        window_end_ms, symbols, users, data, status, created_at, updated_at)
      VALUES (@alert_id, @type, @level, @level_rank, @confidence, @risk_score, @ts_ms, @window_start_ms,
        @window_end_ms, @symbols, @users, @data, 'active', @now, @now)
      ON CONFLICT(alert_id) DO UPDATE SET
        level = excluded.level, level_rank = excluded.level_rank, confidence = excluded.confidence,
        risk_score = excluded.risk_score, ts_ms = excluded.ts_ms, window_start_ms = excluded.window_start_ms,
        window_end_ms = excluded.window_end_ms, symbols = excluded.symbols, users = excluded.users,
        data = excluded.data, updated_at = excluded.updated_at`);
  }

  async upsertAlerts(alerts: readonly Alert[]): Promise<void> {
    if (alerts.length === 0) return;
    const now = new Date().toISOString();
    const tx = this.db.transaction((list: readonly Alert[]) => {
      for (const a of list) {
        this.upsert.run({
          alert_id: a.alert_id,
          type: a.type,
          level: a.level,
          level_rank: LEVELS.indexOf(a.level),
          confidence: a.confidence,
          risk_score: a.risk_score,
          ts_ms: toMs(a.timestamp),
          window_start_ms: toMs(a.window_start),
          window_end_ms: toMs(a.window_end),
          symbols: `,${a.affected_symbols.join(',')},`,
          users: `,${a.affected_users.join(',')},`,
          data: JSON.stringify(a),
          now,
        });
      }
    });
    tx.immediate(alerts);
  }

  async listAlerts(filter: AlertFilter = {}): Promise<Alert[]> {
    const w = where(filter);
    const limit = filter.limit ?? -1;
    const offset = filter.offset ?? 0;
    const rows = this.db
      .prepare(
        `SELECT alert_id, data, status, resolved_by, resolved_at, resolution, resolution_note FROM alerts ${w.sql}
         ORDER BY ${ORDER_BY[filter.sort ?? 'time_desc']} LIMIT ? OFFSET ?`,
      )
      .all(...w.params, limit, offset) as AlertRow[];
    return rows.map(rowToAlert);
  }

  async countAlerts(filter: AlertFilter = {}): Promise<number> {
    const w = where(filter);
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM alerts ${w.sql}`).get(...w.params) as { n: number }).n;
  }

  async countAlertsUpTo(filter: AlertFilter, cap: number): Promise<number> {
    const w = where(filter);
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM alerts ${w.sql} LIMIT ?)`).get(...w.params, cap) as { n: number }).n;
  }

  async getAlert(id: string): Promise<Alert | undefined> {
    const row = this.db
      .prepare('SELECT alert_id, data, status, resolved_by, resolved_at, resolution, resolution_note FROM alerts WHERE alert_id = ?')
      .get(id) as AlertRow | undefined;
    return row ? rowToAlert(row) : undefined;
  }

  async resolveAlert(id: string, r: Resolution): Promise<Alert> {
    const info = this.db
      .prepare(
        `UPDATE alerts SET status = ?, resolution = ?, resolution_note = ?, resolved_by = ?, resolved_at = ?, updated_at = ?
         WHERE alert_id = ?`,
      )
      .run(r.resolution, r.resolution, r.note ?? null, r.by, r.atIso, r.atIso, id);
    if (info.changes === 0) throw new NotFoundError(`no alert with id '${id}' (list ids with: surveillance alerts)`);
    return (await this.getAlert(id))!;
  }

  async summary(filter: AlertFilter = {}): Promise<Summary> {
    const w = where(filter);
    const group = (col: string): Map<string, number> =>
      new Map(
        (
          this.db.prepare(`SELECT ${col} AS k, COUNT(*) AS n FROM alerts ${w.sql} GROUP BY ${col}`).all(...w.params) as {
            k: string;
            n: number;
          }[]
        ).map((r) => [r.k, r.n]),
      );
    const byStatusM = group('status');
    const byLevelM = group('level');
    const byTypeM = group('type');
    const risk = this.db
      .prepare(
        `SELECT SUM(risk_score > 0.7) AS high, SUM(risk_score >= 0.4 AND risk_score <= 0.7) AS medium,
                SUM(risk_score < 0.4) AS low, COUNT(*) AS total FROM alerts ${w.sql}`,
      )
      .get(...w.params) as { high: number | null; medium: number | null; low: number | null; total: number };
    const top = (col: 'symbols' | 'users'): { key: string; count: number }[] => {
      const counts = new Map<string, number>();
      const rows = this.db.prepare(`SELECT ${col} AS v FROM alerts ${w.sql}`).iterate(...w.params) as Iterable<{ v: string }>;
      for (const r of rows) {
        for (const k of r.v.split(',')) if (k) counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      return [...counts.entries()]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .slice(0, 10)
        .map(([key, count]) => ({ key, count }));
    };
    return summaryOf(
      byStatusM,
      byLevelM,
      byTypeM,
      { total: risk.total, high: risk.high ?? 0, medium: risk.medium ?? 0, low: risk.low ?? 0 },
      top('symbols'),
      top('users'),
    );
  }

  async claimMonitor(claim: MonitorClaim, isAlive: (m: MonitorRecord) => boolean): Promise<void> {
    const now = new Date().toISOString();
    const tx = this.db.transaction(() => {
      const row = this.db.prepare("SELECT * FROM monitor WHERE slot = 'current'").get() as MonitorRow | undefined;
      if (row) {
        const rec = rowToMonitor(row);
        if (isAlive(rec)) {
          throw new ConflictError(
            `a monitor is already running (pid ${rec.pid} on ${rec.host}, symbols ${rec.symbols.join(',')}, since ${rec.startedAt}); stop it with: surveillance stop`,
          );
        }
        // A dead monitor (killed -9) is moved to 'last' so status shows what it had done.
        this.db.prepare("DELETE FROM monitor WHERE slot = 'last'").run();
        this.db.prepare("UPDATE monitor SET slot = 'last' WHERE slot = 'current'").run();
      }
      this.db
        .prepare(
          `INSERT INTO monitor (slot, pid, host, started_at, heartbeat_at, symbols, source, events, alerts, config)
           VALUES ('current', ?, ?, ?, ?, ?, ?, 0, 0, ?)`,
        )
        .run(claim.pid, claim.host, now, now, claim.symbols.join(','), claim.source, JSON.stringify(claim.config));
    });
    tx.immediate();
  }

  async heartbeatMonitor(pid: number, events: number, alerts: number): Promise<void> {
    this.db
      .prepare("UPDATE monitor SET heartbeat_at = ?, events = ?, alerts = ? WHERE slot = 'current' AND pid = ?")
      .run(new Date().toISOString(), events, alerts, pid);
  }

  async releaseMonitor(pid: number, events: number, alerts: number): Promise<void> {
    const tx = this.db.transaction(() => {
      const info = this.db
        .prepare("UPDATE monitor SET heartbeat_at = ?, events = ?, alerts = ? WHERE slot = 'current' AND pid = ?")
        .run(new Date().toISOString(), events, alerts, pid);
      if (info.changes === 0) return;
      this.db.prepare("DELETE FROM monitor WHERE slot = 'last'").run();
      this.db.prepare("UPDATE monitor SET slot = 'last' WHERE slot = 'current'").run();
    });
    tx.immediate();
  }

  async getMonitor(): Promise<{ current: MonitorRecord | null; last: MonitorRecord | null }> {
    const rows = this.db.prepare('SELECT * FROM monitor').all() as (MonitorRow & { slot: string })[];
    const current = rows.find((r) => r.slot === 'current');
    const last = rows.find((r) => r.slot === 'last');
    return { current: current ? rowToMonitor(current) : null, last: last ? rowToMonitor(last) : null };
  }

  async applyCaseAction(id: string, action: CaseAction, by: string, atIso: string): Promise<Alert> {
    const tx = this.db.transaction(() => {
      const row = this.db
        .prepare('SELECT alert_id, data, status, resolved_by, resolved_at, resolution, resolution_note FROM alerts WHERE alert_id = ?')
        .get(id) as AlertRow | undefined;
      if (!row) throw new NotFoundError(`no alert with id '${id}'`);
      const before = caseStateOf(rowToAlert(row), this.caseFieldsSync([id]).get(id)!);
      const u = applyCase(before, action, by, atIso);
      this.db
        .prepare(
          `UPDATE alerts SET status = @status, resolution = @resolution, resolution_note = @resolution_note,
             assignee = @assignee, escalated = @escalated,
             resolved_by = COALESCE(@resolved_by, resolved_by), resolved_at = COALESCE(@resolved_at, resolved_at),
             escalated_by = COALESCE(@escalated_by, escalated_by), escalated_at = COALESCE(@escalated_at, escalated_at),
             updated_at = @at
           WHERE alert_id = @id`,
        )
        .run({
          ...u.state,
          escalated: u.state.escalated ? 1 : 0,
          resolved_by: u.resolvedBy ?? null,
          resolved_at: u.resolvedAt ?? null,
          escalated_by: u.escalatedBy ?? null,
          escalated_at: u.escalatedAt ?? null,
          at: atIso,
          id,
        });
      this.db
        .prepare('INSERT INTO case_audit (alert_id, at, actor, action, note, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(id, atIso, by, action.kind, u.note, JSON.stringify(before), JSON.stringify(u.state));
    });
    tx.immediate();
    return (await this.getAlert(id))!;
  }

  async caseFields(ids: readonly string[]): Promise<Map<string, CaseFields>> {
    return this.caseFieldsSync(ids);
  }

  private caseFieldsSync(ids: readonly string[]): Map<string, CaseFields> {
    const out = new Map<string, CaseFields>();
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const rows = this.db
        .prepare(
          `SELECT alert_id, assignee, escalated, escalated_at, escalated_by FROM alerts WHERE alert_id IN (${chunk.map(() => '?').join(',')})`,
        )
        .all(...chunk) as {
        alert_id: string;
        assignee: string | null;
        escalated: number;
        escalated_at: string | null;
        escalated_by: string | null;
      }[];
      for (const r of rows) {
        out.set(r.alert_id, {
          assignee: r.assignee,
          escalated: r.escalated === 1,
          escalated_at: r.escalated_at,
          escalated_by: r.escalated_by,
        });
      }
    }
    return out;
  }

  async caseHistory(id: string): Promise<AuditEntry[]> {
    const rows = this.db.prepare('SELECT * FROM case_audit WHERE alert_id = ? ORDER BY seq').all(id) as AuditRow[];
    return rows.map((r) => ({
      ...r,
      action: r.action as AuditEntry['action'],
      before: JSON.parse(r.before) as AuditEntry['before'],
      after: JSON.parse(r.after) as AuditEntry['after'],
    }));
  }

  async timeline(filter: AlertFilter, bucketMs: number): Promise<TimelineBucket[]> {
    const w = where(filter);
    return this.db
      .prepare(
        `SELECT (ts_ms / CAST(? AS INTEGER)) * CAST(? AS INTEGER) AS start_ms, level, type, COUNT(*) AS count FROM alerts ${w.sql}
         GROUP BY start_ms, level, type ORDER BY start_ms, level_rank, type`,
      )
      .all(bucketMs, bucketMs, ...w.params) as TimelineBucket[];
  }

  async latestChange(): Promise<number> {
    return (this.db.prepare('SELECT COALESCE(MAX(change_seq), 0) AS n FROM alerts').get() as { n: number }).n;
  }

  async changesSince(after: number, limit: number): Promise<AlertChange[]> {
    const rows = this.db
      .prepare(
        `SELECT alert_id, data, status, resolved_by, resolved_at, resolution, resolution_note, change_seq, created_seq
         FROM alerts WHERE change_seq > ? ORDER BY change_seq LIMIT ?`,
      )
      .all(after, limit) as (AlertRow & { change_seq: number; created_seq: number })[];
    return rows.map((r) => ({ seq: r.change_seq, created: r.change_seq === r.created_seq, alert: rowToAlert(r) }));
  }

  async createToken(t: NewApiToken): Promise<ApiToken> {
    try {
      this.db
        .prepare('INSERT INTO api_tokens (id, name, role, hash, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(t.id, t.name, t.role, t.hash, t.createdAt);
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new ConflictError(`a token named '${t.name}' already exists (names are never reused; pick another)`, { cause: err });
      }
      throw err;
    }
    return { id: t.id, name: t.name, role: t.role, createdAt: t.createdAt, revokedAt: null };
  }

  async listTokens(): Promise<ApiToken[]> {
    return (this.db.prepare('SELECT * FROM api_tokens ORDER BY created_at, name').all() as TokenRow[]).map(rowToToken);
  }

  async revokeToken(idOrName: string, atIso: string): Promise<ApiToken> {
    const info = this.db
      .prepare('UPDATE api_tokens SET revoked_at = ? WHERE (id = ? OR name = ?) AND revoked_at IS NULL')
      .run(atIso, idOrName, idOrName);
    if (info.changes === 0) throw new NotFoundError(`no active token with id or name '${idOrName}' (see: surveillance token list)`);
    return rowToToken(this.db.prepare('SELECT * FROM api_tokens WHERE id = ? OR name = ?').get(idOrName, idOrName) as TokenRow);
  }

  async findTokenByHash(hash: string): Promise<ApiToken | undefined> {
    const row = this.db.prepare('SELECT * FROM api_tokens WHERE hash = ? AND revoked_at IS NULL').get(hash) as TokenRow | undefined;
    return row ? rowToToken(row) : undefined;
  }

  async enqueueWebhooks(items: readonly NewOutboxItem[], nowMs: number): Promise<number> {
    const ins = this.db.prepare(
      `INSERT INTO webhook_outbox (alert_id, url, payload, next_attempt_ms, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (alert_id, url) DO NOTHING`,
    );
    const created = new Date(nowMs).toISOString();
    let n = 0;
    this.db
      .transaction(() => {
        for (const it of items) n += ins.run(it.alertId, it.url, it.payload, nowMs, created).changes;
      })
      .immediate();
    return n;
  }

  async dueWebhooks(nowMs: number, limit: number): Promise<OutboxItem[]> {
    return (
      this.db
        .prepare('SELECT * FROM webhook_outbox WHERE delivered_at IS NULL AND next_attempt_ms <= ? ORDER BY next_attempt_ms, id LIMIT ?')
        .all(nowMs, limit) as OutboxRow[]
    ).map(rowToOutbox);
  }

  async recordWebhookAttempt(id: number, r: WebhookAttempt): Promise<void> {
    if (r.ok) {
      this.db
        .prepare('UPDATE webhook_outbox SET attempts = attempts + 1, delivered_at = ?, last_error = NULL WHERE id = ?')
        .run(r.atIso, id);
    } else {
      this.db
        .prepare('UPDATE webhook_outbox SET attempts = attempts + 1, next_attempt_ms = ?, last_error = ? WHERE id = ?')
        .run(r.nextAttemptMs, r.error, id);
    }
  }

  async listWebhooks(limit: number): Promise<OutboxItem[]> {
    return (this.db.prepare('SELECT * FROM webhook_outbox ORDER BY id DESC LIMIT ?').all(limit) as OutboxRow[]).map(rowToOutbox);
  }

  async getCursor(name: string): Promise<number | undefined> {
    return (this.db.prepare('SELECT value FROM cursors WHERE name = ?').get(name) as { value: number } | undefined)?.value;
  }

  async setCursor(name: string, value: number): Promise<void> {
    this.db
      .prepare('INSERT INTO cursors (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value')
      .run(name, value);
  }

  /** WAL checkpoints move to a thread of their own (checkpointer.ts); an in-memory store has none. */
  async beginStreaming(): Promise<void> {
    if (this.checkpointer || this.path === ':memory:' || this.path === '') return;
    this.checkpointer = await Checkpointer.start(this.path);
    this.db.pragma('wal_autocheckpoint = 0');
  }

  /** The background checkpointer, while streaming (tests). */
  get backgroundCheckpointer(): Checkpointer | undefined {
    return this.checkpointer;
  }

  async close(): Promise<void> {
    // The checkpointer's connection first: the last connection to close copies the WAL into the
    // database and deletes it.
    await this.checkpointer?.close();
    this.checkpointer = undefined;
    this.db.close();
  }
}

interface AuditRow {
  seq: number;
  alert_id: string;
  at: string;
  actor: string;
  action: string;
  note: string | null;
  before: string;
  after: string;
}

interface TokenRow {
  id: string;
  name: string;
  role: TokenRole;
  created_at: string;
  revoked_at: string | null;
}

function rowToToken(r: TokenRow): ApiToken {
  return { id: r.id, name: r.name, role: r.role, createdAt: r.created_at, revokedAt: r.revoked_at };
}

interface OutboxRow {
  id: number;
  alert_id: string;
  url: string;
  payload: string;
  attempts: number;
  next_attempt_ms: number;
  delivered_at: string | null;
  last_error: string | null;
}

function rowToOutbox(r: OutboxRow): OutboxItem {
  return {
    id: r.id,
    alertId: r.alert_id,
    url: r.url,
    payload: r.payload,
    attempts: r.attempts,
    nextAttemptMs: r.next_attempt_ms,
    deliveredAt: r.delivered_at,
    lastError: r.last_error,
  };
}

function rowToMonitor(r: MonitorRow): MonitorRecord {
  return {
    pid: r.pid,
    host: r.host,
    startedAt: r.started_at,
    heartbeatAt: r.heartbeat_at,
    symbols: r.symbols ? r.symbols.split(',') : [],
    source: r.source,
    events: r.events,
    alerts: r.alerts,
    config: JSON.parse(r.config) as unknown,
  };
}
