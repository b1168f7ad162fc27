import { readFileSync } from 'node:fs';
import { parsePattern } from '../domain/alert.js';
import { InputError, UsageError } from '../domain/errors.js';
import type { ScenarioLabel } from '../ingest/simulator/contract.js';

/** The labels CSV columns, in order (`evaluate --labels FILE`). An optional `incidental` column may follow. */
export const LABEL_COLUMNS = ['scenario_id', 'type', 'symbol', 'accounts', 'start', 'end'] as const;

/** Splits one CSV line (RFC 4180 quoting, no embedded newlines). */
function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** Parses an ISO-8601 time (or epoch milliseconds) into epoch ms, NaN when invalid. */
function parseTime(s: string): number {
  if (/^\d{9,}$/.test(s)) return Number(s);
  // Require a date-time shape so Date.parse's lenient formats (e.g. "March 2") are rejected.
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(s)) return NaN;
  return Date.parse(s);
}

/** Parses labels CSV text; every problem is an InputError naming file, line and field. */
export function parseLabelsCsv(text: string, file = 'labels.csv'): ScenarioLabel[] {
  const lines = text.split(/\r?\n/);
  const header = splitCsv(lines[0] ?? '').map((h) => h.trim().toLowerCase());
  const index = new Map(header.map((h, i) => [h, i]));
  for (const col of LABEL_COLUMNS) {
    if (!index.has(col)) {
      throw new InputError(`${file}:1: the labels header lacks column '${col}' (expected ${LABEL_COLUMNS.join(',')})`, file, 1, col);
    }
  }
  const out: ScenarioLabel[] = [];
  for (let n = 1; n < lines.length; n++) {
    const raw = lines[n]!;
    if (raw.trim() === '') continue;
    const line = n + 1;
    const cells = splitCsv(raw);
    const get = (col: string): string => (cells[index.get(col) ?? -1] ?? '').trim();
    const fail = (field: string, why: string): never => {
      throw new InputError(`${file}:${line}: field '${field}': ${why}`, file, line, field);
    };
    const id = get('scenario_id');
    if (!id) fail('scenario_id', 'empty');
    const type = parsePattern(get('type'));
    if (!type)
      fail(
        'type',
        `'${get('type')}' is not a pattern (pump_and_dump, wash_trading, spoofing, layering, volume_spike, price_anomaly, concentrated_trading, unusual_timing)`,
      );
    const symbol = get('symbol').toUpperCase();
    if (!symbol) fail('symbol', 'empty');
    const accounts = get('accounts')
      .split(';')
      .map((a) => a.trim())
      .filter((a) => a !== '');
    const startMs = parseTime(get('start'));
    if (Number.isNaN(startMs)) fail('start', `'${get('start')}' is not an ISO-8601 time (e.g. 2026-03-02T14:30:00Z)`);
    const endMs = parseTime(get('end'));
    if (Number.isNaN(endMs)) fail('end', `'${get('end')}' is not an ISO-8601 time (e.g. 2026-03-02T14:35:00Z)`);
    if (endMs < startMs) fail('end', 'end is before start');
    const inc = index.has('incidental') ? get('incidental').toLowerCase() : '';
    if (inc !== '' && inc !== 'true' && inc !== 'false') fail('incidental', `'${inc}' is not true or false`);
    out.push({ scenario_id: id, type: type!, symbol, accounts, startMs, endMs, ...(inc === 'true' ? { incidental: true } : {}) });
  }
  return out;
}

/** Reads a labels CSV file (UsageError when unreadable, InputError when malformed). */
export function readLabelsCsv(path: string): ScenarioLabel[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read labels file ${path}: ${(err as Error).message}`, { cause: err });
  }
  return parseLabelsCsv(text, path);
}

function cell(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Writes labels as CSV (ISO times); adds the `incidental` column only when some label is incidental. */
export function formatLabelsCsv(labels: readonly ScenarioLabel[]): string {
  const withIncidental = labels.some((l) => l.incidental);
  const header = withIncidental ? [...LABEL_COLUMNS, 'incidental'] : [...LABEL_COLUMNS];
  const rows = labels.map((l) => {
    const r = [l.scenario_id, l.type, l.symbol, l.accounts.join(';'), new Date(l.startMs).toISOString(), new Date(l.endMs).toISOString()];
    if (withIncidental) r.push(l.incidental ? 'true' : 'false');
    return r.map(cell).join(',');
  });
  return [header.join(','), ...rows].join('\n') + '\n';
}
