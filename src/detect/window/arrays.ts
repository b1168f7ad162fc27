/*
 * Arrays with an explicit capacity: a structure keeps its own count of the slots in use and the
 * array's length is its capacity. A push grows an array to 1.5 × length + 16 slots, so a window
 * holding one or two entries of a symbol that trades a few times a day carried 17+ slots; trimming
 * that slack by copying allocated per quiet spell, and those copies outlive a scavenge (their
 * promotion doubled the garbage collector's time on a wide universe). Here an array starts at a few
 * slots and, when full, is compacted in place (compactsInPlace) or grown by half, so a sparse
 * symbol's windows stay at a few slots and allocate nothing once sized.
 */

/**
 * The capacity after `capacity` for at least `need` slots: grown by half (so amortised O(1) per
 * entry), and a first array exactly `need` (a sparse symbol's window often never holds more).
 */
export function grownCapacity(capacity: number, need: number): number {
  return Math.max(need, capacity + (capacity >> 1) + 1);
}

/**
 * grownCapacity by a quarter: for a structure that only grows through a session (a day of buckets),
 * where the slack of the last growth stays until the next (on average a tenth of it, not a fifth).
 */
export function grownCapacitySlowly(capacity: number, need: number): number {
  return Math.max(need, capacity + (capacity >> 2) + 1);
}

/** Slots moved by a compaction that is cheap whatever the dropped prefix (a small window's few entries). */
const SMALL_MOVE = 16;

/**
 * Whether a full array holding `live` slots after `head` dropped ones is compacted in place for
 * `more` slots rather than grown: they fit once the dropped ones are gone, and those are at least
 * half of what is moved (each moved slot paid for by dropped ones: amortised O(1) per entry) or
 * what is moved is a few slots (so a sparse symbol's window does not grow past what it holds).
 */
export function compactsInPlace(capacity: number, head: number, live: number, more: number): boolean {
  return head > 0 && live + more <= capacity && (2 * head >= live || live <= SMALL_MOVE);
}

/**
 * A new array of `capacity` slots holding a[from, to) at its start (the slots after it are holes,
 * never read). One for numbers and one for other values: V8 tracks the kind of element each
 * `new Array` site produced, and a site shared with strings made the number arrays generic ones,
 * each double boxed in a heap number of its own (twice the memory, and an allocation per store).
 */
export function regrowNumbers(a: readonly number[], from: number, to: number, capacity: number): number[] {
  const b = new Array<number>(capacity);
  for (let i = from; i < to; i++) b[i - from] = a[i]!;
  return b;
}

/** regrowNumbers for arrays of strings (or other references). */
export function regrowStrings<T>(a: readonly T[], from: number, to: number, capacity: number): T[] {
  const b = new Array<T>(capacity);
  for (let i = from; i < to; i++) b[i - from] = a[i]!;
  return b;
}

/** Moves a[from, to) down to `at` (default: the start) in place (no allocation; the length, i.e. the capacity, is kept). */
export function moveDownNumbers(a: number[], from: number, to: number, at = 0): void {
  for (let i = from; i < to; i++) a[i - from + at] = a[i]!;
}

/** moveDownNumbers for arrays of strings (or other references): separate, so each stays monomorphic. */
export function moveDownStrings<T>(a: T[], from: number, to: number): void {
  for (let i = from; i < to; i++) a[i - from] = a[i]!;
}
