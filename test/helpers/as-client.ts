import type { TestInstance } from './app.ts';

/** What a raw GraphQL POST answered, body parsed. */
export interface ClientAnswer {
  status: number;
  headers: Headers;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  };
}

/**
 * Posts a document to an instance's Yoga as a given client: its socket address
 * (what the rate limits count when no proxy is trusted), headers and token.
 */
export async function sendAs(
  instance: TestInstance,
  query: string,
  client: { ip?: string; token?: string; headers?: Record<string, string>; variables?: Record<string, unknown> } = {},
): Promise<ClientAnswer> {
  const body = JSON.stringify({ query, variables: client.variables ?? {} });
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    ...client.headers,
  };
  if (client.token) headers['authorization'] = `Bearer ${client.token}`;
  const response = await instance.app.fetch(
    'http://test.local/graphql',
    { method: 'POST', headers, body },
    { req: { socket: { remoteAddress: client.ip ?? '203.0.113.1' } } },
  );
  return { status: response.status, headers: response.headers, body: (await response.json()) as ClientAnswer['body'] };
}

/** The codes of an answer's errors, one per failed field. */
export const answerCodes = (answer: ClientAnswer) => (answer.body.errors ?? []).map((e) => e.extensions?.['code']);
