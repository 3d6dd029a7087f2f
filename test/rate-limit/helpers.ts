import type { TestInstance } from '../helpers/app.ts';
import { request } from '../helpers/http.ts';

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
  const { status, headers, body } = await request<Answer['body']>(instance, {
    query,
    via: 'yoga',
    ip: options.ip ?? '203.0.113.1',
    ...(options.token ? { token: options.token } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.variables ? { variables: options.variables } : {}),
  });
  return { status, headers, body };
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
