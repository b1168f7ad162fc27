import { textOf } from '../domain/events.js';
import type { ServerResponse } from 'node:http';
import { LEVELS, PATTERN_TYPES, type Alert } from '../domain/alert.js';
import { PATTERNS } from '../domain/patterns.js';
import type { Config } from '../config/config.js';
import { DEFAULT_THRESHOLDS, thresholdsSchema } from '../config/thresholds.js';
import { NotFoundError } from '../domain/errors.js';
import {
  CASE_ACTION_KINDS,
  TOKEN_ROLES,
  type AlertChange,
  type AlertStore,
  type CaseAction,
  type CaseFields,
  type MonitorRecord,
} from '../store/alert-store.js';
import { ApiError, badRequest } from './api-error.js';
import { newToken } from './auth.js';
import type { ChangeHub } from './change-hub.js';
import { marketView } from './market.js';
import { OPENAPI } from './openapi.js';
import type { PdfPrinter } from './pdf.js';
import { storReportHtml, type ReportingEntity } from './report.js';
import { json, type RequestContext, type Route } from './router.js';
import { enumField, filterFromQuery, objectBody, rejectUnknownParams, stringField } from './validate.js';

/** What the routes compose: the store and what `serve` knows about its surroundings. */
export interface RouteDeps {
  readonly store: AlertStore;
  readonly hub: ChangeHub;
  readonly pdf: PdfPrinter;
  readonly config: Config;
  readonly configFile: string | null;
  readonly storeLabel: string;
  readonly isMonitorAlive: (m: MonitorRecord) => boolean;
  readonly entity: ReportingEntity;
  /** SSE heartbeat interval (ms); proxies drop idle streams. */
  readonly heartbeatMs: number;
  /** Live SSE responses, so shutdown can end them. */
  readonly streams: Set<ServerResponse>;
}

export type AlertWithCase = Alert & { readonly case: CaseFields };

const NO_CASE: CaseFields = { assignee: null, escalated: false, escalated_at: null, escalated_by: null };

async function withCases(store: AlertStore, alerts: readonly Alert[]): Promise<AlertWithCase[]> {
  const cases = await store.caseFields(alerts.map((a) => a.alert_id));
  return alerts.map((a) => ({ ...a, case: cases.get(a.alert_id) ?? NO_CASE }));
}

async function alertOr404(store: AlertStore, id: string): Promise<Alert> {
  const a = await store.getAlert(id);
  if (!a) throw new NotFoundError(`no alert with id '${id}'`);
  return a;
}

const CSV_COLUMNS = [
  'alert_id',
  'timestamp',
  'level',
  'type',
  'status',
  'confidence',
  'risk_score',
  'symbols',
  'accounts',
  'window_start',
  'window_end',
  'assignee',
  'escalated',
  'resolution_note',
  'description',
] as const;

