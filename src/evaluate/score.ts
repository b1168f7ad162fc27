import { PATTERN_TYPES, type Alert, type PatternType } from '../domain/alert.js';
import type { ScenarioLabel } from '../ingest/simulator/contract.js';

/** Patterns judged per account: a match also needs an affected user among the label's accounts. */
export const ACCOUNT_LEVEL: ReadonlySet<PatternType> = new Set([
  'wash_trading',
  'spoofing',
  'layering',
  'concentrated_trading',
  'unusual_timing',
]);

export interface ScoreOptions {
  /** Slack (ms) allowed between the alert and label windows; one number or per type. Default 60 s. */
  readonly slackMs?: number | Partial<Record<PatternType, number>>;
  /** When each alert was first raised (alert id → epoch ms); otherwise the alert's `timestamp`. */
  readonly firstSeenMs?: ReadonlyMap<string, number>;
}

export interface TypeScore {
  readonly type: PatternType;
  /** Required labels of this type, and how many some alert matched. */
  readonly labels: number;
  readonly detected: number;
  /** Alerts of this type: matching a required label, matching only incidental ones, matching none. */
  readonly alerts: number;
  readonly truePositives: number;
  readonly incidental: number;
  readonly falsePositives: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Detection delay of detected labels: first matching alert time − label start (ms). */
  readonly delayMeanMs: number | null;
  readonly delayMedianMs: number | null;
  readonly delayMaxMs: number | null;
}

export interface Score {
  readonly byType: readonly TypeScore[];
  /** Mean F1 over the types that have required labels or false positives. */
  readonly macroF1: number;
  /** Required labels no alert matched. */
  readonly missed: readonly ScenarioLabel[];
  /** Alerts that matched no label. */
  readonly falsePositives: readonly Alert[];
}

/** True when an alert of type `a` may stand for a label of type `l` (spoofing and layering may stand for each other). */
export function typesAgree(a: PatternType, l: PatternType): boolean {
  if (a === l) return true;
  const sl = (t: PatternType): boolean => t === 'spoofing' || t === 'layering';
  return sl(a) && sl(l);
}

function slackFor(options: ScoreOptions, type: PatternType): number {
  const s = options.slackMs;
  if (s === undefined) return 60_000;
  if (typeof s === 'number') return s;
  return s[type] ?? 60_000;
}

/**
 * The matching rule: types agree, the symbol agrees, the windows overlap (within the slack) and,
 * for account-level patterns whose label names accounts, an affected user is one of them.
 */
export function matches(alert: Alert, label: ScenarioLabel, slackMs = 60_000): boolean {
  if (!typesAgree(alert.type, label.type)) return false;
  if (!alert.affected_symbols.includes(label.symbol)) return false;
  const ws = Date.parse(alert.window_start);
  const we = Date.parse(alert.window_end);
  if (!(ws <= label.endMs + slackMs && we >= label.startMs - slackMs)) return false;
  if (ACCOUNT_LEVEL.has(label.type) && label.accounts.length > 0) {
    if (!alert.affected_users.some((u) => label.accounts.includes(u))) return false;
  }
  return true;
}

function ratio(n: number, d: number): number {
  return d === 0 ? 0 : n / d;
}

/**
 * Scores alerts against labels: per-type precision, recall, F1 and detection delay, and macro-F1.
 * An alert matching a required label is a true positive; one matching only incidental labels
 * (side effects such as the volume of a pump, or benign news) counts neither way; one matching no
 * label is a false positive. A required label matched by no alert is a miss.
 */
export function score(alerts: readonly Alert[], labels: readonly ScenarioLabel[], options: ScoreOptions = {}): Score {
  const required = labels.filter((l) => !l.incidental);
  const incidental = labels.filter((l) => l.incidental);
  const firstMatch = new Map<ScenarioLabel, number>();
  const tp = new Map<PatternType, number>();
  const inc = new Map<PatternType, number>();
  const fp = new Map<PatternType, number>();
  const total = new Map<PatternType, number>();
  const falsePositives: Alert[] = [];
  const bump = (m: Map<PatternType, number>, t: PatternType): void => {
    m.set(t, (m.get(t) ?? 0) + 1);
  };

  for (const a of alerts) {
    bump(total, a.type);
    const slack = slackFor(options, a.type);
    const seenMs = options.firstSeenMs?.get(a.alert_id) ?? Date.parse(a.timestamp);
    let hit = false;
    for (const l of required) {
      if (!matches(a, l, slack)) continue;
      hit = true;
      const prev = firstMatch.get(l);
      if (prev === undefined || seenMs < prev) firstMatch.set(l, seenMs);
    }
    if (hit) bump(tp, a.type);
    else if (incidental.some((l) => matches(a, l, slack))) bump(inc, a.type);
    else {
      bump(fp, a.type);
      falsePositives.push(a);
    }
  }

  const byType: TypeScore[] = [];
  for (const type of PATTERN_TYPES) {
    const ls = required.filter((l) => l.type === type);
    const detected = ls.filter((l) => firstMatch.has(l));
    const delays = detected.map((l) => firstMatch.get(l)! - l.startMs).sort((x, y) => x - y);
    const t = tp.get(type) ?? 0;
    const f = fp.get(type) ?? 0;
    const precision = ratio(t, t + f);
    const recall = ratio(detected.length, ls.length);
    byType.push({
      type,
      labels: ls.length,
      detected: detected.length,
      alerts: total.get(type) ?? 0,
      truePositives: t,
      incidental: inc.get(type) ?? 0,
      falsePositives: f,
      precision,
      recall,
      f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
      delayMeanMs: delays.length ? delays.reduce((x, y) => x + y, 0) / delays.length : null,
      delayMedianMs: delays.length ? delays[Math.floor((delays.length - 1) / 2)]! : null,
      delayMaxMs: delays.length ? delays[delays.length - 1]! : null,
    });
  }
  // A type without labels is judged only when it raised false positives: one whose alerts all
  // stood in for a sibling's labels (layering for spoofing) has nothing to be scored against.
  const judged = byType.filter((s) => s.labels > 0 || s.falsePositives > 0);
  const macroF1 = judged.length ? judged.reduce((x, s) => x + s.f1, 0) / judged.length : 0;
  return { byType, macroF1, missed: required.filter((l) => !firstMatch.has(l)), falsePositives };
}

/** A fixed-width table of a score, for the CLI (`test`, `evaluate`). */
export function formatScore(s: Score): string {
  const pct = (x: number): string => (x * 100).toFixed(1).padStart(6);
  const sec = (x: number | null): string => (x === null ? '     -' : (x / 1000).toFixed(0).padStart(6));
  const rows = [
    'type                   labels found alerts   fp  precision recall     f1  delay_s(median) max_s',
    ...s.byType
      .filter((t) => t.labels > 0 || t.alerts > 0)
      .map(
        (t) =>
          `${t.type.padEnd(22)} ${String(t.labels).padStart(6)} ${String(t.detected).padStart(5)} ${String(t.alerts).padStart(6)} ${String(t.falsePositives).padStart(4)} ` +
          `${pct(t.precision)}%   ${pct(t.recall)}% ${pct(t.f1)}%        ${sec(t.delayMedianMs)} ${sec(t.delayMaxMs)}`,
      ),
    `macro-F1 ${(s.macroF1 * 100).toFixed(1)}%`,
  ];
  return rows.join('\n');
}
