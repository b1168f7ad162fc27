import pg from 'pg';
import {
  ALERT_STATUSES,
  LEVELS,
  PATTERN_TYPES,
  type Alert,
  type AlertStatus,
  type Level,
  type PatternType,
} from '../../domain/alert.js';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import type { AlertFilter, AlertStore, MonitorClaim, MonitorRecord, Resolution, Summary } from '../alert-store.js';
import { POSTGRES_MIGRATIONS } from './migrations.js';

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
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
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
  return { ...r.data, status: r.status, resolved_by: r.resolved_by, resolved_at: r.resolved_at, resolution: r.resolution, resolution_note: r.resolution_note };
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

const ORDER_BY: Record<NonNullable<AlertFilter['sort']>, string> = {
  time_desc: 'ts_ms DESC, alert_id',
  time_asc: 'ts_ms ASC, alert_id',
  risk_desc: 'risk_score DESC, ts_ms DESC, alert_id',
  level: 'level_rank ASC, risk_score DESC, ts_ms DESC, alert_id',
};

const COLUMNS = 13;

export class PostgresAlertStore implements AlertStore {
  constructor(readonly pool: pg.Pool) {}

  async upsertAlerts(alerts: readonly Alert[]): Promise<void> {
    if (alerts.length === 0) return;
    // De-duplicate within the call (a batch may carry several versions of one episode; last wins).
    const latest = [...new Map(alerts.map((a) => [a.alert_id, a])).values()];
    const now = new Date().toISOString();
    for (let start = 0; start < latest.length; start += 500) {
      const chunk = latest.slice(start, start + 500);
      const params: unknown[] = [];
      const rows = chunk.map((a, i) => {
        params.push(
          a.alert_id, a.type, a.level, LEVELS.indexOf(a.level), a.confidence, a.risk_score,
          Date.parse(a.timestamp), Date.parse(a.window_start), Date.parse(a.window_end),
          a.affected_symbols, a.affected_users, JSON.stringify(a), now,
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
        (await this.pool.query<{ k: string; n: string }>(`SELECT ${col} AS k, COUNT(*) AS n FROM alerts ${w.sql} GROUP BY ${col}`, w.params)).rows.map(
          (r) => [r.k, Number(r.n)],
        ),
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
    return {
      total: Number(risk.total),
      active: byStatusM.get('active') ?? 0,
      byStatus: Object.fromEntries(ALERT_STATUSES.map((s) => [s, byStatusM.get(s) ?? 0])) as Record<AlertStatus, number>,
      byLevel: Object.fromEntries(LEVELS.map((l) => [l, byLevelM.get(l) ?? 0])) as Record<Level, number>,
      byType: Object.fromEntries(PATTERN_TYPES.map((t) => [t, byTypeM.get(t) ?? 0])) as Record<PatternType, number>,
      risk: { high: Number(risk.high), medium: Number(risk.medium), low: Number(risk.low) },
      topSymbols: (await top('symbols')).map((x) => ({ symbol: x.key, count: x.count })),
      topAccounts: (await top('users')).map((x) => ({ account: x.key, count: x.count })),
    };
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
    await this.pool.query("UPDATE monitor SET heartbeat_at = now(), events = $1, alerts = $2 WHERE slot = 'current' AND pid = $3", [events, alerts, pid]);
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

  async close(): Promise<void> {
    await this.pool.end();
  }
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