/** One CSV field, quoted when needed; a leading formula character is neutralised (CSV injection). */
function csvField(v: unknown): string {
  let s = textOf(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The alerts as CSV with a header line. */
export function alertsCsv(alerts: readonly AlertWithCase[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const a of alerts) {
    lines.push(
      [
        a.alert_id,
        a.timestamp,
        a.level,
        a.type,
        a.status,
        a.confidence,
        a.risk_score,
        a.affected_symbols.join(' '),
        a.affected_users.join(' '),
        a.window_start,
        a.window_end,
        a.case.assignee,
        a.case.escalated,
        a.resolution_note,
        a.description,
      ]
        .map(csvField)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** Listings count matching alerts exactly up to this many; beyond, `total_exact` is false. */
export const COUNT_CAP = 10_000;

const BUCKETS = { hour: 3_600_000, day: 86_400_000 } as const;

/** Every route of the API, in one literal list (the OpenAPI document and the tests follow it). */
export function apiRoutes(d: RouteDeps): Route[] {
  const { store } = d;
  const caseAction = (kind: CaseAction['kind']): Route => ({
    method: 'POST',
    path: `/api/alerts/:id/${kind}`,
    role: 'analyst',
    handler: async (ctx) => {
      rejectUnknownParams(ctx.query, new Set());
      const action = parseCaseAction(kind, await ctx.body());
      const alert = await store.applyCaseAction(ctx.params['id']!, action, ctx.token.name, new Date().toISOString());
      const [withCase] = await withCases(store, [alert]);
      return json({ alert: withCase, history: await store.caseHistory(alert.alert_id) });
    },
  });

  return [
    {
      method: 'GET',
      path: '/api/alerts',
      role: 'viewer',
      handler: async (ctx) => {
        const filter = filterFromQuery(ctx.query, { defaultLimit: 50, maxLimit: 1000 });
        // Exact counts of millions of rows cost more than the page itself: count up to a cap.
        const [alerts, counted] = await Promise.all([
          store.listAlerts(filter),
          store.countAlertsUpTo({ ...filter, limit: undefined, offset: undefined }, COUNT_CAP + 1),
        ]);
        const exact = counted <= COUNT_CAP;
        return json({
          total: exact ? counted : COUNT_CAP,
          total_exact: exact,
          limit: filter.limit,
          offset: filter.offset,
          alerts: await withCases(store, alerts),
        });
      },
    },
    {
      method: 'GET',
      path: '/api/alerts/:id',
      role: 'viewer',
      handler: async (ctx) => {
        rejectUnknownParams(ctx.query, new Set());
        const a = await alertOr404(store, ctx.params['id']!);
        const [withCase] = await withCases(store, [a]);
        return json({
          alert: withCase,
          history: await store.caseHistory(a.alert_id),
          pattern: PATTERNS.find((p) => p.type === a.type) ?? null,
        });
      },
    },
    {
      method: 'GET',
      path: '/api/alerts/:id/market',
      role: 'viewer',
      handler: async (ctx) => {
        rejectUnknownParams(ctx.query, new Set());
        return json(marketView(await alertOr404(store, ctx.params['id']!)));
      },
    },
    {
      method: 'GET',
      path: '/api/alerts/:id/report',
      role: 'viewer',
      handler: async (ctx) => {
        rejectUnknownParams(ctx.query, new Set());
        return { kind: 'raw', type: 'text/html; charset=utf-8', body: await reportFor(d, ctx.params['id']!) };
      },
    },
    {
      method: 'GET',
      path: '/api/alerts/:id/report.pdf',
      role: 'viewer',
      handler: async (ctx) => {
        rejectUnknownParams(ctx.query, new Set());
        const html = await reportFor(d, ctx.params['id']!);
        const pdf = await d.pdf.print(html);
        return {
          kind: 'raw',
          type: 'application/pdf',
          body: pdf,
          headers: { 'content-disposition': `attachment; filename="stor-${ctx.params['id']!.replace(/[^A-Za-z0-9_-]/g, '_')}.pdf"` },
        };
      },
    },
    caseAction('assign'),
    caseAction('comment'),
    caseAction('escalate'),
    caseAction('resolve'),
    {
      method: 'GET',
      path: '/api/summary',
      role: 'viewer',
      handler: async (ctx) => {
        const filter = filterFromQuery(ctx.query, { defaultLimit: 1, maxLimit: 1, extra: ['bucket'] });
        const bucketName = ctx.query.get('bucket') ?? 'day';
        if (!(bucketName in BUCKETS)) throw badRequest('bucket', `must be hour or day, got '${bucketName}'`);
        const f = { ...filter, limit: undefined, offset: undefined, sort: undefined };
        const bucketMs = BUCKETS[bucketName as keyof typeof BUCKETS];
        return json({ ...(await store.summary(f)), bucket: bucketName, timeline: await store.timeline(f, bucketMs) });
      },
    },
    {
      method: 'GET',
      path: '/api/status',
      role: 'viewer',
      handler: async (ctx) => {
        rejectUnknownParams(ctx.query, new Set());
        const { current, last } = await store.getMonitor();
        const active = current !== null && d.isMonitorAlive(current);
        return json({
          active,
          monitor: active ? current : (current ?? last),
          store: d.storeLabel,
          config_file: d.configFile,
          alerts_stored: await store.countAlerts(),
          alerts_active: await store.countAlerts({ status: 'active' }),
        });
      },
    },
    {
      method: 'GET',
      path: '/api/patterns',
      role: 'viewer',
      handler: async (ctx) => {
        rejectUnknownParams(ctx.query, new Set());
        return json({ patterns: PATTERNS });
      },
    },
    {
      method: 'GET',
      path: '/api/thresholds',
      role: 'viewer',
      handler: async (ctx) => {
        rejectUnknownParams(ctx.query, new Set());
        const shape = thresholdsSchema.shape as Record<string, { description?: string | undefined }>;
        const list = Object.entries(d.config.thresholds).map(([name, value]) => ({
          name,
          value,
          default: (DEFAULT_THRESHOLDS as Record<string, number>)[name] ?? null,
          description: shape[name]?.description ?? '',
        }));
        return json({ config_file: d.configFile, thresholds: list });
      },
    },
    {
      method: 'GET',
      path: '/api/export.json',
      role: 'viewer',
      handler: async (ctx) => {
        const filter = filterFromQuery(ctx.query, { defaultLimit: 10_000, maxLimit: 100_000 });
        const alerts = await withCases(store, await store.listAlerts(filter));
        return {
          kind: 'raw',
          type: 'application/json; charset=utf-8',
          body: JSON.stringify(alerts, null, 2),
          headers: { 'content-disposition': 'attachment; filename="alerts.json"' },
        };
      },
    },
    {
      method: 'GET',
      path: '/api/export.csv',
      role: 'viewer',
      handler: async (ctx) => {
        const filter = filterFromQuery(ctx.query, { defaultLimit: 10_000, maxLimit: 100_000 });
        const alerts = await withCases(store, await store.listAlerts(filter));
        return {
          kind: 'raw',
          type: 'text/csv; charset=utf-8',
          body: alertsCsv(alerts),
          headers: { 'content-disposition': 'attachment; filename="alerts.csv"' },
        };
      },
    },
    {
      method: 'GET',
      path: '/api/events',
      role: 'viewer',
      handler: async (ctx) => {
        rejectUnknownParams(ctx.query, new Set());
        await streamEvents(d, ctx);
        return { kind: 'streamed' };
      },
    },
    {
      method: 'GET',
      path: '/api/openapi.json',
      role: 'viewer',
      handler: async () => json(OPENAPI),
    },
    {
      method: 'GET',
      path: '/api/me',
      role: 'viewer',
      handler: async (ctx) => json({ name: ctx.token.name, role: ctx.token.role }),
    },
    {
      method: 'GET',
      path: '/api/tokens',
      role: 'admin',
      handler: async (ctx) => {
        rejectUnknownParams(ctx.query, new Set());
        return json({ tokens: await store.listTokens() });
      },
    },
    {
      method: 'POST',
      path: '/api/tokens',
      role: 'admin',
      handler: async (ctx) => {
        rejectUnknownParams(ctx.query, new Set());
        const b = objectBody(await ctx.body(), ['name', 'role']);
        const name = stringField(b, 'name', { required: true, max: 64 })!;
        if (!/^[A-Za-z0-9._@-]+$/.test(name)) throw badRequest('name', 'may contain letters, digits and . _ @ - only');
        const role = enumField(b, 'role', TOKEN_ROLES);
        const { secret, record } = newToken(name, role);
        const token = await store.createToken(record);
        return json({ ...token, token: secret }, 201);
      },
    },
    {
      method: 'DELETE',
      path: '/api/tokens/:id',
      role: 'admin',
      handler: async (ctx) => {
        rejectUnknownParams(ctx.query, new Set());
        return json(await store.revokeToken(ctx.params['id']!, new Date().toISOString()));
      },
    },
  ];
}

/** Validates the body of a case action. */
export function parseCaseAction(kind: CaseAction['kind'], body: unknown): CaseAction {
  switch (kind) {
    case 'assign': {
      const b = objectBody(body, ['assignee', 'note']);
      return {
        kind,
        assignee: stringField(b, 'assignee', { required: true, max: 100 })!,
        note: stringField(b, 'note', { required: false, max: 5000 }),
      };
    }
    case 'comment': {
      const b = objectBody(body, ['text']);
      return { kind, text: stringField(b, 'text', { required: true, max: 5000 })! };
    }
    case 'escalate': {
      const b = objectBody(body ?? {}, ['note']);
      return { kind, note: stringField(b, 'note', { required: false, max: 5000 }) };
    }
    case 'resolve': {
      const b = objectBody(body, ['resolution', 'note']);
      return {
        kind,
        resolution: enumField(b, 'resolution', ['resolved', 'false_positive'] as const),
        note: stringField(b, 'note', { required: false, max: 5000 }),
      };
    }
    default: {
      const never: never = kind;
      throw new ApiError(404, 'not_found', `unknown case action ${String(never)} (known: ${CASE_ACTION_KINDS.join(', ')})`);
    }
  }
}

async function reportFor(d: RouteDeps, id: string): Promise<string> {
  const a = await alertOr404(d.store, id);
  const cases = await d.store.caseFields([id]);
  return storReportHtml(a, cases.get(id), await d.store.caseHistory(id), d.entity, new Date().toISOString());
}

/**
 * Server-sent events: `alert` events carrying { seq, created, alert } for every new or changed
 * alert. A reconnecting client sends Last-Event-ID and gets what it missed (up to 1000 changes).
 */
async function streamEvents(d: RouteDeps, ctx: RequestContext): Promise<void> {
  const { res, req } = ctx;
  const lastId = Number(req.headers['last-event-id']);
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write('retry: 2000\n\n');
  d.streams.add(res);
  let queue = Promise.resolve();
  const send = (changes: readonly AlertChange[]): void => {
    // Chained so events leave in change order even though enriching them is async.
    queue = queue
      .then(async () => {
        const enriched = await withCases(
          d.store,
          changes.map((c) => c.alert),
        );
        for (let i = 0; i < changes.length; i++) {
          const c = changes[i]!;
          res.write(`id: ${c.seq}\nevent: alert\ndata: ${JSON.stringify({ seq: c.seq, created: c.created, alert: enriched[i] })}\n\n`);
        }
      })
      .catch(() => undefined);
  };
  if (Number.isInteger(lastId) && lastId >= 0) send(await d.store.changesSince(lastId, 1000));
  const unsubscribe = d.hub.subscribe(send);
  const beat = setInterval(() => res.write(': ping\n\n'), d.heartbeatMs);
  beat.unref();
  res.write(': connected\n\n');
  const done = (): void => {
    clearInterval(beat);
    unsubscribe();
    d.streams.delete(res);
  };
  req.on('close', done);
  res.on('close', done);
}

export { LEVELS, PATTERN_TYPES };
