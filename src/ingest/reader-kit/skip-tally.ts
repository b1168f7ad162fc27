import type { RejectSink } from '../source.js';

interface Entry {
  count: number;
  readonly firstLine: number;
  readonly raw: string;
  readonly why: string;
}

/**
 * Counts records a reader deliberately does not map (depth updates, halts, heartbeats), so none is
 * dropped silently. `flush` reports one summary per kind through the reject sink at end of file
 * with `skipped` set, so the sink keeps them apart from errors.
 */
export class SkipTally {
  private readonly kinds = new Map<string, Entry>();

  constructor(
    private readonly file: string,
    private readonly field: string,
  ) {}

  /** Counts one skipped record of a kind; `why` explains the kind (kept from its first record). */
  skip(kind: string, line: number, raw: string, why: string): void {
    const e = this.kinds.get(kind);
    if (e) e.count++;
    else this.kinds.set(kind, { count: 1, firstLine: line, raw: raw.length > 300 ? `${raw.slice(0, 300)}…` : raw, why });
  }

  /** How many records of a kind were skipped so far. */
  count(kind: string): number {
    return this.kinds.get(kind)?.count ?? 0;
  }

  /** Reports one summary rejection per skipped kind (at the line of its first record). */
  flush(rejects: RejectSink): void {
    for (const [kind, e] of this.kinds) {
      rejects.reject({
        file: this.file,
        line: e.firstLine,
        field: this.field,
        reason: `skipped ${e.count} ${kind} record(s), not mapped: ${e.why}`,
        raw: e.raw,
        skipped: e.count,
      });
    }
    this.kinds.clear();
  }
}
