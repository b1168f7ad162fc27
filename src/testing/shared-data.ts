import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The shared real-market-data folder (`../shared/data` beside the checkout, or
 * SURVEILLANCE_SHARED_DATA). Returns undefined when absent: tests that need it then skip with a
 * message saying so, never pass silently.
 */
export function sharedDataDir(): string | undefined {
  const candidates = [process.env['SURVEILLANCE_SHARED_DATA'], resolve(process.cwd(), '../shared/data')].filter((x): x is string => !!x);
  return candidates.find((c) => existsSync(c));
}

/** A path inside the shared data, or undefined (with the reason) when it is not there. */
export function sharedFile(relative: string): string | undefined {
  const dir = sharedDataDir();
  if (!dir) return undefined;
  const p = resolve(dir, relative);
  return existsSync(p) ? p : undefined;
}

/** The skip message for a test that needs shared data that is absent. */
export function missingShared(relative: string): string {
  return `needs ../shared/data/${relative} (real market data, not in the repo); set SURVEILLANCE_SHARED_DATA to run it`;
}
