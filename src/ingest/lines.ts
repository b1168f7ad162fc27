import { createReadStream, watch, type FSWatcher } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** A run of consecutive lines; `firstLine` is the 1-based line number of `lines[0]`. */
export interface LineChunk {
  readonly lines: string[];
  readonly firstLine: number;
}

export interface ReadLinesOptions {
  /** Keep reading as the file grows (like `tail -f`) until `signal` aborts. Plain files only. */
  readonly follow?: boolean;
  readonly signal?: AbortSignal;
  /** Poll interval when following, in milliseconds. */
  readonly pollMs?: number;
}

const GZIP_MAGIC = [0x1f, 0x8b];

/** True when the file starts with the gzip magic bytes (the name is not trusted). */
export async function isGzipFile(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === GZIP_MAGIC[0] && buf[1] === GZIP_MAGIC[1];
  } finally {
    await fh.close();
  }
}

/** Whether an input delivers events as they happen (stdin, or a file followed as it grows) rather than a whole history. */
export function isLiveInput(path: string, follow: boolean | undefined): boolean {
  return path === '-' || follow === true;
}

/** Opens a file (gzip detected by content) or stdin ('-') as a byte stream. */
export async function openByteStream(path: string): Promise<Readable> {
  if (path === '-') return process.stdin;
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  if (await isGzipFile(path)) return raw.pipe(createGunzip({ chunkSize: 1 << 20 }));
  return raw;
}

/**
 * Streams the lines of a file or stdin in chunks, in constant memory. Handles `\r\n`, gzip and a
 * last line without newline. With `follow`, waits for more data at end of file until aborted.
 */
export async function* readLines(path: string, options: ReadLinesOptions = {}): AsyncGenerator<LineChunk> {
  if (options.follow && path !== '-') {
    yield* followLines(path, options);
    return;
  }
  let lineNo = 1;
  for await (const chunk of readTextChunks(path, options.signal ? { signal: options.signal } : {})) {
    const lines = chunk.text.split('\n');
    if (chunk.text.endsWith('\n')) lines.pop(); // the chunk's last line is complete: no empty tail
    stripCr(lines);
    yield { lines, firstLine: lineNo };
    lineNo += lines.length;
  }
}

/**
 * Whole lines of text, not yet split: `text` holds complete lines (each ending in `\n`, except a
 * last line at end of input), the chunks in input order, so line numbers follow from counting lines
 * from 1 across chunks. Hot readers walk it in place instead of allocating a string per line.
 */
export interface TextChunk {
  readonly text: string;
  /** The UTF-8 bytes `text` was decoded from (valid until the next chunk is asked for). */
  readonly bytes: Uint8Array;
}

/**
 * Most bytes decoded into one chunk of text (cut at a line end; a longer line is one chunk). V8
 * puts strings over 128 KiB in the large-object space, which counts towards the old generation:
 * 1 MiB chunks of text made full collections far more often than the young ones that free smaller
 * strings.
 */
const TEXT_CHUNK_BYTES = 1 << 16;
const NEWLINE = 10;

/**
 * Streams a file or stdin as chunks of complete lines (`\r\n` is left for the reader to strip),
 * in constant memory. Bytes are cut at line ends before decoding: a newline byte is never part of
 * a multi-byte UTF-8 character, so each piece decodes alone exactly as the whole stream would, and
 * no text is concatenated but a line that spans two reads. No follow mode: use readLines for that.
 */
