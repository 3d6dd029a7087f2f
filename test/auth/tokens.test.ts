import { describe, expect, it } from 'vitest';
import { newSessionToken, tokenUserId } from '../../src/auth/tokens.ts';

describe('session tokens', () => {
  it('name the user they were issued to, whatever the id looks like (cuid or seeded)', () => {
    for (const id of ['cmx3sl9mf00001e7d4plyla09', 'seed-user-0001', 'A_b-9']) expect(tokenUserId(newSessionToken(id))).toBe(id);
  });

  it('an older token without a user id, or a malformed one, names nobody', () => {
    expect(tokenUserId('tg_0ei6vj0kSpNzWU7x7vtOH7n4iOhHypW4rRLwpHt33Qg')).toBe('');
    expect(tokenUserId('tg_user.with space')).toBe('');
    expect(tokenUserId('tg_a{b}.xyz')).toBe('');
  });
});
