import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiToken, TokenRole } from '../store/alert-store.js';

/** What a handler sees: path parameters, the query, the caller's token and the JSON body. */
export interface RequestContext {
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly token: ApiToken;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The parsed JSON body (400 when it is not JSON, 413 when too large). */
  body(): Promise<unknown>;
}

/** What a handler returns; `streamed` means it wrote the response itself (server-sent events). */
export type Reply =
  | { readonly kind: 'json'; readonly status?: number; readonly data: unknown }
  | {
      readonly kind: 'raw';
      readonly status?: number;
      readonly type: string;
      readonly body: string | Buffer;
      readonly headers?: Record<string, string>;
    }
  | { readonly kind: 'streamed' };

export interface Route {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** e.g. /api/alerts/:id/assign; a segment starting with ':' is a parameter. */
  readonly path: string;
  /** The least role allowed. */
  readonly role: TokenRole;
  readonly handler: (ctx: RequestContext) => Promise<Reply>;
}

/** Matches a path against a route pattern, returning the decoded parameters. */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const ps = pattern.split('/');
  const xs = path.split('/');
  if (ps.length !== xs.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i]!;
    const x = xs[i]!;
    if (p.startsWith(':')) {
      if (x === '') return undefined;
      try {
        params[p.slice(1)] = decodeURIComponent(x);
      } catch {
        return undefined;
      }
    } else if (p !== x) {
      return undefined;
    }
  }
  return params;
}

/** Finds the route for a request: the match, or which methods the path allows (for 405). */
export function findRoute(
  routes: readonly Route[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | { allowed: string[] } {
  const allowed: string[] = [];
  for (const route of routes) {
    const params = matchPath(route.path, path);
    if (!params) continue;
    if (route.method === method) return { route, params };
    allowed.push(route.method);
  }
  return { allowed };
}

/** Shorthand for a JSON reply. */
export function json(data: unknown, status = 200): Reply {
  return { kind: 'json', status, data };
}
