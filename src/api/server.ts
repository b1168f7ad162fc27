import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseConfig, type Config } from '../config/config.js';
import { ConflictError, InputError, NotFoundError, SurveillanceError, UsageError } from '../domain/errors.js';
import type { AlertStore, MonitorRecord } from '../store/alert-store.js';
import { ApiError } from './api-error.js';
import { authenticate, requireRole } from './auth.js';
import { ChangeHub } from './change-hub.js';
import { PdfPrinter } from './pdf.js';
import type { ReportingEntity } from './report.js';
import { apiRoutes } from './routes.js';
import { findRoute, type Reply, type Route } from './router.js';
import { DEFAULT_WEB_ROOT, staticFile } from './static-files.js';
import { WebhookDispatcher, type WebhookOptions } from './webhooks.js';

export interface ApiServerOptions {
  readonly store: AlertStore;
  readonly config?: Config;
  readonly configFile?: string | null;
  /** How the store is named in /api/status (a path or a redacted URL). */
  readonly storeLabel?: string;
  readonly isMonitorAlive?: (m: MonitorRecord) => boolean;
  /** The dashboard's files; null serves no dashboard. */
  readonly webRoot?: string | null;
  readonly entity?: ReportingEntity;
  readonly webhook?: WebhookOptions;
  /** How often live clients' change feed is polled (ms). */
  readonly pollMs?: number;
  readonly heartbeatMs?: number;
  /** Where unexpected errors are reported (never sent to clients). */
  readonly log?: (line: string) => void;
}

export interface ApiServer {
  readonly server: Server;
  readonly routes: readonly Route[];
  /** Listens; resolves with the base URL (port 0 picks a free port). */
  listen(port: number, host?: string): Promise<string>;
  /** Ends live streams, stops background work and closes the server (the store stays open). */
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'SAMEORIGIN',
};
const HTML_CSP =
  "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; frame-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'self'";

/** The one place errors become HTTP responses: status, code, message (and the field when known). */
export function toErrorResponse(err: unknown): { status: number; body: { error: { code: string; message: string; field?: string } } } {
  if (err instanceof ApiError) {
    return { status: err.status, body: { error: { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) } } };
  }
  if (err instanceof NotFoundError) return { status: 404, body: { error: { code: 'not_found', message: err.message } } };
  if (err instanceof ConflictError) return { status: 409, body: { error: { code: 'conflict', message: err.message } } };
  if (err instanceof InputError) return { status: 400, body: { error: { code: 'bad_request', message: err.message, field: err.field } } };
  if (err instanceof UsageError) return { status: 400, body: { error: { code: 'bad_request', message: err.message } } };
  if (err instanceof SurveillanceError) return { status: 500, body: { error: { code: 'error', message: err.message } } };
  return { status: 500, body: { error: { code: 'internal', message: 'internal error (details in the server log)' } } };
}

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new ApiError(413, 'too_large', `body: at most ${MAX_BODY} bytes`, 'body'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve(undefined);
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new ApiError(400, 'bad_request', 'body: not valid JSON', 'body'));
      }
    });
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: Exclude<Reply, { kind: 'streamed' }>, head: boolean): void {
  const status = reply.status ?? 200;
  if (reply.kind === 'json') {
    const body = JSON.stringify(reply.data);
    res.writeHead(status, {
      ...SECURITY_HEADERS,
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'content-length': Buffer.byteLength(body),
    });
    res.end(head ? undefined : body);
    return;
  }
  const extra = reply.type.startsWith('text/html') ? { 'content-security-policy': HTML_CSP } : {};
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    ...extra,
    'content-type': reply.type,
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(reply.body),
    ...reply.headers,
  });
  res.end(head ? undefined : reply.body);
}

/** Builds the HTTP API and dashboard server over a store (node:http; no framework). */
export function createApiServer(o: ApiServerOptions): ApiServer {
  const { store } = o;
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const hub = new ChangeHub(store, { intervalMs: o.pollMs ?? 500, onError: (e) => log(`change feed: ${(e as Error).message}`) });
  const pdf = new PdfPrinter();
  const streams = new Set<ServerResponse>();
  const routes = apiRoutes({
    store,
    hub,
    pdf,
    config: o.config ?? parseConfig({}),
    configFile: o.configFile ?? null,
    storeLabel: o.storeLabel ?? '(store)',
    isMonitorAlive: o.isMonitorAlive ?? (() => false),
    entity: o.entity ?? { name: 'Reporting firm (set with serve --entity)' },
    heartbeatMs: o.heartbeatMs ?? 15_000,
    streams,
  });
  const webRoot = o.webRoot === undefined ? DEFAULT_WEB_ROOT : o.webRoot;
  const webhooks = o.webhook
    ? new WebhookDispatcher(store, { ...o.webhook, onError: (e) => log(`webhooks: ${(e as Error).message}`) })
    : undefined;

  const handleApi = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
    try {
      const found = findRoute(routes, method, url.pathname);
      // Authenticate before saying whether a route exists, so the API's shape is not probeable.
      const token = await authenticate(store, req);
      if (!('route' in found)) {
        if (found.allowed.length > 0) {
          res.setHeader('allow', found.allowed.join(', '));
          throw new ApiError(
            405,
            'method_not_allowed',
            `${method} is not allowed on ${url.pathname} (allowed: ${found.allowed.join(', ')})`,
          );
        }
        throw new ApiError(404, 'not_found', `no route ${method} ${url.pathname} (GET /api/openapi.json lists them)`);
      }
      requireRole(token, found.route.role);
      const reply = await found.route.handler({
        params: found.params,
        query: url.searchParams,
        token,
        req,
        res,
        body: () => readBody(req),
      });
      if (reply.kind !== 'streamed') send(res, reply, req.method === 'HEAD');
    } catch (err) {
      const { status, body } = toErrorResponse(err);
      if (status >= 500 && !(err instanceof ApiError)) log(`${method} ${url.pathname}: ${(err as Error).stack ?? String(err)}`);
      if (res.headersSent) {
        res.end();
        return;
      }
      send(res, { kind: 'json', status, data: body }, false);
    }
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
      void handleApi(req, res, url);
      return;
    }
    void (async () => {
      const file = webRoot && (req.method === 'GET' || req.method === 'HEAD') ? await staticFile(webRoot, url.pathname) : undefined;
      if (!file) {
        send(res, { kind: 'raw', status: 404, type: 'text/plain; charset=utf-8', body: 'not found\n' }, false);
        return;
      }
      send(res, { kind: 'raw', type: file.type, body: file.body, headers: { 'cache-control': 'no-cache' } }, req.method === 'HEAD');
    })().catch((err: unknown) => {
      log(`static: ${(err as Error).message}`);
      res.destroy();
    });
  });

  return {
    server,
    routes,
    listen(port: number, host = '127.0.0.1'): Promise<string> {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          webhooks?.start();
          const a = server.address() as AddressInfo;
          resolve(`http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`);
        });
      });
    },
    async close(): Promise<void> {
      hub.stop();
      for (const s of streams) s.end();
      await webhooks?.stop();
      await pdf.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    },
  };
}
