import { promisify } from 'node:util';
import { brotliCompress, brotliDecompress, constants } from 'node:zlib';
import type { Bus } from './nats.js';

/**
 * A partition's checkpoint in the object store `<stream>_state`: object `partition-<p>` holds the
 * engine's state (`Engine.snapshot()`) compressed with brotli; the object's metadata says what it
 * is, readable without fetching it.
 */
export interface CheckpointMeta {
  /** Stream sequence covered: every message of the partition up to it processed, committed, acknowledged. */
  readonly seq: number;
  /** Engine fingerprint (detectors, versions, configuration): only an engine with the same one may restore it. */
  readonly fingerprint: string;
  /** Event time the state had reached (for operators reading the object's age). */
  readonly eventTimeMs: number;
}

/** Bumped when the object's content changes meaning; another format is not restored (state is rebuilt). */
const FORMAT = '2';
/**
 * Brotli quality 1: on detector state (V8-serialised maps of numbers and ids) it gives 5.4× for
 * about a quarter of the snapshot's own CPU time; quality 4 gives 7.5× for 5× the CPU
 * (docs/perf-notes/bus.md). It runs in libuv's thread pool, off the event loop.
 */
const QUALITY = 1;
/** Chunks as large as the server allows (1 MB by default): fewer acknowledged round trips per put. */
const CHUNK_BYTES = 1024 * 1024;
/** Per chunk: a put of tens of MB shares the connection and the server's disk with everything else. */
const PUT_TIMEOUT_MS = 30_000;
/** A whole read; local reads of tens of MB take about a second. */
const READ_TIMEOUT_MS = 120_000;

const compress = promisify(brotliCompress);
const decompress = promisify(brotliDecompress);

const objectName = (partition: number): string => `partition-${partition}`;

/** The stream sequence the partition's checkpoint covers (0 when none), read without fetching it. */
export async function checkpointSeq(bus: Bus, partition: number): Promise<number> {
  const info = await bus.state.info(objectName(partition));
  return info && !info.deleted ? Number(info.metadata?.['seq'] ?? 0) : 0;
}

/**
 * Writes `state` (the engine's snapshot after message `meta.seq`) as the partition's checkpoint.
 * The previous checkpoint stays the partition's until the new one is complete (the object store
 * swaps them with its last, metadata message), so a failed or interrupted write loses nothing.
 */
export async function writeCheckpoint(
  bus: Bus,
  partition: number,
  meta: CheckpointMeta,
  state: Uint8Array,
): Promise<{ storedBytes: number; compressMs: number; putMs: number }> {
  const t0 = performance.now();
  const packed = await compress(state, {
    params: { [constants.BROTLI_PARAM_QUALITY]: QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: state.byteLength },
  });
  const t1 = performance.now();
  await bus.state.putBlob(
    {
      name: objectName(partition),
      description: `detector state after stream sequence ${meta.seq}`,
      metadata: {
        format: FORMAT,
        encoding: 'br',
        seq: String(meta.seq),
        fingerprint: meta.fingerprint,
        eventTimeMs: String(meta.eventTimeMs),
        stateBytes: String(state.byteLength),
      },
      options: { max_chunk_size: CHUNK_BYTES },
    },
    packed,
    { timeout: PUT_TIMEOUT_MS },
  );
  return { storedBytes: packed.byteLength, compressMs: t1 - t0, putMs: performance.now() - t1 };
}

/**
 * The partition's checkpoint, decompressed (null when none was written yet). Throws on one it
 * cannot read after a few attempts: a read can fail when a newer checkpoint replaces the object
 * meanwhile (the old content is purged), and the next attempt reads that one.
 */
export async function readCheckpoint(bus: Bus, partition: number): Promise<{ meta: CheckpointMeta; state: Uint8Array } | null> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await readOnce(bus, partition);
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

async function readOnce(bus: Bus, partition: number): Promise<{ meta: CheckpointMeta; state: Uint8Array } | null> {
  // Metadata and content from one `get`: they belong to the same version of the object.
  const r = await bus.state.get(objectName(partition));
  if (!r) return null;
  const m = r.info.metadata ?? {};
  const reader = r.data.getReader();
  if (m['format'] !== FORMAT || m['encoding'] !== 'br') {
    await reader.cancel();
    throw new Error(`checkpoint format ${m['format'] ?? '1'} (${m['encoding'] ?? 'uncompressed'}) is not this version's (${FORMAT}, br)`);
  }
  // Content purged under the reader is never delivered: give up instead of waiting forever.
  const timer = setTimeout(() => void reader.cancel(), READ_TIMEOUT_MS);
  const chunks: Uint8Array[] = [];
  try {
    for (let c = await reader.read(); !c.done; c = await reader.read()) chunks.push(c.value);
  } finally {
    clearTimeout(timer);
  }
  const packed = Buffer.concat(chunks);
  // The object store checked the content against its SHA-256 digest (a mismatch fails the read).
  if (packed.byteLength !== r.info.size) throw new Error(`checkpoint read incomplete (${packed.byteLength} of ${r.info.size} bytes)`);
  const state = await decompress(packed);
  if (state.byteLength !== Number(m['stateBytes']))
    throw new Error(`checkpoint decompressed to ${state.byteLength} bytes, expected ${m['stateBytes']}`);
  return { meta: { seq: Number(m['seq']), fingerprint: m['fingerprint'] ?? '', eventTimeMs: Number(m['eventTimeMs']) }, state };
}
