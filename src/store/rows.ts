import { ALERT_STATUSES, LEVELS, PATTERN_TYPES, type Alert, type AlertStatus, type Level, type PatternType } from '../domain/alert.js';
import type { AlertFilter, Summary } from './alert-store.js';

/** Row shapes and result assembly shared by the SQLite and PostgreSQL stores (same schema, same SQL). */

/** ORDER BY clauses of the list sorts (identical in both dialects). */
export const ORDER_BY: Readonly<Record<NonNullable<AlertFilter['sort']>, string>> = {
  time_desc: 'ts_ms DESC, alert_id',
  time_asc: 'ts_ms ASC, alert_id',
  risk_desc: 'risk_score DESC, ts_ms DESC, alert_id',
  level: 'level_rank ASC, risk_score DESC, ts_ms DESC, alert_id',
};

/** The analyst's columns, kept in their own columns so detector updates never overwrite them. */
export interface ResolutionColumns {
  status: AlertStatus;
  resolved_by: string | null;
  resolved_at: string | null;
  resolution: AlertStatus | null;
  resolution_note: string | null;
}

/** The stored alert document with the analyst's columns laid over it. */
export function withResolution(data: Alert, r: ResolutionColumns): Alert {
  return {
    ...data,
    status: r.status,
    resolved_by: r.resolved_by,
    resolved_at: r.resolved_at,
    resolution: r.resolution,
    resolution_note: r.resolution_note,
  };
}

/** A Summary from grouped counts (every status, level and type present, zero when absent). */
export function summaryOf(
  byStatus: ReadonlyMap<string, number>,
  byLevel: ReadonlyMap<string, number>,
  byType: ReadonlyMap<string, number>,
  risk: { total: number; high: number; medium: number; low: number },
  topSymbols: readonly { key: string; count: number }[],
  topAccounts: readonly { key: string; count: number }[],
): Summary {
  return {
    total: risk.total,
    active: byStatus.get('active') ?? 0,
    byStatus: Object.fromEntries(ALERT_STATUSES.map((s) => [s, byStatus.get(s) ?? 0])) as Record<AlertStatus, number>,
    byLevel: Object.fromEntries(LEVELS.map((l) => [l, byLevel.get(l) ?? 0])) as Record<Level, number>,
    byType: Object.fromEntries(PATTERN_TYPES.map((t) => [t, byType.get(t) ?? 0])) as Record<PatternType, number>,
    risk: { high: risk.high, medium: risk.medium, low: risk.low },
    topSymbols: topSymbols.map((x) => ({ symbol: x.key, count: x.count })),
    topAccounts: topAccounts.map((x) => ({ account: x.key, count: x.count })),
  };
}
