import { ALERT_STATUSES, LEVELS, PATTERN_TYPES } from '../domain/alert.js';
import { CASE_ACTION_KINDS, TOKEN_ROLES } from '../store/alert-store.js';

/** A JSON Schema (the subset this document uses; see openapi-check.ts). */
export type Schema = Readonly<Record<string, unknown>>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const str: Schema = { type: 'string' };
const nstr: Schema = { type: ['string', 'null'] };
const num: Schema = { type: 'number' };
const int: Schema = { type: 'integer' };
const obj = (properties: Record<string, Schema>, required: readonly string[] = Object.keys(properties), extra = true): Schema => ({
  type: 'object',
  properties,
  required,
  additionalProperties: extra,
});
const arr = (items: Schema): Schema => ({ type: 'array', items });
const countsOf = (keys: readonly string[]): Schema => obj(Object.fromEntries(keys.map((k) => [k, int])));

const filterParams = [
  { name: 'level', in: 'query', schema: { type: 'string', enum: LEVELS } },
  { name: 'min_level', in: 'query', schema: { type: 'string', enum: LEVELS }, description: 'this level or more severe' },
  { name: 'type', in: 'query', schema: { type: 'string', enum: PATTERN_TYPES } },
  { name: 'status', in: 'query', schema: { type: 'string', enum: ALERT_STATUSES } },
  { name: 'symbol', in: 'query', schema: str },
  { name: 'account', in: 'query', schema: str },
  { name: 'since', in: 'query', schema: str, description: 'detected at or after (ISO-8601 or epoch ms)' },
  { name: 'until', in: 'query', schema: str, description: 'detected before (ISO-8601 or epoch ms)' },
  { name: 'sort', in: 'query', schema: { type: 'string', enum: ['time_desc', 'time_asc', 'risk_desc', 'level'] } },
  { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1 } },
  { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0 } },
];
const idParam = { name: 'id', in: 'path', required: true, schema: str };
const errors = {
  '400': { description: 'invalid input', content: { 'application/json': { schema: ref('Error') } } },
  '401': { description: 'missing or invalid token', content: { 'application/json': { schema: ref('Error') } } },
  '403': { description: 'role too low', content: { 'application/json': { schema: ref('Error') } } },
};
const ok = (schema: Schema, type = 'application/json') => ({ '200': { description: 'OK', content: { [type]: { schema } } }, ...errors });
const notFound = { '404': { description: 'no such alert', content: { 'application/json': { schema: ref('Error') } } } };

const caseBodies: Record<(typeof CASE_ACTION_KINDS)[number], Schema> = {
  assign: obj({ assignee: str, note: str }, ['assignee'], false),
  comment: obj({ text: str }, ['text'], false),
  escalate: obj({ note: str }, [], false),
  resolve: obj({ resolution: { type: 'string', enum: ['resolved', 'false_positive'] }, note: str }, ['resolution'], false),
};

