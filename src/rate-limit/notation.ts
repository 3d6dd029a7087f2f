// How limits are written, in the schema's @rateLimit and in configuration alike. No imports, so
// env.ts can validate its settings with these without depending on the rest of rate-limit/.

/** Who a limit counts: the signed-in viewer (the IP when anonymous), the client IP, or an argument's value. */
export type RateLimitKey = 'viewer' | 'ip' | `arg:${string}`;

/** A number of calls per window, with the window in milliseconds too. */
export interface LimitSetting {
  limit: number;
  window: string;
  windowMs: number;
}

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** "60s", "15m", "1h" or "500ms" in milliseconds; anything else is a schema error, caught when the schema is built. */
export function parseWindow(window: string): number {
  const match = /^(\d+)(ms|s|m|h)$/.exec(window);
  const amount = Number(match?.[1]);
  const unit = match?.[2] ? UNITS[match[2]] : undefined;
  if (!unit || !(amount > 0)) throw new Error(`@rateLimit window "${window}" is not like "60s", "15m" or "1h"`);
  return amount * unit;
}

/** A `limit/window` setting such as "100/60s", as configuration writes limits. */
export function parseLimit(setting: string): LimitSetting {
  // Exactly digits, one slash, a window: "10/60s/x", " 10/60s", "1e2/60s" or "0x10/60s" are typos, not limits.
  const match = /^(\d+)\/([^/]*)$/.exec(setting);
  const limit = Number(match?.[1]);
  const window = match?.[2] ?? '';
  const refused = new Error(`rate limit "${setting}" is not like "100/60s"`);
  if (!match || !Number.isInteger(limit) || limit < 1) throw refused;
  try {
    return { limit, window, windowMs: parseWindow(window) };
  } catch {
    // parseWindow speaks of @rateLimit in the schema; a setting's error names the setting.
    throw refused;
  }
}

/** Whether a string names an identity a limit can count: "viewer", "ip" or "arg:<path>". */
export function isRateLimitKey(value: string): value is RateLimitKey {
  return value === 'viewer' || value === 'ip' || /^arg:[A-Za-z_][\w.]*$/.test(value);
}
