import type { MarketEvent } from '../domain/events.js';

/** A rejected input record: where it was, which field, why, and the raw text (kept, never lost). */
export interface Rejection {
  readonly file: string;
  /** 1-based line (or record) number in the file. */
  readonly line: number;
  readonly field: string;
  readonly reason: string;
  readonly raw: string;
  /**
   * Set on a summary of records deliberately not mapped (depth updates, halts, heartbeats): how
   * many were skipped. Such summaries are reported and kept, but are not errors (no --strict stop).
   */
  readonly skipped?: number | undefined;
}

/** Where readers report what they could not accept. Implementations count and persist them. */
export interface RejectSink {
  reject(rejection: Rejection): void;
}

/**
 * A run of events read from one input, in input order. `lines[i]` is the 1-based line (or record)
 * number of `events[i]`, so later stages (reorder window, order lifecycle) can still name the line.
 */
export interface EventBatch {
  readonly file: string;
  readonly events: MarketEvent[];
  readonly lines: number[];
}

/** An input: an async iterable of event batches, in file order. */
export type EventSource = AsyncIterable<EventBatch>;

export interface OpenOptions {
  /** A file path, or '-' for stdin. */
  readonly path: string;
  readonly rejects: RejectSink;
  /** Canonical-column renames from `--map` (canonical name → the user's header name). */
  readonly columnMap?: Readonly<Record<string, string>>;
  /** Only keep events of these symbols (already upper-cased), when set. */
  readonly symbols?: ReadonlySet<string> | undefined;
  /** Follow a growing file (`start --source FILE`). */
  readonly follow?: boolean;
  readonly signal?: AbortSignal;
}

/** A first look at an input, for format auto-detection. */
export interface Sniff {
  readonly path: string;
  /** The file's base name. */
  readonly name: string;
  /** The first few lines of (decompressed) text; empty for binary formats. */
  readonly head: readonly string[];
  /** The first bytes, raw (zip/parquet magic numbers). */
  readonly magic: Buffer;
}

/** One input format: how to recognise it and how to read it. Registered in formats.ts. */
export interface InputFormat {
  /** The `--format` name, e.g. `canonical`, `binance-trades`, `lobster`. */
  readonly name: string;
  readonly description: string;
  /** True when this format is certain the input is its own (auto-detection). */
  detect(sniff: Sniff): boolean;
  open(options: OpenOptions): EventSource;
}
