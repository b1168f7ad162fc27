/** A copy of `a` with room for at least `min` elements (doubling): how typed-array columns grow. */
export function grown<A extends Float64Array | Int32Array | Uint8Array>(a: A, min: number): A {
  let n = Math.max(a.length, 1);
  while (n < min) n *= 2;
  const b = new (a.constructor as new (n: number) => A)(n);
  b.set(a);
  return b;
}
