import { badInput } from '../errors.ts';

/**
 * Input rules shared by every write. Each returns the normalised value or
 * throws BAD_USER_INPUT naming the field, so a form can point at it.
 */

// Deliberately simple: one @, no spaces, a dot in the domain. RFC 5322 allows more; no mail server we send to does.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const SLUG = /^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$/;
// Dots and underscores as LaunchDarkly and Unleash keys use them (`billing.v2`, `new_checkout`), so keys move over unchanged.
const FLAG_KEY = /^[a-z][a-z0-9._-]{1,62}$/;

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 200;

export function email(value: string, field = 'email'): string {
  const normalized = value.trim().toLowerCase();
  if (normalized.length > 254 || !EMAIL.test(normalized)) throw badInput('Enter a valid email address', field);
  return normalized;
}

export function password(value: string, field = 'password'): string {
  if (value.length < PASSWORD_MIN) throw badInput(`Password must be at least ${PASSWORD_MIN} characters`, field);
  if (value.length > PASSWORD_MAX) throw badInput(`Password must be at most ${PASSWORD_MAX} characters`, field);
  return value;
}

export function displayName(value: string, field = 'name'): string {
  const trimmed = value.trim();
  if (trimmed.length === 0) throw badInput('Name must not be empty', field);
  if (trimmed.length > 100) throw badInput('Name must be at most 100 characters', field);
  return trimmed;
}

export function slug(value: string, field = 'slug'): string {
  if (!SLUG.test(value)) {
    throw badInput('Slug must be 3-40 lowercase letters, digits or hyphens, starting and ending with a letter or digit', field);
  }
  return value;
}

export function flagKey(value: string, field = 'key'): string {
  if (!FLAG_KEY.test(value)) {
    throw badInput(
      'Flag key must be 2-63 lowercase letters, digits, hyphens, underscores or dots, starting with a letter',
      field,
    );
  }
  return value;
}

export function avatarUrl(value: string, field = 'avatarUrl'): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw badInput('Avatar URL must be an absolute http(s) URL', field);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || value.length > 2048) {
    throw badInput('Avatar URL must be an absolute http(s) URL', field);
  }
  return value;
}
