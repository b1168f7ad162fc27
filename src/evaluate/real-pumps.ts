import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Alert } from '../domain/alert.js';
import { UsageError } from '../domain/errors.js';
import { parseConfig, type Config } from '../config/config.js';
import type { DetectorFactory } from '../detect/detector.js';
import { pumpAndDump } from '../detect/pump-and-dump/pump-and-dump.js';
import { Engine } from '../engine/engine.js';
import { binanceTradesFormat } from '../ingest/binance-trades/binance-trades.js';
import type { RejectSink } from '../ingest/source.js';

/**
 * Real-data check of pump_and_dump on ../shared/data/binance-pumps: each labelled file holds ±2 days
 * of Binance trades around one announced pump. An event counts as detected when a pump_and_dump
 * alert was FIRST raised (the alert's first detection time, not its later updates or its window)
 * within [pump time − before, pump time + after]; every other pump alert in the file is a false
 * alert. Alerts whose window merely overlaps the event window are reported too, as a looser view.
 */

export interface RealPumpEvent {
  readonly file: string;
  readonly symbol: string;
  readonly pumpTimeMs: number;
  /** First detection time of the matching alert (ms), or null. */
  readonly firstDetectionMs: number | null;
  /** Seconds from the announced pump time to the first detection (negative: before it). */
  readonly delaySec: number | null;
  /** A pump alert whose window overlaps the event window (looser criterion). */
  readonly overlapDetected: boolean;
  /** The matching alert's dump was confirmed. */
  readonly dumpConfirmed: boolean;
  /** The alert was raised during the pump, before the dump confirmed it. */
  readonly early: boolean;
  readonly confidence: number | null;
  readonly level: string | null;
  /** Pump alerts first raised outside the event window. */
  readonly falseAlerts: number;
  readonly trades: number;
  /** Days of data in the file (last − first trade). */
  readonly days: number;
}

export interface RealPumpsReport {
  readonly events: readonly RealPumpEvent[];
  readonly detected: number;
  /** Detected events whose alert came during the pump, before the dump. */
  readonly early: number;
  readonly falseAlerts: number;
  readonly symbolDays: number;
  readonly falseAlertsPerSymbolDay: number;
  /** Alerts of the other detectors run alongside, by type (when asked for). */
  readonly otherAlerts: Readonly<Record<string, number>>;
  readonly beforeMs: number;
  readonly afterMs: number;
}

export interface RealPumpsOptions {
  readonly config?: Config;
  /** Detectors to run; pump_and_dump is always included. */
  readonly detectors?: readonly DetectorFactory[];
  readonly beforeMs?: number;
  readonly afterMs?: number;
  /** Only these label rows (file base names), for quick runs. */
  readonly only?: readonly string[];
}

interface Label {
  readonly symbol: string;
  readonly pumpTimeMs: number;
  readonly file: string;
}

/** Reads labels.csv (`symbol,pair,pump_time_utc`) and finds each event's trades file. */
export function readPumpLabels(dir: string): Label[] {
  const text = readFileSync(join(dir, 'labels.csv'), 'utf8');
  const files = readdirSync(join(dir, 'trades'));
  const out: Label[] = [];
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  for (const [i, line] of lines.slice(1).entries()) {
    const [symbol, , time] = line.split(',');
    const pumpTimeMs = Date.parse(time ?? '');
    if (!symbol || !Number.isFinite(pumpTimeMs)) throw new UsageError(`${dir}/labels.csv:${i + 2}: cannot read '${line}'`);
    // File names carry the pump time as YYYY-MM-DD_HH.MM.
    const stamp = new Date(pumpTimeMs).toISOString().slice(0, 16).replace('T', '_').replace(':', '.');
    const file = files.find((f) => f.startsWith(`${symbol}_${stamp}`));
    if (!file) throw new UsageError(`${dir}/trades: no file for ${symbol} at ${stamp} (labels.csv:${i + 2})`);
    out.push({ symbol, pumpTimeMs, file });
  }
  return out;
}

const ignoreRejects: RejectSink = { reject: () => undefined };

