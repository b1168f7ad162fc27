import { configSchema, parseConfig } from './config.js';
import { thresholdsSchema } from './thresholds.js';

/** Markdown reference of every configuration key, generated from the schema (docs/CONFIG.md). */
export function configDocs(): string {
  const defaults = parseConfig({});
  const lines = [
    '# Configuration',
    '',
    'Generated from the schema in `src/config/` by `surveillance config --docs` (a test keeps this file in step).',
    '',
    'The configuration is one JSON file: `--config FILE`, else `$SURVEILLANCE_CONFIG`, else',
    '`./surveillance.config.json` when present. Unknown keys are rejected, naming the key. Flags override',
    'the file: `--set key=value` for any threshold. `surveillance status` and `surveillance config` show',
    'what is in force.',
    '',
    'Example:',
    '',
    '```json',
    JSON.stringify(
      {
        thresholds: { volume_spike_multiplier: 4, price_change_threshold: 0.1 },
        reorder_window_ms: 5000,
        sessions: { '*': { open: '09:30', close: '16:00', timezone: 'America/New_York' } },
      },
      null,
      2,
    ),
    '```',
    '',
    '## Top-level keys',
    '',
    '| key | default | meaning |',
    '|---|---|---|',
  ];
  for (const [key, field] of Object.entries(configSchema.shape)) {
    if (key === 'thresholds') continue;
    const def = (defaults as Record<string, unknown>)[key];
    lines.push(`| \`${key}\` | \`${JSON.stringify(def)}\` | ${field.description ?? ''} |`);
  }
  lines.push(
    '| `thresholds` | see below | detection parameters |',
    '',
    '## thresholds',
    '',
    '| key | default | meaning |',
    '|---|---|---|',
  );
  for (const [key, field] of Object.entries(thresholdsSchema.shape)) {
    const def = (defaults.thresholds as Record<string, unknown>)[key];
    lines.push(`| \`${key}\` | \`${JSON.stringify(def)}\` | ${(field as { description?: string }).description ?? ''} |`);
  }
  lines.push(
    '',
    '## sessions',
    '',
    'Per symbol (or `"*"` for every symbol): `{ "open": "HH:MM", "close": "HH:MM", "timezone": "IANA name" }`.',
    'unusual_timing uses them for marking the close/open and for trading outside the session. The',
    'simulator (`start --source sim`, `test`) adds its own 09:30–16:00 America/New_York session for the',
    'symbols it simulates unless the file names them.',
    '',
  );
  return lines.join('\n');
}
