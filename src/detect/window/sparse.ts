/**
 * How many times a symbol's window state is trimmed to what it holds after a quiet spell (price
 * detectors). With 100k symbols most trade a few times a day and the room a first push reserves is
 * much of their memory; a symbol that keeps coming back is not sparse, and every trim copies its
 * rings, so the trims stop after a few.
 */
export const SPARSE_TRIMS = 4;
