import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { UsageError } from '../domain/errors.js';
import { binanceTradesFormat } from './binance-trades/binance-trades.js';
import { binanceWsFormat } from './binance-ws/binance-ws.js';
import { canonicalFormat } from './canonical/canonical.js';
import { databentoMboFormat } from './databento-mbo/databento-mbo.js';
import { fixFormat } from './fix/fix.js';
import { hyperliquidFormat } from './hyperliquid/hyperliquid.js';
import { leanQuotesFormat, leanTradesFormat } from './lean/lean.js';
import { lobsterFormat } from './lobster/lobster.js';
import { nepseFormat } from './nepse/nepse.js';
import { parquetFormat } from './parquet/parquet.js';
import type { InputFormat, Sniff } from './source.js';

/**
 * Every input format, in detection order: the most specific first, canonical last.
 * Add a format here and nowhere else.
 */
export const INPUT_FORMATS: readonly InputFormat[] = [
  binanceTradesFormat,
  binanceWsFormat,
  hyperliquidFormat,
  databentoMboFormat,
  lobsterFormat,
  leanTradesFormat,
  leanQuotesFormat,
  nepseFormat,
  fixFormat,
  parquetFormat,
  canonicalFormat,
];

/** Finds a format by its `--format` name. */
export function formatByName(name: string): InputFormat {
  const f = INPUT_FORMATS.find((x) => x.name === name);
  if (!f) throw new UsageError(`unknown --format '${name}' (known: ${INPUT_FORMATS.map((x) => x.name).join(', ')})`);
  return f;
}

/** Reads the first bytes and lines of a file for detection (gzip is looked through). */
export async function sniffFile(path: string): Promise<Sniff> {
  const fh = await open(path, 'r');
  let magic: Buffer;
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    magic = buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  let text = '';
  if (magic[0] === 0x1f && magic[1] === 0x8b) {
    try {
      text = gunzipSync(magic, { finishFlush: 2 /* Z_SYNC_FLUSH: a partial stream is fine */ }).toString('utf8');
    } catch {
      text = '';
    }
  } else if (!(magic[0] === 0x50 && magic[1] === 0x4b) && !magic.subarray(0, 4).equals(Buffer.from('PAR1'))) {
    text = magic.toString('utf8');
  }
  const head = text
    .split('\n')
    .slice(0, 20)
    .map((l) => l.replace(/\r$/, ''));
  return { path, name: basename(path), head, magic };
}

/** Picks the format of a file: the named one, or the first whose detector claims it. */
export async function resolveFormat(path: string, name?: string): Promise<InputFormat> {
  if (name) return formatByName(name);
  if (path === '-') return canonicalFormat;
  const sniff = await sniffFile(path);
  const found = INPUT_FORMATS.find((f) => f.detect(sniff));
  if (!found) {
    throw new UsageError(
      `${path}: cannot tell its format from its name and first lines; name it with --format (known: ${INPUT_FORMATS.map((x) => x.name).join(', ')})`,
    );
  }
  return found;
}
