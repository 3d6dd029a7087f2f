import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LogInDocument,
  LogOutDocument,
  OrganizationPageDocument,
  SetFeatureFlagDocument,
  SignUpDocument,
  ViewerDocument,
} from '../generated/graphql.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { makeOrg, makeSignedInUser, unique } from '../helpers/fixtures.ts';
import { loadEnv } from '../../src/env.ts';
import { createLogger } from '../../src/logger.ts';
import { startOpsInstance } from './instance.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('request ids', () => {
  it('every request gets a fresh id, echoed in X-Request-Id and on its log lines, hot-path hits included', async () => {
    // Every request is "slow" here, so each logs exactly one line of its own.
    const server = await startOpsInstance(db, { SLOW_OPERATION_MS: '0' });
    try {
      const email = `${unique('ids')}@test.example`;
      const signUp = await server.gql(SignUpDocument, {
        variables: { input: { email, name: 'Ids', password: 'ids-password-123' } },
        headers: { 'x-request-id': 'chosen-by-client' },
      });
      const token = signUp.json.data?.signUp?.token as string;
      const ids = [signUp.response.headers.get('x-request-id')];
      for (let i = 0; i < 2; i++) ids.push((await server.gql(ViewerDocument, { token })).response.headers.get('x-request-id'));
      const hit = await server.gql(ViewerDocument, { token });
      expect(hit.response.headers.get('x-cache')).toBe('HIT');
      ids.push(hit.response.headers.get('x-request-id'));

      // Without a trusted proxy the client's own id is ignored.
      for (const id of ids) expect(id).toMatch(UUID);
      expect(new Set(ids).size).toBe(ids.length);
      const slow = server.logs.filter((line) => line['msg'] === 'slow operation');
      expect(slow.map((line) => [line['reqId'], line['operation']])).toEqual([
        [ids[0], 'SignUp'],
        [ids[1], 'Viewer'],
        [ids[2], 'Viewer'],
        [ids[3], 'Viewer'],
      ]);
      for (const line of slow) expect(line['durationMs']).toEqual(expect.any(Number));
    } finally {
      await server.close();
    }
  });

  it('keeps the X-Request-Id a trusted proxy sends, and refuses one that could forge a log line', async () => {
    const server = await startOpsInstance(db, { TRUST_PROXY: '1', SLOW_OPERATION_MS: '0' });
    try {
      const kept = await server.gql(ViewerDocument, { headers: { 'x-request-id': 'lb-7f3a.42:1' } });
      expect(kept.response.headers.get('x-request-id')).toBe('lb-7f3a.42:1');
      const forged = await server.gql(ViewerDocument, { headers: { 'x-request-id': 'a"b c' } });
      expect(forged.response.headers.get('x-request-id')).toMatch(UUID);
      expect(server.logs.filter((line) => line['msg'] === 'slow operation').map((line) => line['reqId'])).toEqual([
        'lb-7f3a.42:1',
        forged.response.headers.get('x-request-id'),
      ]);
    } finally {
      await server.close();
    }
  });

  it('logs an operation under SLOW_OPERATION_MS not at all', async () => {
    const server = await startOpsInstance(db, { SLOW_OPERATION_MS: '60000' });
    try {
      await server.gql(ViewerDocument, {});
      expect(server.logs.filter((line) => line['msg'] === 'slow operation')).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

describe('unexpected errors', () => {
  it('are logged once each, with their request id, whether they happen while resolving the viewer or while executing', async () => {
    // A fault in the loaders' reads, as a bug or a drifted schema would raise it: not an answer meant for the client.
    const faults = { sessions: false };
    const server = await startOpsInstance({
      prisma: db.prisma,
      reads: {
        ...db.reads,
        usersById: () => Promise.reject(new Error('fault in usersById')),
        sessionsByTokenHash: (hashes) =>
          faults.sessions ? Promise.reject(new Error('fault in sessionsByTokenHash')) : db.reads.sessionsByTokenHash(hashes),
      },
    });
    try {
      const { token } = await makeSignedInUser(db.prisma);
      const executing = await server.gql(ViewerDocument, { token });
      faults.sessions = true;
      const resolving = await server.gql(ViewerDocument, { token: (await makeSignedInUser(db.prisma)).token });
      const unexpected = server.logs.filter((line) => line['msg'] === 'unexpected error');
      expect(unexpected.map((line) => [line['reqId'], (line['err'] as { message: string }).message])).toEqual([
        [executing.response.headers.get('x-request-id'), 'fault in usersById'],
        [resolving.response.headers.get('x-request-id'), 'fault in sessionsByTokenHash'],
      ]);
      for (const answer of [executing, resolving]) {
        expect(answer.json.errors?.map((e) => e.extensions?.code)).toEqual(['INTERNAL_SERVER_ERROR']);
        expect(JSON.stringify(answer.json)).not.toContain('fault in');
      }
    } finally {
      await server.close();
    }
  });
});

describe('secrets', () => {
  it('no password and no token reaches the logs of sign-up, log-in, reads, writes and log-out, at trace level', async () => {
    const server = await startOpsInstance(db, { LOG_LEVEL: 'trace', SLOW_OPERATION_MS: '0' });
    try {
      const password = `pw-${unique('secret')}`;
      const wrongPassword = `pw-${unique('wrong')}`;
      const email = `${unique('secret')}@test.example`;
      const tokens: string[] = [];
      const signUp = await server.gql(SignUpDocument, { variables: { input: { email, name: 'Secret', password } } });
      tokens.push(signUp.json.data?.signUp?.token as string);
      const refused = await server.gql(LogInDocument, { variables: { input: { email, password: wrongPassword } } });
      expect(refused.json.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      const logIn = await server.gql(LogInDocument, { variables: { input: { email, password } } });
      const token = logIn.json.data?.logIn?.token as string;
      tokens.push(token);
      const user = await db.prisma.user.findUniqueOrThrow({ where: { email } });
      const org = await makeOrg(db.prisma, [{ user, role: 'OWNER' }], { flags: { beta: false } });
      const page = await server.gql(OrganizationPageDocument, { token, variables: { slug: org.slug } });
      await server.gql(OrganizationPageDocument, { token, variables: { slug: org.slug } });
      const organizationId = page.json.data?.organization?.id as string;
      await server.gql(SetFeatureFlagDocument, { token, variables: { input: { organizationId, key: 'beta', enabled: true } } });
      // A request the server fails to read still must not echo its credentials.
      await server.gql(ViewerDocument, { token: `${token}tampered` });
      await server.gql(LogOutDocument, { token });
      await server.gql(ViewerDocument, { token });

      expect(tokens.every((t) => typeof t === 'string' && t.length > 20)).toBe(true);
      // Yoga's own debug lines are among them (9 requests, one a hot-path hit that never reaches Yoga), and every line, however deep it was logged, names its request.
      expect(server.logs.filter((line) => line['msg'] === 'Processing GraphQL Parameters')).toHaveLength(8);
      for (const line of server.logs) expect(line['reqId'], JSON.stringify(line)).toEqual(expect.any(String));
      const all = server.rawLogs.join('');
      for (const secret of [password, wrongPassword, ...tokens]) expect(all).not.toContain(secret);
      // Nor a token's distinctive part, in case something logs it split or re-encoded.
      for (const t of tokens) expect(all).not.toContain(t.slice(-24));
    } finally {
      await server.close();
    }
  });
});

describe('the logger', () => {
  it('redacts passwords, tokens and authorization headers wherever a caller puts them', () => {
    const lines: string[] = [];
    const logger = createLogger(loadEnv({ NODE_ENV: 'production', LOG_LEVEL: 'info' }), false, {
      write: (line: string) => lines.push(line),
    });
    logger.info({ password: 'p-top', token: 't-top', authorization: 'Bearer a-top' }, 'top');
    logger.info({ input: { password: 'p-nested', token: 't-nested' } }, 'nested');
    logger.info({ variables: { input: { password: 'p-deep' } } }, 'deep');
    logger.info({ req: { headers: { authorization: 'Bearer a-req' } } }, 'request');
    const all = lines.join('');
    expect(all).not.toMatch(/p-top|t-top|a-top|p-nested|t-nested|p-deep|a-req/);
    expect(all.match(/\[redacted\]/g)).toHaveLength(7);
  });
});
