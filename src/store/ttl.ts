/**
 * A TTL as both stores apply it: whole seconds, rounded up, at least one.
 * Redis's EX takes integers; the memory stores use the same rounding, so the
 * two expire an entry at the same moment.
 */
export const wholeSeconds = (seconds: number): number => Math.max(1, Math.ceil(seconds));