export async function* readTextChunks(path: string, options: { readonly signal?: AbortSignal } = {}): AsyncGenerator<TextChunk> {
  const stream = await openByteStream(path);
  /** The start of a line not yet ended, copied out of its read. */
  let carry: Buffer | undefined;
  // Stopping a monitor must not wait for the next chunk of a quiet stdin: end the stream on abort.
  const onAbort = (): void => {
    stream.destroy();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const buf of stream as AsyncIterable<Buffer>) {
      if (options.signal?.aborted) break;
      const last = buf.lastIndexOf(NEWLINE);
      if (last < 0) {
        carry = carry ? Buffer.concat([carry, buf]) : Buffer.from(buf);
        continue;
      }
      let start = 0;
      if (carry) {
        start = buf.indexOf(NEWLINE) + 1;
        const bytes = Buffer.concat([carry, buf.subarray(0, start)]);
        yield { text: bytes.toString('utf8'), bytes };
        carry = undefined;
      }
      while (start <= last) {
        let end = last + 1;
        if (end - start > TEXT_CHUNK_BYTES) {
          end = buf.lastIndexOf(NEWLINE, start + TEXT_CHUNK_BYTES - 1) + 1;
          if (end <= start) end = buf.indexOf(NEWLINE, start) + 1;
        }
        yield { text: buf.toString('utf8', start, end), bytes: buf.subarray(start, end) };
        start = end;
      }
      if (start < buf.length) carry = Buffer.from(buf.subarray(start));
    }
  } catch (err) {
    if (!options.signal?.aborted) throw err;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    if (path !== '-') stream.destroy();
  }
  if (carry) yield { text: carry.toString('utf8'), bytes: carry };
}

function stripCr(lines: string[]): void {
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.length > 0 && l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
  }
}

/**
 * Wakes a follower waiting at end of file when the file changes. A change that comes while the
 * follower is reading is remembered, so the next wait returns at once instead of missing it.
 */
class ChangeSignal {
  private pending = false;
  private wake: (() => void) | undefined;

  notify(): void {
    if (this.wake) this.wake();
    else this.pending = true;
  }

  /** Resolves true on a change or after `ms`, false once `signal` aborts. */
  wait(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
    if (signal?.aborted) return Promise.resolve(false);
    if (this.pending) {
      this.pending = false;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const done = (changed: boolean): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.wake = undefined;
        resolve(changed);
      };
      const onAbort = (): void => done(false);
      const timer = setTimeout(() => done(true), ms);
      this.wake = () => done(true);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

async function* followLines(path: string, options: ReadLinesOptions): AsyncGenerator<LineChunk> {
  const pollMs = options.pollMs ?? 100;
  const fh = await open(path, 'r');
  // Appended lines wake the reader at once (inotify and the like), not at the next poll; the poll
  // stays for file systems that deliver no change events (network mounts) and for truncation.
  const changed = new ChangeSignal();
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(path, { persistent: false }, () => changed.notify());
    watcher.on('error', () => watcher?.close());
  } catch {
    // No change events here: polling alone.
  }
  let pos = 0;
  let carry = '';
  let lineNo = 1;
  const buf = Buffer.alloc(1 << 20);
  const decoder = new StringDecoder('utf8');
  try {
    while (!options.signal?.aborted) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) {
        // A truncated file (log rotation) starts over from the beginning.
        const size = (await stat(path)).size;
        if (size < pos) {
          pos = 0;
          carry = '';
          decoder.end();
        }
        if (!(await changed.wait(pollMs, options.signal))) break; // aborted
        continue;
      }
      pos += bytesRead;
      const text = carry + decoder.write(buf.subarray(0, bytesRead));
      const lines = text.split('\n');
      carry = lines.pop() ?? '';
      if (lines.length === 0) continue;
      stripCr(lines);
      yield { lines, firstLine: lineNo };
      lineNo += lines.length;
    }
  } finally {
    watcher?.close();
    await fh.close();
  }
}

/** Splits one CSV line, honouring double quotes ("a,b" and "" escapes). Fast path without quotes. */
export function splitCsvLine(line: string, delimiter = ','): string[] {
  if (line.indexOf('"') < 0) return line.split(delimiter);
  const out: string[] = [];
  let field = '';
  let inQuotes = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (inQuotes) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else field += c;
    } else if (c === '"') inQuotes = true;
    else if (c === delimiter) {
      out.push(field);
      field = '';
    } else field += c;
  }
  out.push(field);
  return out;
}
