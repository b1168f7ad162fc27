import { resolve } from 'node:path';
import type { Alert } from '../domain/alert.js';
import { UsageError } from '../domain/errors.js';
import type { AlertSink, EngineStats } from '../engine/engine.js';
import { RejectsFile } from '../engine/pipeline.js';
import type { AlertStore } from '../store/alert-store.js';
import { err, num, out, paint } from './output.js';

/** Parses `--map ts=timestamp,qty=amount` into canonical → user column names. */
export function parseColumnMap(s: string | undefined): Record<string, string> | undefined {
  if (!s) return undefined;
  const map: Record<string, string> = {};
  for (const part of s.split(',')) {
    const m = /^\s*([a-z_]+)\s*=\s*(.+?)\s*$/.exec(part);
    if (!m) throw new UsageError(`--map expects canonical=yours pairs like ts=timestamp,qty=amount; got '${part}'`);
    map[m[1]!] = m[2]!;
  }
  return map;
}

/** The rejects file for a run: --rejects PATH, else ./surveillance-rejects-<time>.ndjson (created only if needed). */
export function rejectsFor(path: string | undefined, strict: boolean): RejectsFile {
  const p = path ?? resolve(`surveillance-rejects-${new Date().toISOString().replace(/[:.]/g, '-')}.ndjson`);
  return new RejectsFile(p, strict);
}

/**
 * A sink that writes alerts to the store and remembers them for the final report. With
 * `coalesce` > 0 (replay), alerts are held until that many are pending and written in one
 * transaction, so a long replay of small batches does not commit per batch; `flush()` writes the
 * rest. Live runs keep the default 0: every batch is committed at once (alert latency).
 */
export class StoreSink implements AlertSink {
  readonly raised = new Map<string, Alert>();
  /** Latest version of each alert not yet written (an update replaces the pending version). */
  private readonly pending = new Map<string, Alert>();
  /** Store transactions made so far. */
  writes = 0;
  constructor(
    private readonly store: Pick<AlertStore, 'upsertAlerts'> | null,
    private readonly coalesce = 0,
  ) {}
  async write(alerts: readonly Alert[]): Promise<void> {
    for (const a of alerts) this.raised.set(a.alert_id, a);
    if (!this.store) return;
    if (this.coalesce <= 0) {
      this.writes++;
      await this.store.upsertAlerts(alerts);
      return;
    }
    for (const a of alerts) this.pending.set(a.alert_id, a);
    if (this.pending.size >= this.coalesce) await this.flush();
  }
  /** Writes the alerts still held back (call at the end of a run, also after a failure). */
  async flush(): Promise<void> {
    if (!this.store || this.pending.size === 0) return;
    const alerts = [...this.pending.values()];
    this.pending.clear();
    this.writes++;
    await this.store.upsertAlerts(alerts);
  }
}

/** Progress on a TTY only (stderr), at most a few times a second. */
export function progress(label: string): { tick(stats: EngineStats): void; done(): void } {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  const started = Date.now();
  return {
    tick(stats) {
      if (!tty) return;
      const now = Date.now();
      if (now - last < 250) return;
      last = now;
      const rate = stats.events / Math.max(0.001, (now - started) / 1000);
      process.stderr.write(`\r${label}: ${num(stats.events)} events, ${num(stats.alerts)} alerts, ${num(rate)} events/s   `);
    },
    done() {
      if (tty) process.stderr.write('\r\u001b[K');
    },
  };
}

/** Prints what a run raised (the original tool printed the alerts at the end of a monitor run). */
export function printRaised(raised: ReadonlyMap<string, Alert>, limit = 20): void {
  const alerts = [...raised.values()].sort((a, b) => a.timestamp.localeCompare(b.timestamp) || a.alert_id.localeCompare(b.alert_id));
  out(paint(`Alerts raised: ${alerts.length}`, 'bold'));
  const byType = new Map<string, number>();
  for (const a of alerts) byType.set(a.type, (byType.get(a.type) ?? 0) + 1);
  for (const [t, n] of [...byType.entries()].sort()) out(`  ${t.padEnd(22)} ${n}`);
  const shown = alerts.slice(-limit);
  if (shown.length > 0) out('');
  for (const a of shown) {
    out(`  [${a.level.toUpperCase()}] ${a.alert_id} ${a.type} ${a.affected_symbols.join(',')} — ${a.description}`);
  }
  if (alerts.length > limit) out(`  … ${alerts.length - limit} more: surveillance alerts --limit ${alerts.length}`);
}

/** Prints the rejects summary (to stderr: it is a warning about the input). */
export function printRejects(rejects: RejectsFile): void {
  for (const k of rejects.skippedKinds) err(paint(`Note: ${k.file}: ${k.reason}`, 'gray'));
  if (rejects.count === 0) return;
  err(paint(`Rejected ${num(rejects.count)} record(s); kept with their reasons in ${rejects.path}`, 'yellow'));
  for (const r of rejects.first.slice(0, 5)) err(`  ${r.file}:${r.line}: field ${r.field}: ${r.reason}`);
  if (rejects.byReason.size > 1 || rejects.count > 5) {
    for (const [reason, n] of [...rejects.byReason.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8)) err(`  ${num(n)} × ${reason}`);
  }
}
