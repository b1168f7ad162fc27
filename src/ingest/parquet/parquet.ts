import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import type { MarketEvent } from '../../domain/events.js';
import { InputError } from '../../domain/errors.js';
import { eventFromRow, layoutFromHeader } from '../canonical/canonical.js';
import type { EventSource, InputFormat, OpenOptions, Sniff } from '../source.js';

/**
 * Parquet files with the canonical columns (trades, orders, or both with `type`), as historical
 * trade stores keep them. Read one row group at a time with hyparquet, so memory is bounded by the
 * largest row group, and mapped by the canonical reader's own row logic (same columns, same
 * `--map`, same reject reasons). Record numbers are 1-based row numbers.
 */

/** A Parquet cell as the text the canonical row mapper expects. */
function cellText(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

async function* readParquet(options: OpenOptions): EventSource {
  const { path, rejects, columnMap = {}, symbols } = options;
  if (path === '-') throw new InputError('parquet needs a file path (its footer is read first), not stdin', 'stdin', 0, 'path');
  const file = await asyncBufferFromFile(path);
  const metadata = await parquetMetadataAsync(file);
  const names = parquetSchema(metadata).children.map((c) => c.element.name);
  const layout = layoutFromHeader(names, columnMap);
  if (typeof layout === 'string') {
    rejects.reject({ file: path, line: 0, field: 'header', reason: layout, raw: names.join(',') });
    throw new InputError(`${path}: field header: ${layout}`, path, 0, 'header');
  }
  const base = path.slice(path.lastIndexOf('/') + 1);
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    if (options.signal?.aborted) return;
    const rowEnd = rowStart + Number(group.num_rows);
    const rows = (await parquetReadObjects({ file, metadata, rowStart, rowEnd })) as Array<Record<string, unknown>>;
    const events: MarketEvent[] = [];
    const lines: number[] = [];
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const recordNo = rowStart + i + 1;
      try {
        const event = eventFromRow(
          (c) => {
            const at = layout.index[c];
            return at === undefined ? undefined : cellText(row[names[at]!]);
          },
          layout.kind,
          `${base}:${recordNo}`,
        );
        if (symbols && !symbols.has(event.symbol)) continue;
        events.push(event);
        lines.push(recordNo);
      } catch (err) {
        // The canonical mapper throws its own RowError (with `field`); anything else is a bug.
        const field = (err as { field?: unknown }).field;
        if (!(err instanceof Error) || typeof field !== 'string') throw err;
        rejects.reject({
          file: path,
          line: recordNo,
          field,
          reason: err.message,
          raw: JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)),
        });
      }
    }
    rowStart = rowEnd;
    if (events.length > 0) yield { file: path, events, lines };
  }
}

/** Parquet with the canonical columns. */
export const parquetFormat: InputFormat = {
  name: 'parquet',
  description: 'Parquet files with the canonical trade/order columns (--map renames), read one row group at a time',
  detect(sniff: Sniff): boolean {
    return sniff.magic.subarray(0, 4).equals(Buffer.from('PAR1'));
  },
  open: readParquet,
};
