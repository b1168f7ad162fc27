import { ALERT_STATUSES, parseLevel, parsePattern, type AlertStatus } from '../domain/alert.js';
import { parseTimestamp } from '../ingest/fields.js';
import type { AlertFilter } from '../store/alert-store.js';
import { badRequest } from './api-error.js';

const SORTS = ['time_desc', 'time_asc', 'risk_desc', 'level'] as const;
const FILTER_PARAMS = new Set(['level', 'min_level', 'type', 'status', 'symbol', 'account', 'since', 'until', 'limit', 'offset', 'sort']);

/** Rejects query parameters a route does not know (a typo would otherwise silently widen a filter). */
export function rejectUnknownParams(q: URLSearchParams, known: ReadonlySet<string>): void {
  for (const k of q.keys()) if (!known.has(k)) throw badRequest(k, `unknown query parameter (known: ${[...known].join(', ')})`);
}

/** An integer query parameter within [min, max], or the default. */
export function intParam(q: URLSearchParams, name: string, def: number, min: number, max: number): number {
  const s = q.get(name);
  if (s === null) return def;
  const n = Number(s);
  if (s.trim() === '' || !Number.isInteger(n) || n < min || n > max)
    throw badRequest(name, `must be an integer from ${min} to ${max}, got '${s}'`);
  return n;
}

/** The alert filter of a listing request, validated; `maxLimit` bounds one page. */
export function filterFromQuery(
  q: URLSearchParams,
  opts: { defaultLimit: number; maxLimit: number; extra?: readonly string[] },
): AlertFilter {
  rejectUnknownParams(q, new Set([...FILTER_PARAMS, ...(opts.extra ?? [])]));
  const lvl = (name: string) => {
    const s = q.get(name);
    if (s === null) return undefined;
    const l = parseLevel(s);
    if (!l) throw badRequest(name, `must be critical, high, medium or low, got '${s}'`);
    return l;
  };
  const typeS = q.get('type');
  const type = typeS === null ? undefined : parsePattern(typeS);
  if (typeS !== null && !type) throw badRequest('type', `'${typeS}' is not a pattern (GET /api/patterns lists them)`);
  const status = q.get('status');
  if (status !== null && !(ALERT_STATUSES as readonly string[]).includes(status)) {
    throw badRequest('status', `must be ${ALERT_STATUSES.join(', ')}, got '${status}'`);
  }
  const time = (name: string) => {
    const s = q.get(name);
    if (s === null) return undefined;
    const t = parseTimestamp(s);
    if (t === undefined) throw badRequest(name, `must be an ISO-8601 time or epoch ms, got '${s}'`);
    return t;
  };
  const text = (name: string) => {
    const s = q.get(name);
    if (s === null) return undefined;
    if (s.length === 0 || s.length > 64 || /[,\s]/.test(s))
      throw badRequest(name, `must be 1–64 characters without commas or spaces, got '${s}'`);
    return s;
  };
  const sortS = q.get('sort');
  if (sortS !== null && !(SORTS as readonly string[]).includes(sortS))
    throw badRequest('sort', `must be ${SORTS.join(', ')}, got '${sortS}'`);
  const sinceMs = time('since');
  const untilMs = time('until');
  if (sinceMs !== undefined && untilMs !== undefined && untilMs <= sinceMs) throw badRequest('until', 'must be after since');
  return {
    level: lvl('level'),
    minLevel: lvl('min_level'),
    type,
    status: (status ?? undefined) as AlertStatus | undefined,
    symbol: text('symbol')?.toUpperCase(),
    account: text('account'),
    sinceMs,
    untilMs,
    limit: intParam(q, 'limit', opts.defaultLimit, 1, opts.maxLimit),
    offset: intParam(q, 'offset', 0, 0, 10_000_000),
    sort: (sortS ?? undefined) as AlertFilter['sort'],
  };
}

/** A JSON object body with exactly the allowed keys; each check names the field it rejects. */
export function objectBody(body: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('body', 'must be a JSON object');
  for (const k of Object.keys(body)) if (!allowed.includes(k)) throw badRequest(k, `unknown field (allowed: ${allowed.join(', ')})`);
  return body as Record<string, unknown>;
}

/** A string field of 1..max characters (trimmed); undefined when optional and absent. */
export function stringField(o: Record<string, unknown>, name: string, opts: { required: boolean; max: number }): string | undefined {
  const v = o[name];
  if (v === undefined || v === null) {
    if (opts.required) throw badRequest(name, 'is required');
    return undefined;
  }
  if (typeof v !== 'string') throw badRequest(name, `must be a string, got ${typeof v}`);
  const s = v.trim();
  if (s.length === 0) {
    if (opts.required) throw badRequest(name, 'must not be empty');
    return undefined;
  }
  if (s.length > opts.max) throw badRequest(name, `must be at most ${opts.max} characters`);
  return s;
}

/** A string field that must be one of `values`. */
export function enumField<T extends string>(o: Record<string, unknown>, name: string, values: readonly T[]): T {
  const v = o[name];
  if (v === undefined) throw badRequest(name, `is required (${values.join(' or ')})`);
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v))
    throw badRequest(name, `must be ${values.join(' or ')}, got ${JSON.stringify(v)}`);
  return v as T;
}
