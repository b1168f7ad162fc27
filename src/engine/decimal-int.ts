/**
 * Decimals as integers: a price of 443.71 is kept as 44371 and an exponent of 2, in 4 bytes and
 * 4 bits instead of a double's 8 bytes. Exact: a value is kept so only when `n / 10^e` gives back
 * the very same double (which the readers' `m / 10^d` parse always does for d ≤ 14 and |m| < 2^31);
 * anything else (too many digits, too large, not finite) is `WIDE` and kept as a double.
 */

/** Exponents 0…14 fit 4 bits; 15 marks a value kept as a double. */
export const WIDE = 15;

/** 10^0 … 10^14, exact doubles. */
export const POW10: readonly number[] = Array.from({ length: WIDE }, (_, e) => 10 ** e);

/** The smallest e with `scaled(v, e) / 10^e === v` and the integer in Int32 range, else WIDE. */
export function decimalExponent(v: number): number {
  for (let e = 0; e < WIDE; e++) {
    const p = POW10[e]!;
    const n = Math.round(v * p);
    if (n > 2147483647 || n < -2147483648) return WIDE;
    if (n / p === v) return e;
  }
  return WIDE;
}

/**
 * `guess` when `v` is kept exactly at that exponent (not always the smallest, which does not
 * matter: `unscaled` gives back the same double), else `decimalExponent(v)`. A column's values
 * mostly share one exponent (a venue's tick size), so passing the last one found takes one try
 * instead of up to e + 1.
 */
export function decimalExponentNear(v: number, guess: number): number {
  if (guess !== WIDE) {
    const p = POW10[guess]!;
    const n = Math.round(v * p);
    if (n <= 2147483647 && n >= -2147483648 && n / p === v) return guess;
  }
  return decimalExponent(v);
}

/** The integer that stands for `v` at exponent `e` (a `decimalExponent` other than WIDE). */
export function scaled(v: number, e: number): number {
  return Math.round(v * POW10[e]!);
}

/** The value of integer `n` at exponent `e`: the very double it was made from. */
export function unscaled(n: number, e: number): number {
  return n / POW10[e]!;
}
