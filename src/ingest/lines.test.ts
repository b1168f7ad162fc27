import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLines, readTextChunks } from './lines.js';

function tmpFile(content: string | Buffer): string {
  const p = join(mkdtempSync(join(tmpdir(), 'lines-')), 'f.txt');
  writeFileSync(p, content);
  return p;
}

test('text chunks hold whole lines, number them like readLines, and decode UTF-8 across reads', async () => {
  // Well over one 1 MiB read, with a multi-byte character on every line (some straddle a read).
  const lines = Array.from({ length: 60_000 }, (_, i) => `${i},Zürich€,${'x'.repeat(i % 17)}`);
  const p = tmpFile(`${lines.join('\r\n')}`); // CRLF, no final newline
  const got: string[] = [];
  let expectLine = 1;
  let chunks = 0;
  for await (const c of readTextChunks(p)) {
    chunks++;
    assert.equal(c.firstLine, expectLine);
    const parts = c.text.split('\n');
    if (parts[parts.length - 1] === '') parts.pop();
    for (const part of parts) got.push(part.replace(/\r$/, ''));
    expectLine += parts.length;
  }
  assert.ok(chunks > 1, 'the file should span several reads');
  assert.deepEqual(got, lines);
  const viaLines: string[] = [];
  for await (const c of readLines(p)) viaLines.push(...c.lines);
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
