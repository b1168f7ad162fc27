// The checkpointer thread (see checkpointer.ts): its own connection to the database file, a PASSIVE
// checkpoint every interval and on request.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { CheckpointReply, CheckpointResult } from './checkpointer.js';

const { path, intervalMs, restartFrames } = workerData as { path: string; intervalMs: number; restartFrames: number };
const port = parentPort!;
const db = new Database(path);
// A writer holding the database briefly (SQLITE_BUSY) just moves this checkpoint to the next turn.
db.pragma('busy_timeout = 0');

function run(mode: 'PASSIVE' | 'RESTART'): CheckpointResult {
  const [row] = db.pragma(`wal_checkpoint(${mode})`) as CheckpointResult[];
  return row ?? { busy: 0, log: 0, checkpointed: 0 };
}

/**
 * A PASSIVE checkpoint copies the frames committed when it starts; the writer restarts the WAL only
 * when it finds every frame copied, which a writer committing without pause never lets happen. Past
 * `restartFrames` the checkpoint is made in RESTART mode, which waits for a gap between the writer's
 * commits and holds it up meanwhile: a bound on the WAL's size, paid only by a burst of commits.
 */
function checkpoint(): CheckpointResult {
  const passive = run('PASSIVE');
  if (passive.log <= restartFrames) return passive;
  db.pragma('busy_timeout = 1000');
  try {
    return run('RESTART');
  } finally {
    db.pragma('busy_timeout = 0');
  }
}

const timer = setInterval(() => {
  try {
    checkpoint();
  } catch {
    // Busy or locked: the next interval tries again; the writer's data is safe in the WAL.
  }
}, intervalMs);

port.on('message', (msg: 'checkpoint' | 'close') => {
  if (msg === 'close') {
    clearInterval(timer);
    db.close();
    port.close();
    return;
  }
  try {
    port.postMessage({ kind: 'checkpointed', result: checkpoint() } satisfies CheckpointReply);
  } catch (err) {
    port.postMessage({ kind: 'error', message: (err as Error).message } satisfies CheckpointReply);
  }
});
port.postMessage({ kind: 'ready' } satisfies CheckpointReply);
