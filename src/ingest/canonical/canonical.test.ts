import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { canonicalFormat, LIVE_BATCH_EVENTS, REPLAY_BATCH_EVENTS } from './canonical.js';
import { collect, MemoryRejects } from '../../testing/collect.js';

function tmpFile(name: string, content: string | Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'canon-'));
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

test('reads trades CSV with ISO and epoch timestamps', async () => {
  const p = tmpFile(
    't.csv',
    'ts,symbol,price,qty,buyer,seller,trade_id,side\n' +
      '2026-03-02T14:30:00.123Z,aapl,170.5,100,A1,B2,t1,buy\n' +
      '1772461800200,AAPL,170.6,50,,,,\n',
  );
  const rejects = new MemoryRejects();
  const events = await collect(canonicalFormat.open({ path: p, rejects }));
  assert.equal(rejects.items.length, 0);
  assert.equal(events.length, 2);
  assert.deepEqual(events[0], {
    type: 'trade',
    tsMs: Date.parse('2026-03-02T14:30:00.123Z'),
    symbol: 'AAPL',
    price: 170.5,
    qty: 100,
    buyer: 'A1',
    seller: 'B2',
    tradeId: 't1',
    side: 'buy',
  });
  assert.equal(events[1]!.type, 'trade');
  assert.equal((events[1] as { tradeId: string }).tradeId, 't.csv:3');
});

test('every reject reason names line and field, good rows still pass', async () => {
  const p = tmpFile(
    'o.csv',
    'ts,symbol,order_id,account,side,action,price,qty\n' +
      '2026-03-02T14:30:00Z,X,1,acc,buy,new,10,5\n' + // ok
      '2026-03-02T14:30:01Z,X,2,acc,buy,new,,5\n' + // missing price
      '2026-03-02T14:30:01Z,X,3,acc,buy,new,abc,5\n' + // bad number
      '2026-03-02T14:30:01Z,X,4,acc,buy,new,-1,5\n' + // negative
      '2026-03-02T14:30:01Z,X,5,acc,buy,explode,10,5\n' + // unknown action
      'yesterday,X,6,acc,buy,new,10,5\n' + // bad timestamp
      '2026-03-02T14:30:01Z,X,7,acc,up,new,10,5\n' + // bad side
      '2026-03-02T14:30:02Z,X,1,acc,buy,cancel,10,5\n', // ok
  );
  const rejects = new MemoryRejects();
  const events = await collect(canonicalFormat.open({ path: p, rejects }));
  assert.equal(events.length, 2);
  assert.deepEqual(
    rejects.items.map((r) => [r.line, r.field]),
    [
      [3, 'price'],
      [4, 'price'],
      [5, 'price'],
      [6, 'action'],
      [7, 'ts'],
      [8, 'side'],
    ],
  );
  assert.match(rejects.items[2]!.reason, /positive/);
  assert.ok(rejects.items.every((r) => r.file === p && r.raw.length > 0));
});

test('NDJSON, gzip, --map and mixed files', async () => {
  const nd = tmpFile('e.ndjson.gz', gzipSync('{"ts":1000,"symbol":"x","price":1,"qty":2}\n{"ts":"bad","symbol":"x","price":1,"qty":2}\n'));
  const r1 = new MemoryRejects();
  assert.equal((await collect(canonicalFormat.open({ path: nd, rejects: r1 }))).length, 1);
  assert.equal(r1.items[0]!.field, 'ts');

  const mapped = tmpFile('m.csv', 'timestamp,sym,px,amount\n1000,X,5,7\n');
  const events = await collect(
    canonicalFormat.open({
      path: mapped,
      rejects: new MemoryRejects(),
      columnMap: { ts: 'timestamp', symbol: 'sym', price: 'px', qty: 'amount' },
    }),
  );
  assert.equal(events.length, 1);

  const mixed = tmpFile(
    'mix.csv',
    'type,ts,symbol,price,qty,buyer,seller,order_id,account,side,action\ntrade,1,X,1,1,a,b,,,,\norder,2,X,1,1,,,o1,a,sell,new\n',
  );
  const kinds = (await collect(canonicalFormat.open({ path: mixed, rejects: new MemoryRejects() }))).map((e) => e.type);
  assert.deepEqual(kinds, ['trade', 'order']);
});