/** Runs the detectors over every labelled file and scores pump_and_dump against the pump times. */
export async function evaluateRealPumps(dir: string, options: RealPumpsOptions = {}): Promise<RealPumpsReport> {
  const config = options.config ?? parseConfig({});
  const beforeMs = options.beforeMs ?? 5 * 60_000;
  const afterMs = options.afterMs ?? 30 * 60_000;
  const detectors = [pumpAndDump, ...(options.detectors ?? []).filter((d) => d.pattern !== 'pump_and_dump')];
  const events: RealPumpEvent[] = [];
  const otherAlerts: Record<string, number> = {};
  for (const label of readPumpLabels(dir)) {
    if (options.only && !options.only.includes(label.file)) continue;
    const firstSeen = new Map<string, number>();
    const latest = new Map<string, Alert>();
    const engine = new Engine(detectors, config, {
      write(alerts) {
        for (const a of alerts) {
          if (!firstSeen.has(a.alert_id)) firstSeen.set(a.alert_id, Date.parse(a.timestamp));
          latest.set(a.alert_id, a);
        }
      },
    });
    let trades = 0;
    for await (const batch of binanceTradesFormat.open({ path: join(dir, 'trades', label.file), rejects: ignoreRejects })) {
      trades += batch.events.length;
      await engine.process(batch.events);
    }
    await engine.end();
    const lo = label.pumpTimeMs - beforeMs;
    const hi = label.pumpTimeMs + afterMs;
    let match: Alert | undefined;
    let matchMs: number | null = null;
    let overlap = false;
    let falseAlerts = 0;
    for (const [id, a] of latest) {
      if (a.type !== 'pump_and_dump') {
        otherAlerts[a.type] = (otherAlerts[a.type] ?? 0) + 1;
        continue;
      }
      const first = firstSeen.get(id)!;
      if (Date.parse(a.window_start) <= hi && Date.parse(a.window_end) >= lo) overlap = true;
      if (first >= lo && first <= hi) {
        if (matchMs === null || first < matchMs) {
          match = a;
          matchMs = first;
        }
      } else falseAlerts++;
    }
    const confirmedAt = match?.evidence.details?.['confirmed_at'];
    const confirmedMs = typeof confirmedAt === 'string' ? Date.parse(confirmedAt) : null;
    const stats = engine.stats;
    const days = stats.firstTsMs !== null && stats.lastTsMs !== null ? (stats.lastTsMs - stats.firstTsMs) / 86_400_000 : 0;
    events.push({
      file: label.file,
      symbol: label.symbol,
      pumpTimeMs: label.pumpTimeMs,
      firstDetectionMs: matchMs,
      delaySec: matchMs === null ? null : Math.round((matchMs - label.pumpTimeMs) / 100) / 10,
      overlapDetected: overlap,
      dumpConfirmed: confirmedMs !== null,
      early: matchMs !== null && (confirmedMs === null || matchMs < confirmedMs),
      confidence: match?.confidence ?? null,
      level: match?.level ?? null,
      falseAlerts,
      trades,
      days,
    });
  }
  const detected = events.filter((e) => e.firstDetectionMs !== null).length;
  const falseAlerts = events.reduce((s, e) => s + e.falseAlerts, 0);
  const symbolDays = events.reduce((s, e) => s + e.days, 0);
  return {
    events,
    detected,
    early: events.filter((e) => e.early).length,
    falseAlerts,
    symbolDays,
    falseAlertsPerSymbolDay: symbolDays > 0 ? falseAlerts / symbolDays : 0,
    otherAlerts,
    beforeMs,
    afterMs,
  };
}

/** The per-event table as Markdown (docs and the CLI print the same text). */
export function formatRealPumpsReport(r: RealPumpsReport): string {
  const rows = r.events.map((e) => {
    const when = e.firstDetectionMs === null ? '—' : new Date(e.firstDetectionMs).toISOString().slice(11, 19);
    const delay = e.delaySec === null ? '—' : `${e.delaySec > 0 ? '+' : ''}${e.delaySec}`;
    return `| ${e.file.replace(/\.csv\.gz$/, '')} | ${new Date(e.pumpTimeMs).toISOString().slice(0, 16).replace('T', ' ')} | ${e.firstDetectionMs === null ? 'no' : 'yes'} | ${when} | ${delay} | ${e.firstDetectionMs === null ? '—' : e.early ? 'pump' : 'dump'} | ${e.firstDetectionMs === null ? '—' : e.dumpConfirmed ? 'yes' : 'no'} | ${e.level ?? '—'} | ${e.falseAlerts} | ${e.overlapDetected ? 'yes' : 'no'} |`;
  });
  return [
    `| event | pump time (UTC) | detected | first detection (UTC) | delay (s) | raised in | dump confirmed | level | pump alerts elsewhere | window overlap |`,
    `|---|---|---|---|---|---|---|---|---|---|`,
    ...rows,
    '',
    `Detected (first detection within [pump − ${r.beforeMs / 60_000} min, pump + ${r.afterMs / 60_000} min]): ${r.detected} of ${r.events.length}.`,
    `Raised early (during the pump, before the dump confirmed): ${r.early} of ${r.detected}.`,
    `Pump alerts elsewhere: ${r.falseAlerts} over ${r.symbolDays.toFixed(1)} symbol-days = ${r.falseAlertsPerSymbolDay.toFixed(3)} per symbol-day.`,
    ...(Object.keys(r.otherAlerts).length > 0
      ? [
          `Other detectors' alerts: ${Object.entries(r.otherAlerts)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}.`,
        ]
      : []),
  ].join('\n');
}
