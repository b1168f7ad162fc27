import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../domain/errors.js';
import type { AlertStore } from './alert-store.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';

/**
 * The default SQLite location: $SURVEILLANCE_DB, else $XDG_DATA_HOME/surveillance/surveillance.db
 * (~/.local/share/surveillance/surveillance.db).
 */
export function defaultDbLocation(): string {
  const env = process.env['SURVEILLANCE_DB'];
  if (env) return env;
  const base = process.env['XDG_DATA_HOME'] || join(homedir(), '.local', 'share');
  return join(base, 'surveillance', 'surveillance.db');
}

/** Opens the store named by a path (SQLite) or a postgres:// URL. */
export async function openStore(location: string = defaultDbLocation()): Promise<AlertStore> {
  if (/^postgres(ql)?:\/\//.test(location)) {
    const { openPostgresStore } = await import('./postgres/postgres-store.js');
    try {
      return await openPostgresStore(location);
    } catch (err) {
      throw new UsageError(`cannot open the PostgreSQL store at ${redact(location)}: ${(err as Error).message}`, { cause: err });
    }
  }
  try {
    return openSqliteStore(location);
  } catch (err) {
    throw new UsageError(`cannot open the alert store at ${location}: ${(err as Error).message}`, { cause: err });
  }
}

/** Hides a password in a connection URL for messages. */
function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
