import { Session } from 'node:inspector';
import { parseConfig } from '../src/config/config.js';
import { DETECTORS } from '../src/detect/registry.js';
import { MemorySink, RejectsFile, runFiles } from '../src/engine/pipeline.js';
import { DEFAULT_WARM_UP_EVENTS } from '../src/engine/warm-up.js';
import { simulatorSessions } from '../src/ingest/simulator/simulator.js';

/**
 * What a scavenge would copy, by where it was allocated (docs/perf-notes/live10.md). A live
 * scavenge's pause is the copying of what is still alive in the young generation, so the objects
 * allocated during a window of events and still alive at its end are what the detectors should
 * stop making. Replays a canonical file after the live warm-up (as `start` does), samples
 * allocations with V8's sampling heap profiler from event FROM, runs a minor GC at event TO and
 * prints the kilobytes still alive by allocation site (the 3 innermost frames). Needs --expose-gc:
 *
 *   node --expose-gc dist/bench/survivors.js FILE FROM TO [minor|full|none] [SESSION_SYMBOLS]
 *
 * SESSION_SYMBOLS (comma list) gives those symbols the simulator's trading sessions, for a file the
 * simulator wrote (the live bench's feed: AAPL,MSFT,NVDA,TSLA). In this harness the file reader reads
 * ahead (≈ 1 MiB of text, its event objects alive), which a live stdin reader does not: the reader's
 * sites count more here than in a live run. The sink keeps every alert: the alerts' evidence too.
 */
type Gc = (options?: { type: 'minor' | 'major' }) => void;
const gc = (globalThis as { gc?: Gc }).gc;
if (!gc) throw new Error('run with node --expose-gc');

interface ProfileNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly ProfileNode[];
}

const [file, fromArg, toArg, mode = 'minor', symbols] = process.argv.slice(2);
if (!file || !fromArg || !toArg) throw new Error('usage: survivors.js FILE FROM TO [minor|full|none] [SESSION_SYMBOLS]');
const from = Number(fromArg);
const to = Number(toArg);
if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to <= from) {
  throw new Error(`FROM and TO must be whole numbers with 0 ≤ FROM < TO, got '${fromArg}' and '${toArg}'`);
}
if (mode !== 'minor' && mode !== 'full' && mode !== 'none') throw new Error(`the GC must be minor, full or none, got '${mode}'`);

const session = new Session();
session.connect();
function post<T>(method: string, params: object = {}): Promise<T> {
  return new Promise((resolve, reject) => session.post(method, params, (err, result) => (err ? reject(err) : resolve(result as T))));
}

function frameName(node: ProfileNode): string {
  const f = node.callFrame;
  return `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`;
}

async function report(events: number): Promise<void> {
  if (mode === 'minor') gc!({ type: 'minor' });
  else if (mode === 'full') gc!();
  const { profile } = await post<{ profile: { head: ProfileNode } }>('HeapProfiler.getSamplingProfile');
  await post('HeapProfiler.stopSampling');
  const bySite = new Map<string, number>();
  let total = 0;
  const walk = (node: ProfileNode, stack: readonly string[]): void => {
    const frames = [frameName(node), ...stack];
    if (node.selfSize > 0) {
      const site = frames.slice(0, 3).join(' < ');
      bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
      total += node.selfSize;
    }
    for (const child of node.children) walk(child, frames);
  };
  walk(profile.head, []);
  console.log(`events ${from}–${to} (at ${events}): ${(total / 1e6).toFixed(2)} MB alive after ${mode === 'none' ? 'no' : `a ${mode}`} GC`);
  for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 40)) {
    console.log(`${(bytes / 1e3).toFixed(0).padStart(7)} KB  ${site}`);
  }
}

let config = parseConfig({});
if (symbols) config = { ...config, sessions: { ...simulatorSessions(symbols.split(',')), ...config.sessions } };
let events = 0;
let state = 'before' as 'before' | 'sampling' | 'done'; // set in the callbacks (no narrowing)
await runFiles({
  inputs: [file],
  config,
  detectors: DETECTORS,
  sink: new MemorySink(),
  rejects: new RejectsFile(null),
  warmUpEvents: DEFAULT_WARM_UP_EVENTS,
  flushOnAlert: true,
  onEvents: (batch) => {
    events += batch.length;
  },
  onBatch: async () => {
    if (state === 'before' && events >= from) {
      state = 'sampling';
      await post('HeapProfiler.startSampling', { samplingInterval: 128 });
    } else if (state === 'sampling' && events >= to) {
      state = 'done';
      await report(events);
    }
  },
});
if (state !== 'done') throw new Error(`the file has ${events} events, fewer than TO (${to})`);
