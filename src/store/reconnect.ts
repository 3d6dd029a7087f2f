/**
 * The longest wait between two reconnection attempts, of every Redis
 * connection the app opens: once Redis answers again, every instance is back
 * within about this long (what CACHE_RECONNECT_SETTLE_MS must cover).
 */
export const RECONNECT_BACKOFF_CAP_MS = 2_000;
