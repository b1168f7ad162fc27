/**
 * Ids written as a prefix and a decimal integer ("T1999999", "a28172", "1234567890",
 * "file.csv:812"): most venues and every reader's fallback number their trades and orders so. Such
 * an id can be kept as its number and a shared prefix (the market context keeps 12 bytes instead of
 * a 24–40-byte string per event) and written back as exactly the same text: `prefix + String(n)`
 * for an integer n < 2^53 without leading zeros is the original.
 */

/** Longest prefix worth sharing: longer ones (UUID-like ids) are kept as strings. */
const MAX_PREFIX = 32;
/** Digits that always make an exact double. */
const MAX_DIGITS = 15;

/**
 * Where the number of `id` starts: the last run of at most 15 digits, without leading zeros ("T007"
 * → 3, a prefix "T00" and 7; "0" → 0). -1 when `id` does not end in a digit or the prefix before the
 * number is longer than MAX_PREFIX.
 */
export function numberStart(id: string): number {
  const end = id.length;
  let start = end;
  while (start > 0 && end - start < MAX_DIGITS && isDigit(id.charCodeAt(start - 1))) start--;
  if (start === end) return -1;
  while (start < end - 1 && id.charCodeAt(start) === 48) start++;
  return start > MAX_PREFIX ? -1 : start;
}

/** The integer written in `id` from `start` (a `numberStart`) to its end. */
export function numberFrom(id: string, start: number): number {
  let n = 0;
  for (let k = start; k < id.length; k++) n = n * 10 + id.charCodeAt(k) - 48;
  return n;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
