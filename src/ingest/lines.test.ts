import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { readLines, readTextChunks } from './lines.js';

function tmpFile(content: string | Buffer): string {
  const p = join(mkdtempSync(join(tmpdir(), 'lines-')), 'f.txt');
  writeFileSync(p, content);
  return p;
}

test('text chunks hold whole lines, readLines numbers them, and both decode UTF-8 across reads', async () => {
  // Well over one 1 MiB read, with a multi-byte character on every line (some straddle a read).
  const lines = Array.from({ length: 60_000 }, (_, i) => `${i},Zürich€,${'x'.repeat(i % 17)}`);
  const p = tmpFile(`${lines.join('\r\n')}`); // CRLF, no final newline
  const got: string[] = [];
  let expectLine = 1;
  let chunks = 0;
  for await (const c of readTextChunks(p)) {
    chunks++;
    assert.ok(c.text.endsWith('\n') || got.length + c.text.split('\n').length === lines.length, 'whole lines only');
    const parts = c.text.split('\n');
    if (parts[parts.length - 1] === '') parts.pop();
    for (const part of parts) got.push(part.replace(/\r$/, ''));
  }
  assert.ok(chunks > 1, 'the file should span several reads');
  assert.deepEqual(got, lines);
  const viaLines: string[] = [];
  for await (const c of readLines(p)) {
    assert.equal(c.firstLine, expectLine);
    viaLines.push(...c.lines);
    expectLine += c.lines.length;
  }
  assert.deepEqual(viaLines, lines);
});

test('an empty file gives no chunk', async () => {
  const chunks = [];
  for await (const c of readTextChunks(tmpFile(''))) chunks.push(c);
  assert.equal(chunks.length, 0);
});

test('a character split between two reads is decoded whole by both readers', async () => {
  // 31-byte lines: the first 1 MiB read ends one byte into a three-byte '€'.
  const lines = Array.from({ length: 50_000 }, () => '€'.repeat(10));
  const p = tmpFile(`${lines.join('\n')}\n`);
  let text = '';
  for await (const c of readTextChunks(p)) text += c.text;
  assert.equal(text, `${lines.join('\n')}\n`);
  const viaLines: string[] = [];
  for await (const c of readLines(p)) viaLines.push(...c.lines);
  assert.deepEqual(viaLines, lines);
});

test('following a file, an appended line is read when it is written, not at the next poll', async () => {
  const p = tmpFile('a\n');
  const controller = new AbortController();
  // A poll far longer than the test may take: only the file's change event can deliver line 2 in time.
  const timeout = setTimeout(() => controller.abort(), 10_000);
  const got: string[] = [];
  try {
    for await (const c of readLines(p, { follow: true, pollMs: 60_000, signal: controller.signal })) {
      got.push(...c.lines);
      if (got.length === 1) setTimeout(() => appendFileSync(p, 'b\n'), 50);
      if (got.length === 2) break;
    }
  } finally {
    clearTimeout(timeout);
  }
  assert.deepEqual(got, ['a', 'b']);
});

test('bytes cut at line ends decode as the whole stream does, invalid UTF-8 and long lines included', async () => {
  // Random lines of ASCII, multi-byte characters, stray continuation bytes and cut sequences; some
  // far longer than a chunk of text, so lines straddle reads and chunk cuts everywhere.
  let seed = 7;
  const rnd = (n: number): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n;
  const pieces = [Buffer.from('a,1,'), Buffer.from('Zürich€'), Buffer.from([0x80]), Buffer.from([0xe2, 0x82]), Buffer.from('\r')];
  const parts: Buffer[] = [];
  for (let i = 0; i < 40_000; i++) {
    const len = rnd(50) === 0 ? 20_000 : rnd(40);
    for (let k = 0; k < len; k++) parts.push(pieces[rnd(pieces.length)]!);
    parts.push(Buffer.from('\n'));
  }
  parts.push(Buffer.from([0xf0, 0x9f])); // a last line without newline, cut inside a character
  const bytes = Buffer.concat(parts);
  const p = tmpFile(bytes);
  let text = '';
  for await (const c of readTextChunks(p)) text += c.text;
  const decoder = new StringDecoder('utf8');
  assert.equal(text, decoder.write(bytes) + decoder.end());
});
