import type { TestInstance } from '../helpers/app.ts';

/** What a raw GraphQL POST answered. */
export interface Answer {
  status: number;
  headers: Headers;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  };
}

/** Posts a document as the given client: its socket address, bearer token and extra headers. */
export async function send(
  instance: TestInstance,
  query: string,
  options: { ip?: string; token?: string; headers?: Record<string, string>; variables?: Record<string, unknown> } = {},
): Promise<Answer> {
  const body = JSON.stringify({ query, variables: options.variables ?? {} });
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    ...options.headers,
  };
  if (options.token) headers['authorization'] = `Bearer ${options.token}`;
  const response = await instance.app.fetch(
    'http://test.local/graphql',
    { method: 'POST', headers, body },
    { req: { socket: { remoteAddress: options.ip ?? '203.0.113.1' } } },
  );
  return { status: response.status, headers: response.headers, body: (await response.json()) as Answer['body'] };
}

/** `n` aliased logIn fields in one document, each for its own unknown email so only the IP limit applies. */
export function aliasedLogIns(n: number, tag: string, email?: string): string {
  const fields = Array.from(
    { length: n },
    (_, i) => `a${i}: logIn(input: { email: "${email ?? `${tag}-${i}@nobody.example`}", password: "wrong-password" }) { token }`,
  );
  return `mutation { ${fields.join(' ')} }`;
}

/** The codes of an answer's errors, one per failed field. */
export const codes = (answer: Answer) => (answer.body.errors ?? []).map((e) => e.extensions?.['code']);
