import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AlertStore, ApiToken, NewApiToken, TokenRole } from '../store/alert-store.js';
import { ApiError } from './api-error.js';

/** Tokens carry a recognisable prefix so leaked ones are easy to find with secret scanners. */
const PREFIX = 'sv_';

/** The sha-256 (hex) under which a token secret is stored; the secret itself never is. */
export function hashToken(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** A new random token: the secret (shown once) and the record to store. */
export function newToken(name: string, role: TokenRole, now: Date = new Date()): { secret: string; record: NewApiToken } {
  const secret = PREFIX + randomBytes(24).toString('base64url');
  return { secret, record: { id: randomUUID(), name, role, hash: hashToken(secret), createdAt: now.toISOString() } };
}

const RANK: Record<TokenRole, number> = { viewer: 0, analyst: 1, admin: 2 };

/** True when `have` may do what needs `need` (viewer < analyst < admin). */
export function roleAllows(have: TokenRole, need: TokenRole): boolean {
  return RANK[have] >= RANK[need];
}

/** The token of a request (Authorization: Bearer …); 401 when missing, unknown or revoked. */
export async function authenticate(store: AlertStore, req: IncomingMessage): Promise<ApiToken> {
  const h = req.headers.authorization;
  const m = h ? /^Bearer\s+(\S+)$/i.exec(h) : null;
  if (!m)
    throw new ApiError(
      401,
      'unauthorized',
      'missing bearer token: send Authorization: Bearer <token> (create one with: surveillance token create)',
    );
  const token = await store.findTokenByHash(hashToken(m[1]!));
  if (!token) throw new ApiError(401, 'unauthorized', 'invalid or revoked token');
  return token;
}

/** 403 unless the token's role allows `need`. */
export function requireRole(token: ApiToken, need: TokenRole): void {
  if (!roleAllows(token.role, need)) {
    throw new ApiError(403, 'forbidden', `this needs the ${need} role; token '${token.name}' has ${token.role}`);
  }
}
