/*
 * The entries of a narrow bucket log (bucket-log.ts): a closed bucket's sequence number, volume,
 * buyer-initiated volume and buyer-initiated trade count in one to three numbers of a Slab.
 *
 * An entry starts with a key, a negative number −(1 + code) (the values after it are never
 * negative in a narrow log, so a walk backwards finds the key). Codes from 2^52 on are compact
 * entries (a comparison tells the kind: no division on the walks over a day of buckets):
 *   - compact (1 number): the whole bucket in the key, for what a sparse symbol's buckets are — an
 *     integer volume below 2^24, fewer than 16 buy trades, and a buy volume that is +0 (no buy) or
 *     the volume itself (only buys, summed in the same order: the same double); the sequence
 *     below 2^23. code = 2^52 + ((seq · 16 + buyTrades) · 2 + allBuy) · 2^24 + volume.
 *   - full (3 numbers): code = seq · 2^21 + buyTrades (sequence below 2^31, buy trades a count
 *     below 2^21), then the volume and the buy volume as they are.
 * Every code is below 2^53, so keys and what they hold are exact. A bucket that fits neither (or
 * a negative value) turns the log wide (bucket-log.ts).
 */

const VOLUME_BITS = 2 ** 24;
const COMPACT_TRADES = 16;
const COMPACT_SEQ = 2 ** 23;
/** Where compact codes start; keys at or below COMPACT_KEY are compact. */
const COMPACT = 2 ** 52;
const COMPACT_KEY = -(1 + COMPACT);
const FULL_TRADES = 2 ** 21;
const FULL_SEQ = 2 ** 31;

/** The key of a compact entry for the bucket, or NaN when it does not fit one. */
export function compactKey(seq: number, volume: number, buyVolume: number, buyTrades: number): number {
  if (!(seq < COMPACT_SEQ && Number.isInteger(volume) && volume >= 0 && volume < VOLUME_BITS && !Object.is(volume, -0))) return NaN;
  if (!(Number.isInteger(buyTrades) && buyTrades >= 0 && buyTrades < COMPACT_TRADES && !Object.is(buyTrades, -0))) return NaN;
  const allBuy = Object.is(buyVolume, volume) ? 1 : Object.is(buyVolume, 0) ? 0 : -1;
  if (allBuy < 0) return NaN;
  return -(1 + COMPACT + ((seq * COMPACT_TRADES + buyTrades) * 2 + allBuy) * VOLUME_BITS + volume);
}

/** The key of a full entry (its two values follow it), or NaN when the sequence or the count does not fit. */
export function fullKey(seq: number, buyTrades: number): number {
  if (!(seq < FULL_SEQ && Number.isInteger(buyTrades) && buyTrades >= 0 && buyTrades < FULL_TRADES && !Object.is(buyTrades, -0)))
    return NaN;
  return -(1 + seq * FULL_TRADES + buyTrades);
}

/** Numbers of the entry with this key: 1 (compact) or 3 (full). */
export function entryLength(key: number): number {
  return key <= COMPACT_KEY ? 1 : 3;
}

/** The entry's bucket sequence number. */
export function seqOf(key: number): number {
  const code = -key - 1;
  return key <= COMPACT_KEY ? Math.floor((code - COMPACT) / (2 * COMPACT_TRADES * VOLUME_BITS)) : Math.floor(code / FULL_TRADES);
}

/** A compact entry's volume (field 1), buy volume (2) or buy trades (3). */
export function compactField(key: number, field: number): number {
  const a = -key - 1 - COMPACT;
  const b = Math.floor(a / VOLUME_BITS);
  if (field === 3) return (b >> 1) % COMPACT_TRADES;
  const volume = a - b * VOLUME_BITS;
  return field === 1 || (b & 1) === 1 ? volume : 0;
}

/** A full entry's buy trades (its volumes are the two numbers after the key). */
export function fullBuyTrades(key: number): number {
  const code = -key - 1;
  return code - Math.floor(code / FULL_TRADES) * FULL_TRADES;
}
