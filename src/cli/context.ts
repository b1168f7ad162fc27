import { hostname, userInfo } from 'node:os';
import { loadConfig, withThresholds, type Config } from '../config/config.js';
import { UsageError } from '../domain/errors.js';
import type { AlertStore, MonitorRecord } from '../store/alert-store.js';
import { defaultDbLocation, openStore } from '../store/open.js';

/** Options every command accepts (declared on the root program). */
export interface GlobalOptions {
  db?: string;
  config?: string;
  set?: string[];
}

/** The store location in force: --db, SURVEILLANCE_DB, or the default per-user file. */
export function dbLocation(g: GlobalOptions): string {
  return g.db ?? defaultDbLocation();
}

/** Opens the store for a command; the caller closes it. */
export async function storeFor(g: GlobalOptions): Promise<AlertStore> {
  return openStore(dbLocation(g));
}

/** Parses `--set key=value` threshold overrides. */
export function parseSets(sets: readonly string[] = []): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of sets) {
    const m = /^([a-z_]+)=(.+)$/.exec(s);
    if (!m) throw new UsageError(`--set expects key=value, got '${s}'`);
    const v = Number(m[2]);
    if (!Number.isFinite(v)) throw new UsageError(`--set ${m[1]}: '${m[2]}' is not a number`);
    out[m[1]!] = v;
  }
  return out;
}

/** The configuration in force: file (if any) then flag overrides. */
export function configFor(g: GlobalOptions, overrides: Record<string, number> = {}): { config: Config; file: string | null } {
  const { config, file } = loadConfig(g.config);
  return { config: withThresholds(config, { ...parseSets(g.set), ...overrides }), file };
}

/** Splits `A,B` into upper-case symbols, rejecting empties. */
export function parseSymbols(s: string | undefined, required: boolean): string[] {
  if (!s) {
    if (required) throw new UsageError('--symbols is required, e.g. --symbols AAPL,MSFT');
    return [];
  }
  const list = s
    .split(',')
    .map((x) => x.trim().toUpperCase())
    .filter((x) => x.length > 0);
  if (list.length === 0 && required) throw new UsageError('--symbols lists no symbol');
  return list;
}

/** Parses a non-negative number flag. */
export function parseNonNegative(name: string, s: string | undefined, def: number): number {
  if (s === undefined) return def;
  const n = Number(s);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${name} must be a non-negative number, got '${s}'`);
  return n;
}

/** `--threads`: a whole number of detection threads, at least 1. */
export function parseThreads(s: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--threads must be a whole number ≥ 1, got '${s}'`);
  return n;
}

/** Who is acting (for resolutions and the audit trail). */
export function currentUser(): string {
  return process.env['SURVEILLANCE_USER'] ?? userInfo().username;
}

/** This machine's name, recorded with the monitor so liveness can be judged. */
export const HOST = hostname();

/** A monitor is alive when its process exists on this host (and its heartbeat is recent), or, elsewhere, its heartbeat is fresh. */
export function monitorAlive(m: MonitorRecord, nowMs = Date.now()): boolean {
  const beatAge = nowMs - Date.parse(m.heartbeatAt);
  if (m.host === HOST) {
    try {
      process.kill(m.pid, 0);
    } catch (e) {
      // EPERM: the process exists but belongs to someone else.
      if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
    }
    // A reused pid is not our monitor: a live monitor beats every second.
    return beatAge < 30_000;
  }
  return beatAge < 15_000;
}
