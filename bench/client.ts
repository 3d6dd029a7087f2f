// The few requests the bench makes outside the load: sign in, read the facts
// the workloads need, and record the reference responses.

import { DEMO_ACCOUNTS } from '../prisma/seed.ts';
import { looksOk } from './check.ts';
import type { Account } from './viewers.ts';
import { requestBody, type Operation, type WorkloadContext } from './workloads.ts';

/** POSTs one GraphQL request and answers its head and raw body; throws on non-2xx or errors. */
async function answerOf(origin: string, body: string, token?: string): Promise<{ headers: Headers; text: string }> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (token) headers['authorization'] = `Bearer ${token}`;
  const response = await fetch(`${origin}/graphql`, { method: 'POST', headers, body, signal: AbortSignal.timeout(30_000) });
  const text = await response.text();
  if (!looksOk(response.status, text)) throw new Error(`${origin}: HTTP ${response.status}: ${text.slice(0, 500)}`);
  return { headers: response.headers, text };
}

/** POSTs one GraphQL request and answers the raw body; throws on non-2xx or errors. */
export const post = async (origin: string, body: string, token?: string): Promise<string> =>
  (await answerOf(origin, body, token)).text;

/** Headers node:http writes on every response itself, and the length, which follows the body. */
const OWN_HEADERS = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);

/**
 * The header lines a read's answer carries, but those node:http writes on
 * every response of its own: what bare.ts replays as the head of a hit.
 */
export async function headOf(origin: string, op: Operation, token: string | undefined, ctx: WorkloadContext) {
  const { headers } = await answerOf(origin, requestBody(op, 0, ctx), token);
  return Object.fromEntries([...headers].filter(([name]) => !OWN_HEADERS.has(name)));
}

/** Signs in with the server's own logIn mutation; answers the bearer token. */
export async function logIn(origin: string, { email, password }: Account): Promise<string> {
  const body = JSON.stringify({
    query: 'mutation LogIn($input: LogInInput!) { logIn(input: $input) { token } }',
    variables: { input: { email, password } },
  });
  const json = JSON.parse(await post(origin, body)) as { data: { logIn: { token: string } } };
  return json.data.logIn.token;
}

export const logInAlice = (origin: string) => logIn(origin, DEMO_ACCOUNTS.alice);

/** What the workloads need to know about the seeded data: acme's id asked of the server under test, the largest org's slug given. */
export async function workloadContext(origin: string, token: string, largestOrgSlug: string): Promise<WorkloadContext> {
  const body = JSON.stringify({ query: 'query { organization(slug: "acme") { id } }' });
  const json = JSON.parse(await post(origin, body, token)) as { data: { organization: { id: string } | null } };
  if (!json.data.organization) throw new Error(`${origin}: alice cannot see acme`);
  return { acmeId: json.data.organization.id, largestOrgSlug };
}

/** A read's response as the reference server answers it: the bytes, and the data for other servers to match. */
export interface Reference {
  body: string;
  data: unknown;
}

/** Records a read's reference answer; a missing token fails loudly, since every read needs a viewer. */
export async function recordReference(
  origin: string,
  token: string | undefined,
  op: Operation,
  ctx: WorkloadContext,
): Promise<Reference> {
  const body = await post(origin, requestBody(op, 0, ctx), token);
  return { body, data: (JSON.parse(body) as { data: unknown }).data };
}
