import { GraphQLError } from 'graphql';

/** The closed set of error codes clients can branch on; anything else is masked as INTERNAL_SERVER_ERROR. */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  CONFLICT: 'CONFLICT',
  RATE_LIMITED: 'RATE_LIMITED',
  /** A dependency (the database) is unreachable: retry after `retryAfter` seconds; HTTP 503 when the whole operation failed. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  /** The document breaks the schema's rules, or a limit on its size, depth or cost. */
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  /** The document is not GraphQL. */
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  /** A persisted document id or APQ hash this server does not know: an APQ client resends the document with its hash. */
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  /** An APQ registration whose sha256Hash is not the SHA-256 of the document sent with it. */
  PERSISTED_QUERY_MISMATCH: 'PERSISTED_QUERY_MISMATCH',
  /** PERSISTED_DOCUMENTS=require: only documents of the manifest, by id, are run. */
  PERSISTED_DOCUMENT_REQUIRED: 'PERSISTED_DOCUMENT_REQUIRED',
  /** PERSISTED_DOCUMENTS=off: ids and APQ hashes are not accepted; an APQ client then sends the document itself. */
  PERSISTED_QUERY_NOT_SUPPORTED: 'PERSISTED_QUERY_NOT_SUPPORTED',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** An error meant for the client: its message and code pass the error mask unchanged. */
export class AppError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extra, code } });
  }
}

/** No valid session: the client should sign in again. */
export const unauthenticated = (message = 'You must be signed in') => new AppError(ErrorCode.UNAUTHENTICATED, message);
/** Signed in, allowed to see the thing, not allowed to do this to it. */
export const forbidden = (message = 'You are not allowed to do this') => new AppError(ErrorCode.FORBIDDEN, message);
/** Missing, or invisible to this viewer: the two are indistinguishable on purpose. */
export const notFound = (what: string) => new AppError(ErrorCode.NOT_FOUND, `${what} not found`);
/** The input is malformed; `field` names the input field so forms can highlight it. */
export const badInput = (message: string, field?: string) =>
  new AppError(ErrorCode.BAD_USER_INPUT, message, field ? { field } : {});
/** The input is valid but collides with existing state (unique values, last owner). */
export const conflict = (message: string, field?: string) => new AppError(ErrorCode.CONFLICT, message, field ? { field } : {});

/**
 * Over a rate limit; `retryAfter` is in seconds. With `refuseOperation` the whole operation is
 * refused and Yoga answers HTTP 429 with Retry-After; without it only the field fails and the
 * rest of the operation is answered.
 */
export function rateLimited(retryAfter: number, options: { message?: string; refuseOperation?: boolean } = {}): AppError {
  const message = options.message ?? `Too many requests; retry in ${retryAfter} s`;
  const http = options.refuseOperation ? { http: { status: 429, headers: { 'Retry-After': String(retryAfter) } } } : {};
  return new AppError(ErrorCode.RATE_LIMITED, message, { retryAfter, ...http });
}

/**
 * The HTTP status of the codes that refuse a whole request before it runs;
 * the others answer 200 beside partial data (429 and the GraphQL over HTTP
 * 400s are set where they are raised).
 */
export const REQUEST_ERROR_STATUS = {
  PERSISTED_QUERY_NOT_FOUND: 404,
  PERSISTED_QUERY_MISMATCH: 400,
  PERSISTED_DOCUMENT_REQUIRED: 400,
  PERSISTED_QUERY_NOT_SUPPORTED: 400,
} as const satisfies Partial<Record<ErrorCode, number>>;

/** A request refused before it runs, with its code's HTTP status (REQUEST_ERROR_STATUS). */
export function refusedRequest(code: keyof typeof REQUEST_ERROR_STATUS, message: string): AppError {
  return new AppError(code, message, { http: { status: REQUEST_ERROR_STATUS[code] } });
}

/** What a client is told to wait before retrying while the database is unreachable, in seconds. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/**
 * The database could not be reached: the client may retry after
 * `retryAfter` seconds. Only the HTTP status depends on whether the whole
 * operation failed, which useServiceUnavailable decides once the result is in.
 */
export const serviceUnavailable = (retryAfter = UNAVAILABLE_RETRY_AFTER_SECONDS) =>
  new AppError(ErrorCode.SERVICE_UNAVAILABLE, `The service is temporarily unavailable; retry in ${retryAfter} s`, {
    retryAfter,
  });

/** Prisma's codes for a database it cannot reach, lost, or has no free connection to. */
const PRISMA_UNREACHABLE = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
/** Socket errors of the driver. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** SQLSTATEs of a server that is going away, starting, or out of connections (class 08 is all connection exceptions). */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
/** Driver adapter error kinds for the same (Prisma's driver adapters wrap pg's errors in these). */
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
/** pg's own messages for a connection lost or never made; it gives them no code. */
const LOST_CONNECTION =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Connection is closed|Can't reach database server/i;

/**
 * Whether an error means the database is unreachable (down, cut off, out of
 * connections) rather than a bug: looks through the error and its causes.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; typeof e === 'object' && e !== null && depth < 5; depth++) {
    const code = Reflect.get(e, 'code');
    const kind = Reflect.get(e, 'kind');
    const name = Reflect.get(e, 'name');
    const message = Reflect.get(e, 'message');
    if (typeof code === 'string') {
      if (PRISMA_UNREACHABLE.has(code) || SOCKET_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code)) return true;
      if (/^08[0-9A-Z]{3}$/.test(code)) return true;
    }
    if (typeof kind === 'string' && ADAPTER_KINDS.has(kind)) return true;
    if (name === 'PrismaClientInitializationError') return true;
    if (typeof message === 'string' && LOST_CONNECTION.test(message)) return true;
    e = Reflect.get(e, 'cause') ?? Reflect.get(e, 'originalError');
  }
  return false;
}

/** Prisma's known error codes that are the client's doing, not the server's. */
const PRISMA_UNIQUE_VIOLATION = 'P2002';
const PRISMA_RECORD_NOT_FOUND = 'P2025';

function prismaCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}

/**
 * Runs a write and turns the Prisma errors a client can cause into coded errors:
 * a unique violation becomes CONFLICT, a vanished row NOT_FOUND. Others propagate
 * and are masked, so races between concurrent writes never surface as a 500.
 */
export async function mapPrismaErrors<T>(
  write: () => Promise<T>,
  messages: { conflict?: string; conflictField?: string; notFound?: string },
): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const code = prismaCode(error);
    if (code === PRISMA_UNIQUE_VIOLATION && messages.conflict) throw conflict(messages.conflict, messages.conflictField);
    if (code === PRISMA_RECORD_NOT_FOUND && messages.notFound) throw notFound(messages.notFound);
    throw error;
  }
}
