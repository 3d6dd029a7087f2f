// The ceiling: a bare node:http server answering every request with the very
// bytes tenant-graph answered for the workload's query. It reads each request
// body to the end (any real server must) and does nothing else, so no Node
// GraphQL server can be faster on this machine.
//
// With BARE_HEADERS_FILE it also sends the head another server answered
// with (a hit's, recorded by the bench): the same header lines, values as
// recorded, so the cost of the head itself (Node writing it, the load
// generator parsing it) is measured apart from the work behind it.
//
// Env: PORT, HOST, BARE_RESPONSE_FILE (the response body to replay), BARE_HEADERS_FILE (optional: a JSON object of headers).

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const file = process.env['BARE_RESPONSE_FILE'];
if (!file) throw new Error('BARE_RESPONSE_FILE is required');
const body = readFileSync(file);
const headersFile = process.env['BARE_HEADERS_FILE'];
const recorded = headersFile ? (JSON.parse(readFileSync(headersFile, 'utf8')) as Record<string, string>) : {};
const headers = { 'content-type': 'application/json; charset=utf-8', ...recorded, 'content-length': String(body.length) };

const server = createServer((request, response) => {
  request.on('data', () => {});
  request.on('end', () => {
    response.writeHead(200, headers);
    response.end(body);
  });
});
server.listen(Number(process.env['PORT'] ?? 4000), process.env['HOST'] ?? '127.0.0.1');

const stop = () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
