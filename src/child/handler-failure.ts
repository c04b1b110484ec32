// A handler that threw (or whose promise rejected): that request alone gets a 500, or is cut when its
// reply had begun, and the error is logged with its stack; the child serves on.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../log/logger.ts";

export function answerFailure(
  log: Logger,
  error: unknown,
  request: IncomingMessage,
  response: ServerResponse,
): void {
  const path = (request.url ?? "").split("?")[0];
  log.error(
    { err: error, method: request.method, path },
    "the app's handler threw: answered 500, the child serves on",
  );
  if (response.writableEnded) return;
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const body = "Internal Server Error\n";
  response.writeHead(500, { "content-type": "text/plain", "content-length": Buffer.byteLength(body) });
  response.end(body);
}
