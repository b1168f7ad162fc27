import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createInflateRaw } from 'node:zlib';
import { InputError } from '../../domain/errors.js';

/**
 * Reads the entries of a zip file with Node's own zlib (native inflate): the central directory at
 * the end of the file gives each entry's name, method and byte range, and each entry is streamed
 * through `createInflateRaw` in file order. (fflate's JavaScript inflate was a quarter of the LEAN
 * reader's time.) Stored and deflated entries are read; zip64, encrypted entries and other methods
 * are refused with an error naming the file and entry.
 */

export interface ZipEntry {
  readonly name: string;
  /** 0 stored, 8 deflated. */
  readonly method: number;
  readonly flags: number;
  readonly compressedSize: number;
  readonly localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;

/** The entries of a zip, in the order their data lies in the file. */
export async function zipEntries(path: string): Promise<ZipEntry[]> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const tail = Math.min(size, EOCD_SIZE + MAX_COMMENT);
    const buf = await readAt(fh, size - tail, tail);
    let at = -1;
    for (let i = tail - EOCD_SIZE; i >= 0; i--) {
      if (buf.readUInt32LE(i) === EOCD) {
        at = i;
        break;
      }
    }
    if (at < 0) throw new InputError(`${path}: field zip: not a zip file (no end of central directory record)`, path, 0, 'zip');
    const count = buf.readUInt16LE(at + 10);
    const cdSize = buf.readUInt32LE(at + 12);
    const cdOffset = buf.readUInt32LE(at + 16);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      throw new InputError(`${path}: field zip: zip64 archives are not supported; re-pack the file as a plain zip`, path, 0, 'zip');
    }
    const cd = await readAt(fh, cdOffset, cdSize);
    const entries: ZipEntry[] = [];
    for (let p = 0, i = 0; i < count; i++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL)
        throw new InputError(`${path}: field zip: corrupt central directory at entry ${i + 1}`, path, 0, 'zip');
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      entries.push({
        flags: cd.readUInt16LE(p + 8),
        method: cd.readUInt16LE(p + 10),
        compressedSize: cd.readUInt32LE(p + 20),
        localHeaderOffset: cd.readUInt32LE(p + 42),
        name: cd.toString('utf8', p + 46, p + 46 + nameLen),
      });
      p += 46 + nameLen + extraLen + commentLen;
    }
    return entries.sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  } finally {
    await fh.close();
  }
}

/** Number of entries in a zip (its central directory's). */
export async function zipEntryCount(path: string): Promise<number> {
  return (await zipEntries(path)).length;
}

/**
 * The uncompressed bytes of one entry, as a stream of chunks. `highWaterMark` bounds each chunk
 * read from the file and each inflated chunk.
 */
export async function entryChunks(path: string, entry: ZipEntry, highWaterMark = 256 * 1024): Promise<AsyncIterable<Buffer>> {
  if (entry.flags & 1)
    throw new InputError(
      `${path}#${entry.name}: field zip entry: encrypted zip entries are not supported`,
      `${path}#${entry.name}`,
      0,
      'zip entry',
    );
  if (entry.method !== 0 && entry.method !== 8) {
    throw new InputError(
      `${path}#${entry.name}: field zip entry: unsupported compression method ${entry.method} (only stored and deflate)`,
      `${path}#${entry.name}`,
      0,
      'zip entry',
    );
  }
  const fh = await open(path, 'r');
  let start: number;
  try {
    const local = await readAt(fh, entry.localHeaderOffset, 30);
    if (local.length < 30 || local.readUInt32LE(0) !== LOCAL)
      throw new InputError(`${path}#${entry.name}: field zip entry: corrupt local header`, `${path}#${entry.name}`, 0, 'zip entry');
    start = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  } finally {
    await fh.close();
  }
  if (entry.compressedSize === 0) return emptyChunks();
  const raw = createReadStream(path, { start, end: start + entry.compressedSize - 1, highWaterMark });
  if (entry.method === 0) return raw as AsyncIterable<Buffer>;
  const inflate = createInflateRaw({ chunkSize: highWaterMark });
  raw.on('error', (err) => inflate.destroy(err));
  return raw.pipe(inflate) as AsyncIterable<Buffer>;
}

async function* emptyChunks(): AsyncGenerator<Buffer> {}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  return bytesRead === length ? buf : buf.subarray(0, bytesRead);
}
