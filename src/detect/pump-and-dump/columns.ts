/*
 * Per-symbol fields as columns: one typed array per field, indexed by the symbol's slot (its
 * id in pump_and_dump's `states`), instead of an object per symbol (a 24 B header, 8 B per field and a 16 B heap number per
 * changing double). Grown by a quarter when a new slot does not fit.
 */

/**
 * The capacity after `capacity` for slot `slot`: grown by a quarter (columns are a few hundred
 * bytes per slot, so their slack is live memory that matters; a copy is a memcpy).
 */
export function columnCapacity(capacity: number, slot: number): number {
  return Math.max(slot + 1, capacity + (capacity >> 2) + 64);
}

export function grownFloat64(a: Float64Array, capacity: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(capacity);
  b.set(a);
  return b;
}

export function grownInt32(a: Int32Array, capacity: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(capacity);
  b.set(a);
  return b;
}

export function grownUint8(a: Uint8Array, capacity: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(capacity);
  b.set(a);
  return b;
}
