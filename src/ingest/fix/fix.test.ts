import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixFormat, fixTime, parseFix } from './fix.js';
import { collect, MemoryRejects } from '../../testing/collect.js';
import { sniffFile } from '../formats.js';

function tmpFile(name: string, content: string): string {
  const p = join(mkdtempSync(join(tmpdir(), 'fix-')), name);
  writeFileSync(p, content);
  return p;
}

/** Builds a FIX message per the spec: BodyLength (9) over the body, CheckSum (10) over all bytes. */
function fix(version: string, body: Array<[string, string]>, delimiter = '\x01'): string {
  const bodyText = body.map(([t, v]) => `${t}=${v}\x01`).join('');
  const head = `8=${version}\x019=${bodyText.length}\x01`;
  let sum = 0;
  for (const ch of head + bodyText) sum += ch.charCodeAt(0);
  return `${head}${bodyText}10=${String(sum % 256).padStart(3, '0')}\x01`.replaceAll('\x01', delimiter);
}

const hdr = (type: string, seq: number): Array<[string, string]> => [
  ['35', type],
  ['49', 'CLIENT'],
  ['56', 'BROKER'],
  ['34', String(seq)],
  ['52', '20240102-14:30:00.000'],
];

test('FIX time and checksum', () => {
  assert.equal(fixTime('20240102-14:30:00.123'), Date.parse('2024-01-02T14:30:00.123Z'));
  assert.equal(fixTime('20240102-14:30:00'), Date.parse('2024-01-02T14:30:00Z'));
  assert.equal(fixTime('2024-01-02T14:30'), undefined);
  const m = fix('FIX.4.2', [...hdr('0', 1)]);
  assert.equal(parseFix(m.slice(0, -1), '\x01').get('35'), '0');
  assert.throws(() => parseFix(m.slice(0, -4).replace('10=', '10=999').slice(0, -1) + '9', '\x01'), /CheckSum/);
});

test('D/G/F/8 map to the order lifecycle under one order id (FIX 4.2, SOH)', async () => {
  const lines = [
    fix('FIX.4.2', [...hdr('A', 1), ['98', '0'], ['108', '30']]),
    fix('FIX.4.2', [
      ...hdr('D', 2),
      ['11', 'c1'],
      ['1', 'ACC7'],
      ['55', 'IBM'],
      ['54', '1'],
      ['38', '500'],
      ['40', '2'],
      ['44', '185.25'],
      ['60', '20240102-14:30:00.125'],
    ]),
    fix('FIX.4.2', [
      ...hdr('8', 3),
      ['37', 'o1'],
      ['11', 'c1'],
      ['17', 'e1'],
      ['150', '0'],
      ['39', '0'],
      ['55', 'IBM'],
      ['54', '1'],
      ['60', '20240102-14:30:00.126'],
    ]),
    fix('FIX.4.2', [
      ...hdr('8', 4),
      ['37', 'o1'],
      ['11', 'c1'],
      ['17', 'e2'],
      ['150', '1'],
      ['39', '1'],
      ['55', 'IBM'],
      ['54', '1'],
      ['31', '185.25'],
      ['32', '200'],
      ['60', '20240102-14:30:01.000'],
    ]),
    fix('FIX.4.2', [
      ...hdr('G', 5),
      ['11', 'c2'],
      ['41', 'c1'],
      ['1', 'ACC7'],
      ['55', 'IBM'],
      ['54', '1'],
      ['38', '600'],
      ['40', '2'],
      ['44', '185.20'],
      ['60', '20240102-14:30:02.000'],
    ]),
    fix('FIX.4.2', [
      ...hdr('F', 6),
      ['11', 'c3'],
      ['41', 'c2'],
      ['1', 'ACC7'],
      ['55', 'IBM'],
      ['54', '1'],
      ['38', '600'],
      ['60', '20240102-14:30:03.000'],
    ]),
    fix('FIX.4.2', [...hdr('D', 7), ['11', 'm1'], ['55', 'IBM'], ['54', '2'], ['38', '100'], ['40', '1'], ['60', '20240102-14:30:04.000']]),
    fix('FIX.4.2', [
      ...hdr('F', 8),
      ['11', 'c9'],
      ['41', 'nope'],
      ['55', 'IBM'],
      ['54', '1'],
      ['38', '1'],
      ['60', '20240102-14:30:05.000'],
    ]),
    'session closed by peer',
  ];
  const p = tmpFile('gateway.log', lines.map((l, i) => (i === 1 ? `20240102-14:30:00.125 IN: ${l}` : l)).join('\n'));
  assert.equal(fixFormat.detect(await sniffFile(p)), true);
  const rejects = new MemoryRejects();
  const events = await collect(fixFormat.open({ path: p, rejects }));
  assert.deepEqual(events[0], {
    type: 'order',
    tsMs: Date.parse('2024-01-02T14:30:00.125Z'),
    symbol: 'IBM',
    orderId: 'c1',
    account: 'ACC7',
    side: 'buy',
    action: 'new',
    price: 185.25,
    qty: 500,
  });
  assert.deepEqual(
    events.map((e) => (e.type === 'order' ? `${e.action}:${e.orderId}:${e.price}x${e.qty}` : '')),
    ['new:c1:185.25x500', 'fill:c1:185.25x200', 'modify:c1:185.2x600', 'cancel:c1:185.2x400'],
  );
  assert.deepEqual(
    rejects.items.map((r) => [r.line, r.field]),
    [
      [7, '44'],
      [8, '41'],
      [9, '8'],
      [1, '35'],
      [3, '35'],
    ],
  );
  assert.match(rejects.items[3]!.reason, /skipped 1 MsgType A \(Logon\)/);
});

test('FIX 4.4 with | delimiters: ExecType F is a fill; bad checksum rejected', async () => {
  const d = fix(
    'FIX.4.4',
    [
      ...hdr('D', 1),
      ['11', 'x1'],
      ['55', 'ESH4'],
      ['54', '2'],
      ['38', '3'],
      ['40', '2'],
      ['44', '4797.25'],
      ['60', '20231225-23:00:00.000'],
    ],
    '|',
  );
  const fill = fix(
    'FIX.4.4',
    [
      ...hdr('8', 2),
      ['37', 'o'],
      ['11', 'x1'],
      ['17', 'e'],
      ['150', 'F'],
      ['39', '2'],
      ['55', 'ESH4'],
      ['54', '2'],
      ['31', '4797.25'],
      ['32', '3'],
      ['60', '20231225-23:00:01.000'],
    ],
    '|',
  );
  const corrupt = fill.replace('32=3', '32=4');
  const p = tmpFile('fix44.log', [d, fill, corrupt].join('\n'));
  assert.equal(fixFormat.detect(await sniffFile(p)), true);
  const rejects = new MemoryRejects();
  const events = await collect(fixFormat.open({ path: p, rejects }));
  assert.deepEqual(
    events.map((e) => (e.type === 'order' ? `${e.action}:${e.side}:${e.qty}` : '')),
    ['new:sell:3', 'fill:sell:3'],
  );
  assert.deepEqual(
    rejects.items.map((r) => r.field),
    ['10'],
  );
});
