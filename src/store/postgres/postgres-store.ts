import pg from 'pg';
import { LEVELS, type Alert, type AlertStatus, type Level, type PatternType } from '../../domain/alert.js';
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
import { POSTGRES_MIGRATIONS } from './migrations.js';
import { ORDER_BY, summaryOf, withResolution } from '../rows.js';

/**
 * The PostgreSQL alert store (scale-out): same contract as SQLite. Multi-row upserts for
 * throughput; the monitor claim uses a row lock so two processes cannot both claim.
 */
export async function openPostgresStore(url: string, options: { schema?: string } = {}): Promise<PostgresAlertStore> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  const schema = options.schema;
  if (schema) {
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`bad schema name ${schema}`);
    pool.on('connect', (client) => {
      void client.query(`SET search_path TO ${schema}`);
    });
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  }
  await migrate(pool, schema);
  return new PostgresAlertStore(pool);
}

async function migrate(pool: pg.Pool, schema: string | undefined): Promise<void> {
  const client = await pool.connect();
  try {
    if (schema) await client.query(`SET search_path TO ${schema}`);
    await client.query('BEGIN');
    // One migrator at a time across processes.
    await client.query('SELECT pg_advisory_xact_lock(727274)');
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
    );
    const done = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    for (const m of POSTGRES_MIGRATIONS) {
      if (done.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [m.version]);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

interface AlertRow {
  data: Alert;
  status: AlertStatus;
  resolved_by: string | null;
  resolved_at: string | null;
  resolution: AlertStatus | null;
  resolution_note: string | null;
}

function rowToAlert(r: AlertRow): Alert {
  return withResolution(r.data, r);
}

function where(f: AlertFilter): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown): string => {
    params.push(v);
    return `$${params.length}`;
  };
  if (f.level) parts.push(`level = ${p(f.level)}`);
  if (f.minLevel) parts.push(`level_rank <= ${p(LEVELS.indexOf(f.minLevel))}`);
  if (f.status) parts.push(`status = ${p(f.status)}`);
  if (f.type) parts.push(`type = ${p(f.type)}`);
  if (f.symbol) parts.push(`${p(f.symbol)} = ANY(symbols)`);
  if (f.account) parts.push(`${p(f.account)} = ANY(users)`);
  if (f.sinceMs !== undefined) parts.push(`ts_ms >= ${p(f.sinceMs)}`);
  if (f.untilMs !== undefined) parts.push(`ts_ms < ${p(f.untilMs)}`);
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

const COLUMNS = 13;

export class PostgresAlertStore implements AlertStore {
  constructor(readonly pool: pg.Pool) {}

  async upsertAlerts(alerts: readonly Alert[]): Promise<void> {
    if (alerts.length === 0) return;
    // De-duplicate within the call (a batch may carry several versions of one episode; last wins).
    // Rows are written in id order so concurrent writers lock them in the same order (no deadlock).
    const latest = [...new Map(alerts.map((a) => [a.alert_id, a])).values()].sort((a, b) =>
      a.alert_id < b.alert_id ? -1 : a.alert_id > b.alert_id ? 1 : 0,
    );
    const now = new Date().toISOString();
    for (let start = 0; start < latest.length; start += 500) {
      const chunk = latest.slice(start, start + 500);
      const params: unknown[] = [];
      const rows = chunk.map((a, i) => {
        params.push(
          a.alert_id,
          a.type,
          a.level,
          LEVELS.indexOf(a.level),
          a.confidence,
          a.risk_score,
          Date.parse(a.timestamp),
          Date.parse(a.window_start),
          Date.parse(a.window_end),
          a.affected_symbols,
          a.affected_users,
          JSON.stringify(a),
          now,
        );
        const b = i * COLUMNS;
        return `(${Array.from({ length: COLUMNS }, (_, k) => `$${b + k + 1}`).join(',')})`;
      });
      await this.pool.query(
        `INSERT INTO alerts (alert_id, type, level, level_rank, confidence, risk_score, ts_ms, window_start_ms,
           window_end_ms, symbols, users, data, created_at)
         VALUES ${rows.join(',')}
         ON CONFLICT (alert_id) DO UPDATE SET
           level = excluded.level, level_rank = excluded.level_rank, confidence = excluded.confidence,
           risk_score = excluded.risk_score, ts_ms = excluded.ts_ms, window_start_ms = excluded.window_start_ms,
           window_end_ms = excluded.window_end_ms, symbols = excluded.symbols, users = excluded.users,
           data = excluded.data, updated_at = now()`,
        params,
      );
    }
  }

  async listAlerts(filter: AlertFilter = {}): Promise<Alert[]> {
    const w = where(filter);
    const limit = filter.limit ?? null;
    const r = await this.pool.query<AlertRow>(
      `SELECT data, status, resolved_by, resolved_at, resolution, resolution_note FROM alerts ${w.sql}
       ORDER BY ${ORDER_BY[filter.sort ?? 'time_desc']} LIMIT $${w.params.length + 1} OFFSET $${w.params.length + 2}`,
      [...w.params, limit, filter.offset ?? 0],
    );
    return r.rows.map(rowToAlert);
  }

  async countAlerts(filter: AlertFilter = {}): Promise<number> {
    const w = where(filter);
    const r = await this.pool.query<{ n: string }>(`SELECT COUNT(*) AS n FROM alerts ${w.sql}`, w.params);
    return Number(r.rows[0]!.n);
  }

  async countAlertsUpTo(filter: AlertFilter, cap: number): Promise<number> {
    const w = where(filter);
    const r = await this.pool.query<{ n: string }>(
      `SELECT COUNT(*) AS n FROM (SELECT 1 FROM alerts ${w.sql} LIMIT $${w.params.length + 1}) x`,
      [...w.params, cap],
    );
    return Number(r.rows[0]!.n);
  }

  async getAlert(id: string): Promise<Alert | undefined> {
    const r = await this.pool.query<AlertRow>(
      'SELECT data, status, resolved_by, resolved_at, resolution, resolution_note FROM alerts WHERE alert_id = $1',
      [id],
    );
    return r.rows[0] ? rowToAlert(r.rows[0]) : undefined;
  }

  async resolveAlert(id: string, res: Resolution): Promise<Alert> {
    const r = await this.pool.query(
      `UPDATE alerts SET status = $1, resolution = $1, resolution_note = $2, resolved_by = $3, resolved_at = $4, updated_at = now()
       WHERE alert_id = $5`,
      [res.resolution, res.note ?? null, res.by, res.atIso, id],
    );
    if (r.rowCount === 0) throw new NotFoundError(`no alert with id '${id}' (list ids with: surveillance alerts)`);
    return (await this.getAlert(id))!;
  }

  async summary(filter: AlertFilter = {}): Promise<Summary> {
    const w = where(filter);
    const group = async (col: string): Promise<Map<string, number>> =>
      new Map(
        (
          await this.pool.query<{ k: string; n: string }>(
            `SELECT ${col} AS k, COUNT(*) AS n FROM alerts ${w.sql} GROUP BY ${col}`,
            w.params,
          )
        ).rows.map((r) => [r.k, Number(r.n)]),
      );
    const [byStatusM, byLevelM, byTypeM] = [await group('status'), await group('level'), await group('type')];
    const risk = (
      await this.pool.query<{ high: string; medium: string; low: string; total: string }>(
        `SELECT COUNT(*) FILTER (WHERE risk_score > 0.7) AS high, COUNT(*) FILTER (WHERE risk_score >= 0.4 AND risk_score <= 0.7) AS medium,
                COUNT(*) FILTER (WHERE risk_score < 0.4) AS low, COUNT(*) AS total FROM alerts ${w.sql}`,
        w.params,
      )
    ).rows[0]!;
    const top = async (col: 'symbols' | 'users'): Promise<{ key: string; count: number }[]> =>
      (
        await this.pool.query<{ k: string; n: string }>(
          `SELECT k, COUNT(*) AS n FROM alerts, unnest(${col}) AS k ${w.sql} GROUP BY k ORDER BY n DESC, k LIMIT 10`,
          w.params,
        )
      ).rows.map((r) => ({ key: r.k, count: Number(r.n) }));
    return summaryOf(
      byStatusM,
      byLevelM,
      byTypeM,
      { total: Number(risk.total), high: Number(risk.high), medium: Number(risk.medium), low: Number(risk.low) },
      await top('symbols'),
      await top('users'),
    );
  }

  async claimMonitor(claim: MonitorClaim, isAlive: (m: MonitorRecord) => boolean): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('LOCK TABLE monitor IN EXCLUSIVE MODE');
      const cur = await client.query<MonitorRow>("SELECT * FROM monitor WHERE slot = 'current'");
      if (cur.rows[0]) {
        const rec = rowToMonitor(cur.rows[0]);
        if (isAlive(rec)) {
          throw new ConflictError(
            `a monitor is already running (pid ${rec.pid} on ${rec.host}, symbols ${rec.symbols.join(',')}, since ${rec.startedAt}); stop it with: surveillance stop`,
          );
        }
        await client.query("DELETE FROM monitor WHERE slot = 'last'");
        await client.query("UPDATE monitor SET slot = 'last' WHERE slot = 'current'");
      }
      await client.query(
        `INSERT INTO monitor (slot, pid, host, started_at, heartbeat_at, symbols, source, events, alerts, config)
         VALUES ('current', $1, $2, now(), now(), $3, $4, 0, 0, $5)`,
        [claim.pid, claim.host, claim.symbols.join(','), claim.source, JSON.stringify(claim.config)],
      );
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async heartbeatMonitor(pid: number, events: number, alerts: number): Promise<void> {
    await this.pool.query("UPDATE monitor SET heartbeat_at = now(), events = $1, alerts = $2 WHERE slot = 'current' AND pid = $3", [
      events,
      alerts,
      pid,
    ]);
  }

  async releaseMonitor(pid: number, events: number, alerts: number): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const r = await client.query(
        "UPDATE monitor SET heartbeat_at = now(), events = $1, alerts = $2 WHERE slot = 'current' AND pid = $3",
        [events, alerts, pid],
      );
      if (r.rowCount) {
        await client.query("DELETE FROM monitor WHERE slot = 'last'");
        await client.query("UPDATE monitor SET slot = 'last' WHERE slot = 'current'");
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async getMonitor(): Promise<{ current: MonitorRecord | null; last: MonitorRecord | null }> {
    const rows = (await this.pool.query<MonitorRow & { slot: string }>('SELECT * FROM monitor')).rows;
    const current = rows.find((r) => r.slot === 'current');
    const last = rows.find((r) => r.slot === 'last');
    return { current: current ? rowToMonitor(current) : null, last: last ? rowToMonitor(last) : null };
  }

  async applyCaseAction(id: string, action: CaseAction, by: string, atIso: string): Promise<Alert> {
    await this.inTransaction(async (c) => {
      const r = await c.query<AlertRow & CaseRow>(
        `SELECT data, status, resolved_by, resolved_at, resolution, resolution_note, alert_id, assignee, escalated, escalated_at, escalated_by
         FROM alerts WHERE alert_id = $1 FOR UPDATE`,
        [id],
      );
      const row = r.rows[0];
      if (!row) throw new NotFoundError(`no alert with id '${id}'`);
      const before = caseStateOf(rowToAlert(row), rowToCase(row));
      const u = applyCase(before, action, by, atIso);
      await c.query(
        `UPDATE alerts SET status = $1, resolution = $2, resolution_note = $3, assignee = $4, escalated = $5,
           resolved_by = COALESCE($6, resolved_by), resolved_at = COALESCE($7, resolved_at),
           escalated_by = COALESCE($8, escalated_by), escalated_at = COALESCE($9, escalated_at), updated_at = now()
         WHERE alert_id = $10`,
        [
          u.state.status,
          u.state.resolution,
          u.state.resolution_note,
          u.state.assignee,
          u.state.escalated,
          u.resolvedBy ?? null,
          u.resolvedAt ?? null,
          u.escalatedBy ?? null,
          u.escalatedAt ?? null,
          id,
        ],
      );
      await c.query('INSERT INTO case_audit (alert_id, at, actor, action, note, before, after) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
        id,
        atIso,
        by,
        action.kind,
        u.note,
        JSON.stringify(before),
        JSON.stringify(u.state),
      ]);
    });
    return (await this.getAlert(id))!;
  }

  async caseFields(ids: readonly string[]): Promise<Map<string, CaseFields>> {
    const r = await this.pool.query<CaseRow>(
      'SELECT alert_id, assignee, escalated, escalated_at, escalated_by FROM alerts WHERE alert_id = ANY($1)',
      [ids],
    );
    return new Map(r.rows.map((row) => [row.alert_id, rowToCase(row)]));
  }

  async caseHistory(id: string): Promise<AuditEntry[]> {
    const r = await this.pool.query<Omit<AuditEntry, 'seq'> & { seq: string }>(
      'SELECT * FROM case_audit WHERE alert_id = $1 ORDER BY seq',
      [id],
    );
    return r.rows.map((row) => ({ ...row, seq: Number(row.seq) }));
  }

  async timeline(filter: AlertFilter, bucketMs: number): Promise<TimelineBucket[]> {
    const w = where(filter);
    const b = `$${w.params.length + 1}::bigint`;
    const r = await this.pool.query<{ start_ms: string; level: Level; type: PatternType; count: string }>(
      `SELECT (ts_ms / ${b}) * ${b} AS start_ms, level, type, COUNT(*) AS count FROM alerts ${w.sql}
       GROUP BY 1, level, level_rank, type ORDER BY 1, level_rank, type`,
      [...w.params, bucketMs],
    );
    return r.rows.map((x) => ({ start_ms: Number(x.start_ms), level: x.level, type: x.type, count: Number(x.count) }));
  }

  async latestChange(): Promise<number> {
    const r = await this.pool.query<{ n: string }>('SELECT COALESCE(MAX(change_seq), 0) AS n FROM alerts');
    return Number(r.rows[0]!.n);
  }

  async changesSince(after: number, limit: number): Promise<AlertChange[]> {
    const r = await this.pool.query<AlertRow & { change_seq: string; created_seq: string }>(
      `SELECT data, status, resolved_by, resolved_at, resolution, resolution_note, change_seq, created_seq
       FROM alerts WHERE change_seq > $1 ORDER BY change_seq LIMIT $2`,
      [after, limit],
    );
    return r.rows.map((row) => ({ seq: Number(row.change_seq), created: row.change_seq === row.created_seq, alert: rowToAlert(row) }));
  }

  async createToken(t: NewApiToken): Promise<ApiToken> {
    try {
      await this.pool.query('INSERT INTO api_tokens (id, name, role, hash, created_at) VALUES ($1, $2, $3, $4, $5)', [
        t.id,
        t.name,
        t.role,
        t.hash,
        t.createdAt,
      ]);
    } catch (err) {
      if ((err as { code?: string }).code === '23505') {
        throw new ConflictError(`a token named '${t.name}' already exists (names are never reused; pick another)`, { cause: err });
      }
      throw err;
    }
    return { id: t.id, name: t.name, role: t.role, createdAt: t.createdAt, revokedAt: null };
  }

  async listTokens(): Promise<ApiToken[]> {
    return (await this.pool.query<TokenRow>('SELECT * FROM api_tokens ORDER BY created_at, name')).rows.map(rowToToken);
  }

  async revokeToken(idOrName: string, atIso: string): Promise<ApiToken> {
    const r = await this.pool.query<TokenRow>(
      'UPDATE api_tokens SET revoked_at = $1 WHERE (id = $2 OR name = $2) AND revoked_at IS NULL RETURNING *',
      [atIso, idOrName],
    );
    if (!r.rows[0]) throw new NotFoundError(`no active token with id or name '${idOrName}' (see: surveillance token list)`);
    return rowToToken(r.rows[0]);
  }

  async findTokenByHash(hash: string): Promise<ApiToken | undefined> {
    const r = await this.pool.query<TokenRow>('SELECT * FROM api_tokens WHERE hash = $1 AND revoked_at IS NULL', [hash]);
    return r.rows[0] ? rowToToken(r.rows[0]) : undefined;
  }

  async enqueueWebhooks(items: readonly NewOutboxItem[], nowMs: number): Promise<number> {
    if (items.length === 0) return 0;
    const created = new Date(nowMs).toISOString();
    let n = 0;
    await this.inTransaction(async (c) => {
      for (const it of items) {
        const r = await c.query(
          `INSERT INTO webhook_outbox (alert_id, url, payload, next_attempt_ms, created_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (alert_id, url) DO NOTHING`,
          [it.alertId, it.url, it.payload, nowMs, created],
        );
        n += r.rowCount ?? 0;
      }
    });
    return n;
  }

  async dueWebhooks(nowMs: number, limit: number): Promise<OutboxItem[]> {
    const r = await this.pool.query<OutboxRow>(
      'SELECT * FROM webhook_outbox WHERE delivered_at IS NULL AND next_attempt_ms <= $1 ORDER BY next_attempt_ms, id LIMIT $2',
      [nowMs, limit],
    );
    return r.rows.map(rowToOutbox);
  }

  async recordWebhookAttempt(id: number, res: WebhookAttempt): Promise<void> {
    if (res.ok) {
      await this.pool.query('UPDATE webhook_outbox SET attempts = attempts + 1, delivered_at = $1, last_error = NULL WHERE id = $2', [
        res.atIso,
        id,
      ]);
    } else {
      await this.pool.query('UPDATE webhook_outbox SET attempts = attempts + 1, next_attempt_ms = $1, last_error = $2 WHERE id = $3', [
        res.nextAttemptMs,
        res.error,
        id,
      ]);
    }
  }

  async listWebhooks(limit: number): Promise<OutboxItem[]> {
    return (await this.pool.query<OutboxRow>('SELECT * FROM webhook_outbox ORDER BY id DESC LIMIT $1', [limit])).rows.map(rowToOutbox);
  }

  async getCursor(name: string): Promise<number | undefined> {
    const r = await this.pool.query<{ value: string }>('SELECT value FROM cursors WHERE name = $1', [name]);
    return r.rows[0] ? Number(r.rows[0].value) : undefined;
  }

  async setCursor(name: string, value: number): Promise<void> {
    await this.pool.query('INSERT INTO cursors (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value', [
      name,
      value,
    ]);
  }

  private async inTransaction(fn: (c: pg.PoolClient) => Promise<void>): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await fn(client);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

interface CaseRow {
  alert_id: string;
  assignee: string | null;
  escalated: boolean;
  escalated_at: string | null;
  escalated_by: string | null;
}

function rowToCase(r: CaseRow): CaseFields {
  return { assignee: r.assignee, escalated: r.escalated, escalated_at: r.escalated_at, escalated_by: r.escalated_by };
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
  id: string;
  alert_id: string;
  url: string;
  payload: string;
  attempts: number;
  next_attempt_ms: string;
  delivered_at: string | null;
  last_error: string | null;
}

function rowToOutbox(r: OutboxRow): OutboxItem {
  return {
    id: Number(r.id),
    alertId: r.alert_id,
    url: r.url,
    payload: r.payload,
    attempts: r.attempts,
    nextAttemptMs: Number(r.next_attempt_ms),
    deliveredAt: r.delivered_at,
    lastError: r.last_error,
  };
}

interface MonitorRow {
  pid: number;
  host: string;
  started_at: Date;
  heartbeat_at: Date;
  symbols: string;
  source: string;
  events: string;
  alerts: string;
  config: unknown;
}

function rowToMonitor(r: MonitorRow): MonitorRecord {
  return {
    pid: r.pid,
    host: r.host,
    startedAt: r.started_at.toISOString(),
    heartbeatAt: r.heartbeat_at.toISOString(),
    symbols: r.symbols ? r.symbols.split(',') : [],
    source: r.source,
    events: Number(r.events),
    alerts: Number(r.alerts),
    config: r.config,
  };
}
