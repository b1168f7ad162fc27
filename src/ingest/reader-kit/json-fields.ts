import { parseDecimal } from '../fields.js';

/** Field readers for JSON-per-line feeds; they throw RecordError naming the field. */

/** A record-level problem: the field and the reason, for the reject sink. */
export class RecordError extends Error {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(reason);
  }
}

export type Json = Record<string, unknown>;

/** Splits `<receive_ns> <json>` into receive time (ms) and the parsed object. */
export function splitRecording(line: string): { recvMs: number; msg: Json } {
  const sp = line.indexOf(' ');
  const ns = sp > 0 ? line.slice(0, sp) : '';
  if (ns.length < 13 || !/^\d+$/.test(ns))
    throw new RecordError('recv_ts', `line does not start with a receive timestamp in ns ('${ns.slice(0, 30)}')`);
  // Nanoseconds exceed 2^53: cut to ms in text before converting, so no float rounding.
  const recvMs = Number(ns.slice(0, ns.length - 6));
  let msg: unknown;
  try {
    msg = JSON.parse(line.slice(sp + 1));
  } catch (err) {
    throw new RecordError('json', `invalid JSON: ${(err as Error).message}`);
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) throw new RecordError('json', 'not a JSON object');
  return { recvMs, msg: msg as Json };
}

/** A strictly positive decimal from a JSON string or number field. */
export function positiveField(obj: Json, key: string, field = key): number {
  const v = obj[key];
  const n = typeof v === 'string' ? parseDecimal(v) : typeof v === 'number' ? v : undefined;
  if (n === undefined || !Number.isFinite(n)) throw new RecordError(field, `bad number ${JSON.stringify(v)}`);
  if (n <= 0) throw new RecordError(field, `${field} must be positive, got ${JSON.stringify(v)}`);
  return n;
}

/** An integer id as text; rejects ids that a double cannot hold exactly. */
export function idField(obj: Json, key: string, field = key): string {
  const v = obj[key];
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  throw new RecordError(field, `bad id ${JSON.stringify(v)}${typeof v === 'number' ? ' (not an exact integer)' : ''}`);
}

/** An epoch-ms time field. */
export function timeField(obj: Json, key: string, field = key): number {
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) throw new RecordError(field, `bad time ${JSON.stringify(v)}`);
  return v;
}

/** A non-empty string field. */
export function textField(obj: Json, key: string, field = key): string {
  const v = obj[key];
  if (typeof v !== 'string' || v === '') throw new RecordError(field, `missing ${field}`);
  return v;
}

/** True when a line is `<receive_ns> {` followed by a JSON key (a websocket recording). */
export function isRecordingLine(line: string, firstKey: string): boolean {
  const sp = line.indexOf(' ');
  return sp >= 16 && sp <= 20 && /^\d+$/.test(line.slice(0, sp)) && line.startsWith(firstKey, sp + 1);
}
