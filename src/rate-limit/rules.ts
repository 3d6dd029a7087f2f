import { badInput } from '../errors.ts';
import type { PolicyName } from './policies.ts';

/** Who a limit counts: the signed-in viewer (the IP when anonymous), the client IP, or an argument's value. */
export type RateLimitKey = 'viewer' | 'ip' | `arg:${string}`;

/** One @rateLimit on a field: at most `limit` calls per `windowMs` for each identity `by` names. */
export interface RateLimitRule {
  limit: number;
  window: string;
  windowMs: number;
  by: RateLimitKey[];
  /** The configurable policy these arguments state (see policies.ts); null for a one-off limit. */
  policy: PolicyName | null;
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
export function parseLimit(setting: string): { limit: number; window: string; windowMs: number } {
  const [limitText, window = ''] = setting.split('/');
  const limit = Number(limitText);
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`rate limit "${setting}" is not like "100/60s"`);
  return { limit, window, windowMs: parseWindow(window) };
}

export function isRateLimitKey(value: string): value is RateLimitKey {
  return value === 'viewer' || value === 'ip' || /^arg:[A-Za-z_][\w.]*$/.test(value);
}

/** The value of `arg:input.email` in a field's arguments; emails compare case-insensitively. */
export function argumentValue(args: Record<string, unknown>, key: `arg:${string}`): string {
  let value: unknown = args;
  for (const part of key.slice(4).split('.')) value = typeof value === 'object' && value !== null ? Reflect.get(value, part) : undefined;
  if (typeof value !== 'string' && typeof value !== 'number') throw badInput(`${key.slice(4)} is required`, key.slice(4));
  return String(value).trim().toLowerCase();
}
