import { readFileSync, existsSync } from 'node:fs';
import { z } from 'zod';
import { UsageError } from '../domain/errors.js';
import { thresholdsSchema, type Thresholds } from './thresholds.js';

/** A trading session of a symbol, in its exchange's local time (unusual_timing). */
export const sessionSchema = z
  .object({
    open: z
      .string()
      .regex(/^\d{2}:\d{2}$/)
      .describe('session open, HH:MM local time'),
    close: z
      .string()
      .regex(/^\d{2}:\d{2}$/)
      .describe('session close, HH:MM local time'),
    timezone: z.string().default('UTC').describe('IANA time zone, e.g. America/New_York'),
  })
  .strict();
export type Session = z.infer<typeof sessionSchema>;

export const configSchema = z
  .object({
    thresholds: thresholdsSchema.default(thresholdsSchema.parse({})),
    reorder_window_ms: z
      .number()
      .int()
      .min(0)
      .default(2_000)
      .describe('how far (ms) an event may lag the latest event time and still be accepted'),
    check_order_lifecycle: z
      .boolean()
      .default(true)
      .describe('reject modify/cancel/fill of orders never seen (turn off for feeds joined mid-session)'),
    evidence_context_events: z
      .number()
      .int()
      .min(0)
      .default(256)
      .describe(
        'recent trades and order events kept per symbol (each) so alerts carry their evidence events and the market around them for the dashboard; memory grows with this × active symbols; 0 turns it off',
      ),
    evidence_context_max_events: z
      .number()
      .int()
      .min(0)
      .default(1_000_000)
      .describe(
        'most trades and order events kept for alert context across all symbols (≈ 32 bytes each); past it, the symbols quiet the longest lose theirs first; 0: no limit',
      ),
    sessions: z
      .record(z.string(), sessionSchema)
      .default({})
      .describe('trading sessions by symbol ("*" for all); outside them trading is unusual'),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;

/** Turns zod issues into one readable line per problem, naming the key path. */
function describeIssues(error: z.ZodError, file: string): string {
  return error.issues
    .map((i) => {
      const path = i.path.join('.') || '(top level)';
      if (i.code === 'unrecognized_keys') {
        return `${file}: unknown key(s) ${i.keys.map((k) => `'${[...i.path, k].join('.')}'`).join(', ')}`;
      }
      return `${file}: ${path}: ${i.message}`;
    })
    .join('\n');
}

/** Validates a config object; throws UsageError listing every problem. */
export function parseConfig(raw: unknown, file = 'config'): Config {
  const r = configSchema.safeParse(raw);
  if (!r.success) throw new UsageError(`invalid configuration:\n${describeIssues(r.error, file)}`);
  return r.data;
}

/** Loads the config file (JSON) if given or present as ./surveillance.config.json; defaults otherwise. */
export function loadConfig(path?: string): { config: Config; file: string | null } {
  const file =
    path ?? process.env['SURVEILLANCE_CONFIG'] ?? (existsSync('surveillance.config.json') ? 'surveillance.config.json' : undefined);
  if (!file) return { config: parseConfig({}), file: null };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read config file ${file}: ${(err as Error).message}`, { cause: err });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`config file ${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  return { config: parseConfig(raw, file), file };
}

/** Applies `--set key=value` / flag overrides to the thresholds, validated like the file. */
export function withThresholds(config: Config, overrides: Record<string, number>): Config {
  if (Object.keys(overrides).length === 0) return config;
  return parseConfig({ ...config, thresholds: { ...config.thresholds, ...overrides } }, 'command line');
}

export type { Thresholds };
