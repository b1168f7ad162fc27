import { connect } from 'node:net';
import pg from 'pg';

/** The PostgreSQL the integration tests use (SURVEILLANCE_TEST_PG, default the machine's local server). */
export function postgresTestUrl(): string {
  return process.env['SURVEILLANCE_TEST_PG'] ?? 'postgres://postgres@127.0.0.1:5432/test';
}

/** The NATS server the integration tests use. */
export function natsTestUrl(): string {
  return process.env['SURVEILLANCE_TEST_NATS'] ?? 'nats://127.0.0.1:4222';
}

/** True when PostgreSQL answers a query at `url`. */
export async function postgresAvailable(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** True when something listens on host:port. */
export function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: 1000 });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}