test('an unusable header is fatal and says which column is missing', async () => {
  const p = tmpFile('h.csv', 'when,what\n1,2\n');
  await assert.rejects(collect(canonicalFormat.open({ path: p, rejects: new MemoryRejects() })), /lacks column/);
});

function tradeRows(n: number): string {
  const t0 = Date.parse('2026-03-02T14:00:00Z');
  return Array.from({ length: n }, (_, i) => `${t0 + i},XYZ,10,1,B,S,T${i},buy\n`).join('');
}

test('a followed file is handed on in batches of at most LIVE_BATCH_EVENTS; replay in batches of at most REPLAY_BATCH_EVENTS', async () => {
  const p = tmpFile('live.csv', `ts,symbol,price,qty,buyer,seller,trade_id,side\n${tradeRows(1000)}`);
  const whole: number[] = [];
  for await (const b of canonicalFormat.open({ path: p, rejects: new MemoryRejects() })) whole.push(b.events.length);
  assert.deepEqual(whole, [1000]);
  const long = tmpFile('long.csv', `ts,symbol,price,qty,buyer,seller,trade_id,side\n${tradeRows(REPLAY_BATCH_EVENTS + 10)}`);
  const parts: number[] = [];
  for await (const b of canonicalFormat.open({ path: long, rejects: new MemoryRejects() })) parts.push(b.events.length);
  assert.ok(parts.length > 1 && parts.every((n) => n <= REPLAY_BATCH_EVENTS), `batch sizes ${parts.join(',')}`);
  assert.equal(
    parts.reduce((a, b) => a + b, 0),
    REPLAY_BATCH_EVENTS + 10,
  );

  const controller = new AbortController();
  const sizes: number[] = [];
  let nextLine = 2;
  for await (const b of canonicalFormat.open({ path: p, rejects: new MemoryRejects(), follow: true, signal: controller.signal })) {
    sizes.push(b.events.length);
    assert.equal(b.lines[0], nextLine, 'batches follow each other without a gap');
    nextLine += b.events.length;
    if (nextLine === 1002) controller.abort();
  }
  assert.ok(
    sizes.every((n) => n <= LIVE_BATCH_EVENTS),
    `batch sizes ${sizes.join(',')}`,
  );
  assert.equal(nextLine, 1002);
});

test('stdin: a line arriving alone is handed on at once, a burst in batches of at most LIVE_BATCH_EVENTS', async () => {
  // A child process reads its stdin through the reader and prints each batch's size as it gets it.
  const reader = `
    import { canonicalFormat } from ${JSON.stringify(new URL('./canonical.js', import.meta.url).href)};
    for await (const b of canonicalFormat.open({ path: '-', rejects: { reject() {} } })) console.log(b.events.length);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', reader], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const printed = async (what: string, check: () => boolean): Promise<void> => {
    for (const end = Date.now() + 10_000; Date.now() < end; await sleep(10)) if (check()) return;
    throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(out)}`);
  };
  const sizes = (): number[] => out.split('\n').filter(Boolean).map(Number);
  child.stdin.write(`ts,symbol,price,qty,buyer,seller,trade_id,side\n${tradeRows(1)}`);
  // stdin stays open: the one line must not wait for more input or for the end.
  await printed('the lone line', () => sizes().length === 1);
  assert.deepEqual(sizes(), [1]);
  child.stdin.write(tradeRows(1000));
  await printed('the burst', () => sizes().reduce((a, b) => a + b, 0) === 1001);
  assert.ok(
    sizes().every((n) => n <= LIVE_BATCH_EVENTS),
    `batch sizes ${sizes().join(',')}`,
  );
  child.stdin.end();
  assert.equal(await new Promise((r) => child.once('exit', r)), 0);
});