/** The OpenAPI 3.1 document of the HTTP API, served at /api/openapi.json and checked against real responses in tests. */
export const OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'Trade surveillance API',
    version: '1.0.0',
    description: 'Alerts, case management, live events and reports. Bearer tokens: viewer reads, analyst acts, admin manages tokens.',
  },
  servers: [{ url: 'http://127.0.0.1:8080' }],
  security: [{ bearer: [] }],
  paths: {
    '/api/alerts': { get: { summary: 'List alerts', parameters: filterParams, responses: ok(ref('AlertList')) } },
    '/api/alerts/{id}': {
      get: {
        summary: 'One alert with evidence and case history',
        parameters: [idParam],
        responses: { ...ok(ref('AlertDetail')), ...notFound },
      },
    },
    '/api/alerts/{id}/market': {
      get: { summary: 'Market data recorded with the alert', parameters: [idParam], responses: { ...ok(ref('Market')), ...notFound } },
    },
    '/api/alerts/{id}/report': {
      get: { summary: 'STOR report (HTML)', parameters: [idParam], responses: { ...ok(str, 'text/html'), ...notFound } },
    },
    '/api/alerts/{id}/report.pdf': {
      get: {
        summary: 'STOR report (PDF, printed by Chromium)',
        parameters: [idParam],
        responses: {
          ...ok(str, 'application/pdf'),
          ...notFound,
          '503': { description: 'Chromium not installed', content: { 'application/json': { schema: ref('Error') } } },
        },
      },
    },
    ...Object.fromEntries(
      CASE_ACTION_KINDS.map((k) => [
        `/api/alerts/{id}/${k}`,
        {
          post: {
            summary: `Case action: ${k} (analyst)`,
            parameters: [idParam],
            requestBody: { required: k !== 'escalate', content: { 'application/json': { schema: caseBodies[k] } } },
            responses: { ...ok(ref('CaseResult')), ...notFound },
          },
        },
      ]),
    ),
    '/api/summary': {
      get: {
        summary: 'Counts by status, level, type; timeline',
        parameters: [...filterParams.slice(0, 8), { name: 'bucket', in: 'query', schema: { type: 'string', enum: ['hour', 'day'] } }],
        responses: ok(ref('Summary')),
      },
    },
    '/api/status': { get: { summary: 'Monitor state and store counts', responses: ok(ref('Status')) } },
    '/api/patterns': { get: { summary: 'Detected patterns', responses: ok(obj({ patterns: arr(ref('Pattern')) })) } },
    '/api/thresholds': {
      get: {
        summary: 'Thresholds in force',
        responses: ok(
          obj({
            config_file: nstr,
            thresholds: arr(obj({ name: str, value: num, default: { type: ['number', 'null'] }, description: str })),
          }),
        ),
      },
    },
    '/api/export.json': { get: { summary: 'Export alerts (JSON)', parameters: filterParams, responses: ok(arr(ref('AlertWithCase'))) } },
    '/api/export.csv': { get: { summary: 'Export alerts (CSV)', parameters: filterParams, responses: ok(str, 'text/csv') } },
    '/api/events': {
      get: { summary: 'Server-sent events: `alert` events with { seq, created, alert }', responses: ok(str, 'text/event-stream') },
    },
    '/api/openapi.json': { get: { summary: 'This document', responses: ok({ type: 'object', required: ['openapi', 'paths'] }) } },
    '/api/me': { get: { summary: 'The caller', responses: ok(obj({ name: str, role: { type: 'string', enum: TOKEN_ROLES } })) } },
    '/api/tokens': {
      get: { summary: 'List tokens (admin)', responses: ok(obj({ tokens: arr(ref('Token')) })) },
      post: {
        summary: 'Create a token (admin); the secret is returned once',
        requestBody: {
          required: true,
          content: {
            'application/json': { schema: obj({ name: str, role: { type: 'string', enum: TOKEN_ROLES } }, ['name', 'role'], false) },
          },
        },
        responses: {
          '201': { description: 'created', content: { 'application/json': { schema: ref('TokenCreated') } } },
          ...errors,
          '409': { description: 'name taken', content: { 'application/json': { schema: ref('Error') } } },
        },
      },
    },
    '/api/tokens/{id}': {
      delete: {
        summary: 'Revoke a token by id or name (admin)',
        parameters: [idParam],
        responses: {
          ...ok(ref('Token')),
          '404': { description: 'no such active token', content: { 'application/json': { schema: ref('Error') } } },
        },
      },
    },
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    schemas: {
      Error: obj({ error: obj({ code: str, message: str, field: str }, ['code', 'message']) }),
      Metric: obj({ name: str, value: num, threshold: num, op: { type: 'string', enum: ['>=', '<=', '>', '<'] }, unit: str }, [
        'name',
        'value',
      ]),
      Evidence: obj({ tradeIds: arr(str), orderIds: arr(str), metrics: arr(ref('Metric')), details: { type: 'object' } }, [
        'tradeIds',
        'orderIds',
        'metrics',
      ]),
      Case: obj({ assignee: nstr, escalated: { type: 'boolean' }, escalated_at: nstr, escalated_by: nstr }),
      AlertWithCase: obj(
        {
          alert_id: str,
          type: { type: 'string', enum: PATTERN_TYPES },
          manipulation_type: { type: ['string', 'null'] },
          anomaly_type: { type: ['string', 'null'] },
          level: { type: 'string', enum: LEVELS },
          description: str,
          confidence: num,
          risk_score: num,
          timestamp: str,
          window_start: str,
          window_end: str,
          affected_symbols: arr(str),
          affected_users: arr(str),
          evidence: ref('Evidence'),
          status: { type: 'string', enum: ALERT_STATUSES },
          detector_version: int,
          resolved_by: nstr,
          resolved_at: nstr,
          resolution: nstr,
          resolution_note: nstr,
          case: ref('Case'),
        },
        [
          'alert_id',
          'type',
          'level',
          'description',
          'confidence',
          'risk_score',
          'timestamp',
          'window_start',
          'window_end',
          'affected_symbols',
          'affected_users',
          'evidence',
          'status',
          'detector_version',
          'case',
        ],
      ),
      AlertList: obj({ total: int, total_exact: { type: 'boolean' }, limit: int, offset: int, alerts: arr(ref('AlertWithCase')) }),
      CaseState: obj({ status: str, assignee: nstr, escalated: { type: 'boolean' }, resolution: nstr, resolution_note: nstr }),
      AuditEntry: obj({
        seq: int,
        alert_id: str,
        at: str,
        actor: str,
        action: { type: 'string', enum: CASE_ACTION_KINDS },
        note: nstr,
        before: ref('CaseState'),
        after: ref('CaseState'),
      }),
      AlertDetail: obj({ alert: ref('AlertWithCase'), history: arr(ref('AuditEntry')), pattern: { type: ['object', 'null'] } }),
      CaseResult: obj({ alert: ref('AlertWithCase'), history: arr(ref('AuditEntry')) }),
      Market: obj({
        alert_id: str,
        symbols: arr(str),
        window_start: str,
        window_end: str,
        trade_ids: arr(str),
        order_ids: arr(str),
        note: nstr,
        events: arr(
          obj({
            ts: num,
            kind: { type: 'string', enum: ['trade', 'order'] },
            id: str,
            price: num,
            qty: num,
            side: nstr,
            action: nstr,
            account: nstr,
            buyer: nstr,
            seller: nstr,
          }),
        ),
      }),
      Summary: obj({
        total: int,
        active: int,
        byStatus: countsOf(ALERT_STATUSES),
        byLevel: countsOf(LEVELS),
        byType: countsOf(PATTERN_TYPES),
        risk: countsOf(['high', 'medium', 'low']),
        topSymbols: arr(obj({ symbol: str, count: int })),
        topAccounts: arr(obj({ account: str, count: int })),
        bucket: { type: 'string', enum: ['hour', 'day'] },
        timeline: arr(
          obj({ start_ms: int, level: { type: 'string', enum: LEVELS }, type: { type: 'string', enum: PATTERN_TYPES }, count: int }),
        ),
      }),
      Status: obj({
        active: { type: 'boolean' },
        monitor: { type: ['object', 'null'] },
        store: str,
        config_file: nstr,
        alerts_stored: int,
        alerts_active: int,
      }),
      Pattern: obj({
        type: str,
        name: str,
        category: { type: 'string', enum: ['manipulation', 'anomaly'] },
        description: str,
        indicators: arr(str),
        riskLevel: str,
      }),
      Token: obj({ id: str, name: str, role: { type: 'string', enum: TOKEN_ROLES }, createdAt: str, revokedAt: nstr }),
      TokenCreated: obj({ id: str, name: str, role: { type: 'string', enum: TOKEN_ROLES }, createdAt: str, revokedAt: nstr, token: str }),
    },
  },
} as const;
