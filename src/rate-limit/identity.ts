/** What the node:http adapter puts in Yoga's server context; tests pass the same shape to app.fetch. */
export interface ServerContext {
  req?: { socket?: { remoteAddress?: string | undefined } | undefined } | undefined;
}

/**
 * The client's IP. X-Forwarded-For is read only for the configured number of
 * trusted proxy hops, counted from the right (each proxy appends the address
 * it received from): with none trusted, the socket's peer is the client, so a
 * client cannot pick its own identity by sending the header.
 */
export function clientIp(request: Request, server: ServerContext, trustedHops: number): string {
  const peer = server.req?.socket?.remoteAddress ?? 'unknown';
  if (trustedHops <= 0) return peer;
  const forwarded = (request.headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  // The peer is the last proxy; the entry `trustedHops` from the right is what the outermost trusted proxy saw.
  return forwarded[forwarded.length - trustedHops] ?? forwarded[0] ?? peer;
}

/** The server context inside Yoga's untyped plugin payloads: only the socket's address is read from it. */
export function serverContextOf(context: unknown): ServerContext {
  if (typeof context !== 'object' || context === null || !('req' in context)) return {};
  const req: unknown = context.req;
  if (typeof req !== 'object' || req === null || !('socket' in req)) return {};
  const socket: unknown = req.socket;
  if (typeof socket !== 'object' || socket === null || !('remoteAddress' in socket)) return {};
  const remoteAddress: unknown = socket.remoteAddress;
  return { req: { socket: { remoteAddress: typeof remoteAddress === 'string' ? remoteAddress : undefined } } };
}
