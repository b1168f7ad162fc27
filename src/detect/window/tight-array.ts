/**
 * Small arrays of per-symbol state without V8's growth slack.
 *
 * `push` onto a full array reallocates its elements to 1.5 × the new length + 16 slots: an array
 * pushed once holds 17–20 slots (136–160 bytes) for one to three numbers. With state per symbol
 * (tens of thousands of symbols holding one or two executions each in a window), that slack was
 * most of the memory of wash_trading (a heap snapshot on 2M trades over 100k symbols: ~2.3 KB of
 * elements per symbol, ~0.4 KB of them used). While an array holds fewer than `TIGHT_ITEMS`
 * entries, appends make a copy of exactly the new length (`concat`, which keeps the elements'
 * kind, packed); past that they push as usual (the slack is then a small share, and a busy
 * symbol's arrays grow without copying on every append).
 *
 * The test and the two ways to append are written out at each call site rather than in a shared
 * function: a shared `push` sees arrays of every element kind (integers, doubles, strings) and its
 * inline cache goes polymorphic, which cost ~10% of wash_trading's CPU on a dense tape.
 */

/** Entries (executions, nodes, …: not numbers) up to which an array is kept at exact length. */
export const TIGHT_ITEMS = 16;

/**
 * Entries that left a window (the front of its arrays) above which they are cut off once they are
 * most of the arrays: amortised, a constant cost per entry. A larger bound (1024) let a symbol of
 * middling activity, never idle long enough to be dropped, carry up to a thousand expired entries.
 * The rest is copied at exact length when short.
 */
export const COMPACT_MIN = 32;

/** Zeros of each count asked for, shared (`concat` copies them; never written). */
const zeros: number[][] = [];

/** Appends `n` zeros (an entry of `n` small integers) to an array of small integers holding `entries` entries. */
export function appendZeros(a: number[], n: number, entries: number): number[] {
  if (entries >= TIGHT_ITEMS) {
    for (let k = 0; k < n; k++) a.push(0);
    return a;
  }
  let z = zeros[n];
  if (!z) {
    z = [];
    for (let k = 0; k < n; k++) z.push(0);
    zeros[n] = z;
  }
  return a.concat(z);
}

/** A packed array of `n` zeros (small integers), of exactly that length while short (a filled `new Array(n)` stays holey). */
export function zeroArray(n: number): number[] {
  if (n > 4 * TIGHT_ITEMS) {
    const a: number[] = [];
    for (let k = 0; k < n; k++) a.push(0);
    return a;
  }
  return appendZeros([], n, 0);
}
