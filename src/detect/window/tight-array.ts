/**
 * Appending to the small arrays of per-symbol state without V8's growth slack.
 *
 * `push` onto a full array reallocates its elements to 1.5 × the new length + 16 slots: an array
 * pushed once holds 17–20 slots (136–160 bytes) for one to three numbers. With state per symbol
 * (tens of thousands of symbols holding one or two executions each in a window), that slack was
 * most of the memory of wash_trading (a heap snapshot on 2M trades over 100k symbols: ~2.3 KB of
 * elements per symbol, ~0.4 KB of them used). While an array is short, these append by `concat`,
 * which makes an array of exactly the new length (and keeps the elements' kind, packed); past
 * `TIGHT_MAX` elements they push as usual (the slack is then a small share, and a busy symbol's
 * arrays grow without copying on every append). Each returns the array to keep: the same one, or
 * the copy.
 */

/** Length up to which appends copy into an array of exact length. */
export const TIGHT_MAX = 64;

export function append1<T>(a: T[], x: T): T[] {
  if (a.length >= TIGHT_MAX) {
    a.push(x);
    return a;
  }
  return a.concat([x] as ConcatArray<T>);
}

export function append2<T>(a: T[], x: T, y: T): T[] {
  if (a.length + 2 > TIGHT_MAX) {
    a.push(x, y);
    return a;
  }
  return a.concat([x, y]);
}

export function append3<T>(a: T[], x: T, y: T, z: T): T[] {
  if (a.length + 3 > TIGHT_MAX) {
    a.push(x, y, z);
    return a;
  }
  return a.concat([x, y, z]);
}

/** Zeros of each count asked for, shared (`concat` copies them; never written). */
const zeros: number[][] = [];

/** Appends `n` zeros. */
export function appendZeros(a: number[], n: number): number[] {
  if (a.length + n > TIGHT_MAX) {
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

/** A packed array of `n` zeros, of exactly that length while short. */
export function zeroArray(n: number): number[] {
  return appendZeros([], n);
}
