import { badInput } from '../errors.ts';
import type { LimitSetting, RateLimitKey } from './notation.ts';
import type { PolicyName } from './policies.ts';

/** One @rateLimit on a field: at most `limit` calls per `windowMs` for each identity `by` names. */
export interface RateLimitRule extends LimitSetting {
  by: RateLimitKey[];
  /** The configurable policy these arguments state (see policies.ts); null for a one-off limit. */
  policy: PolicyName | null;
}

/** The value of `arg:input.email` in a field's arguments; emails compare case-insensitively. */
export function argumentValue(args: Record<string, unknown>, key: `arg:${string}`): string {
  let value: unknown = args;
  for (const part of key.slice(4).split('.'))
    value = typeof value === 'object' && value !== null ? Reflect.get(value, part) : undefined;
  if (typeof value !== 'string' && typeof value !== 'number') throw badInput(`${key.slice(4)} is required`, key.slice(4));
  return String(value).trim().toLowerCase();
}
