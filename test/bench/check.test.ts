import { describe, expect, it } from 'vitest';
import { checkResponse, firstDifference, looksOk, shapeOf } from '../../bench/check.ts';
import { PAGE_LOAD_SHAPE } from '../../bench/workloads.ts';

const reference = {
  organization: {
    name: 'Acme Inc',
    members: { edges: [{ node: { role: 'OWNER' } }, { node: { role: 'VIEWER' } }] },
    featureFlags: [{ key: 'a', enabled: true }],
  },
};
const body = JSON.stringify({ data: reference });

describe('response checks', () => {
  it('pass the reference itself, in every mode', () => {
    expect(looksOk(200, body)).toBe(true);
    expect(checkResponse(200, body, { mode: 'bytes', body })).toBeNull();
    expect(checkResponse(200, body, { mode: 'data', data: reference })).toBeNull();
    expect(checkResponse(200, body, { mode: 'shape', data: reference })).toBeNull();
    expect(checkResponse(200, body, { mode: 'ok' })).toBeNull();
  });

  it('fail a response that carries errors, even with HTTP 200 and data', () => {
    const errored = JSON.stringify({
      data: reference,
      errors: [{ message: 'boom', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
    });
    expect(looksOk(200, errored)).toBe(false);
    expect(checkResponse(200, errored, { mode: 'data', data: reference })).toMatch(/GraphQL errors/);
    expect(looksOk(200, '{"errors" : []}')).toBe(false);
  });

  it('fail non-2xx answers', () => {
    expect(looksOk(429, body)).toBe(false);
    expect(checkResponse(500, 'oops', { mode: 'ok' })).toMatch(/HTTP 500/);
  });

  it('do not mistake a value mentioning errors for an errors key', () => {
    const sneaky = JSON.stringify({ data: { organization: { name: '"errors": none' } } });
    expect(looksOk(200, sneaky)).toBe(true);
  });

  it('fail different bytes, and different data with the path of the difference', () => {
    const changed = structuredClone(reference);
    changed.organization.members.edges[1]!.node.role = 'ADMIN';
    const changedBody = JSON.stringify({ data: changed });
    expect(checkResponse(200, changedBody, { mode: 'bytes', body })).toMatch(/differs from the reference at byte \d+/);
    expect(checkResponse(200, changedBody, { mode: 'data', data: reference })).toMatch(
      /data\.organization\.members\.edges\[1\]\.node\.role \("ADMIN", expected "VIEWER"\)/,
    );
    // Values may change among writes; the shape may not.
    expect(checkResponse(200, changedBody, { mode: 'shape', data: reference })).toBeNull();
  });

  it('fail a different shape: a missing item, a null where an object was', () => {
    const shorter = structuredClone(reference);
    shorter.organization.members.edges.pop();
    expect(checkResponse(200, JSON.stringify({ data: shorter }), { mode: 'shape', data: reference })).toMatch(
      /length 1, expected 2/,
    );
    expect(checkResponse(200, JSON.stringify({ data: { organization: null } }), { mode: 'shape', data: reference })).toMatch(
      /shape differs/,
    );
  });

  it('fail writes answering null or no data', () => {
    expect(checkResponse(200, '{"data":{"setFeatureFlag":null}}', { mode: 'ok' })).toMatch(/setFeatureFlag is null/);
    expect(checkResponse(200, '{"data":null}', { mode: 'ok' })).toMatch(/no data/);
    expect(checkResponse(200, 'not json', { mode: 'ok' })).toMatch(/not JSON/);
  });

  it('describe shapes by type', () => {
    expect(shapeOf({ a: [1, 'x', null, { b: true }] })).toEqual({ a: ['number', 'string', 'null', { b: 'boolean' }] });
    expect(firstDifference({ a: 1 }, { a: 1 })).toBe('(none)');
  });

  it('check a many-users answer against the page-load template: any viewer, any number of memberships, the right shape', () => {
    const expected = { mode: 'template' as const, template: PAGE_LOAD_SHAPE };
    const membership = {
      role: 'MEMBER',
      organization: { name: 'Blue Peak Labs', featureFlags: [{ key: 'dark-mode', enabled: false }] },
    };
    expect(
      checkResponse(200, JSON.stringify({ data: { viewer: { memberships: [membership, membership] } } }), expected),
    ).toBeNull();
    expect(checkResponse(200, JSON.stringify({ data: { viewer: { memberships: [] } } }), expected)).toBeNull();
    expect(checkResponse(200, JSON.stringify({ data: { viewer: null } }), expected)).toMatch(
      /data\.viewer is null, expected an object/,
    );
    const noFlags = { ...membership, organization: { name: 'x', featureFlags: [{ key: 'dark-mode' }] } };
    expect(checkResponse(200, JSON.stringify({ data: { viewer: { memberships: [noFlags] } } }), expected)).toMatch(
      /data\.viewer\.memberships\[0\]\.organization\.featureFlags\[0\]\.enabled is undefined/,
    );
    expect(
      checkResponse(200, JSON.stringify({ data: { viewer: { memberships: [{ ...membership, extra: 1 }] } } }), expected),
    ).toMatch(/extra is not expected/);
  });
});
