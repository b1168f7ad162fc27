import type { Alert, Level } from '../domain/alert.js';

/** Colour only on a terminal and never with NO_COLOR (https://no-color.org) or when piped. */
export function useColor(stream: NodeJS.WriteStream = process.stdout): boolean {
  return !('NO_COLOR' in process.env) && stream.isTTY === true && process.env['TERM'] !== 'dumb';
}

const CODES = { red: 31, yellow: 33, blue: 34, green: 32, magenta: 35, gray: 90, bold: 1 } as const;
type Colour = keyof typeof CODES;

/** Wraps text in an ANSI colour when colour is on. */
export function paint(text: string, colour: Colour): string {
  return useColor() ? `\u001b[${CODES[colour]}m${text}\u001b[0m` : text;
}

const LEVEL_COLOUR: Record<Level, Colour> = { critical: 'magenta', high: 'red', medium: 'yellow', low: 'blue' };

/** The level in capitals, coloured by severity. */
export function levelText(level: Level): string {
  return paint(level.toUpperCase().padEnd(8), LEVEL_COLOUR[level]);
}

/** Prints a line to stdout. */
export function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** Prints a line to stderr. */
export function err(line = ''): void {
  process.stderr.write(`${line}\n`);
}

/** A plain text table: columns padded to their widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const strip = (s: string): string => s.replace(/\u001b\[[0-9;]*m/g, '');
  const widths = header.map((h, i) => Math.max(strip(h).length, ...rows.map((r) => strip(r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c + ' '.repeat(Math.max(0, widths[i]! - strip(c).length)))
      .join('  ')
      .trimEnd();
  return [line(header.map((h) => paint(h, 'bold'))), ...rows.map(line)].join('\n');
}

/** One alert as a compact line block (the `alerts` listing). */
export function alertBlock(a: Alert): string {
  const status = a.status === 'active' ? '' : paint(` [${a.status}]`, 'gray');
  return [
    `${levelText(a.level)} ${paint(a.alert_id, 'bold')}  ${a.type}${status}`,
    `  ${a.timestamp}  symbols: ${a.affected_symbols.join(',') || '-'}  accounts: ${a.affected_users.slice(0, 8).join(',') || '-'}${a.affected_users.length > 8 ? ` (+${a.affected_users.length - 8})` : ''}`,
    `  confidence ${a.confidence.toFixed(2)}  risk ${a.risk_score.toFixed(2)}  window ${a.window_start} → ${a.window_end}`,
    `  ${a.description}`,
  ].join('\n');
}

/** One alert in full, with its evidence (`alerts --id`). */
export function alertDetail(a: Alert): string {
  const lines = [alertBlock(a), '', paint('  Evidence — measured against thresholds:', 'bold')];
  for (const m of a.evidence.metrics) {
    const thr = m.threshold !== undefined ? `  (threshold ${m.op ?? '>='} ${m.threshold}${m.unit ? ` ${m.unit}` : ''})` : '';
    lines.push(`    ${m.name.padEnd(28)} ${String(m.value)}${m.unit && m.threshold === undefined ? ` ${m.unit}` : ''}${thr}`);
  }
  if (a.evidence.tradeIds.length > 0) {
    lines.push(
      `  Trades (${a.evidence.tradeIds.length}): ${a.evidence.tradeIds.slice(0, 20).join(', ')}${a.evidence.tradeIds.length > 20 ? ', …' : ''}`,
    );
  }
  if (a.evidence.orderIds.length > 0) {
    lines.push(
      `  Orders (${a.evidence.orderIds.length}): ${a.evidence.orderIds.slice(0, 20).join(', ')}${a.evidence.orderIds.length > 20 ? ', …' : ''}`,
    );
  }
  if (a.evidence.details && Object.keys(a.evidence.details).length > 0) {
    lines.push(`  Details: ${JSON.stringify(a.evidence.details)}`);
  }
  lines.push(`  Detector version: ${a.detector_version}`);
  if (a.status !== 'active') {
    lines.push(
      `  Resolution: ${a.resolution ?? a.status} by ${a.resolved_by ?? '?'} at ${a.resolved_at ?? '?'}${a.resolution_note ? ` — ${a.resolution_note}` : ''}`,
    );
  }
  return lines.join('\n');
}

/** Human-friendly number with thousands separators. */
export function num(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: 0 });
}
