// The `hello` app: every request answers "hello world", the smallest useful HTTP response.
import type { IncomingMessage, ServerResponse } from "node:http";

const BODY = "hello world";
const HEADERS = { "content-type": "text/plain", "content-length": String(Buffer.byteLength(BODY)) };

/** Answers every request with "hello world". */
export function hello(_request: IncomingMessage, response: ServerResponse): void {
  response.writeHead(200, HEADERS);
  response.end(BODY);
}
