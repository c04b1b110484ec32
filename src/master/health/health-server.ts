// The master's health listener: GET (or HEAD) /livez and /readyz, 200 or 503 with the verdict as a
// short JSON body. The master answers it on its own event loop, never through a child, so a stuck
// master does not answer at all, and a stuck app cannot make it lie. The only listener the master
// accepts on besides its control socket; what one client can hold there is small and bounded.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { formatListener } from "../../config/listen.ts";
import type { TcpListener } from "../../config/types/resolved-config.ts";
import { DroverError, ErrorCode } from "../../errors.ts";
import type { Logger } from "../../log/logger.ts";
import type { HealthVerdict, MasterHealth } from "./health.ts";

// A probe is one small request: whoever holds a connection longer, or opens many, is cut.
const MAX_CONNECTIONS = 32;
const REQUEST_TIMEOUT_MS = 5_000;

export interface HealthServer {
  /** "127.0.0.1:9000", with the real port. */
  readonly address: string;
  close(): Promise<void>;
}

export async function startHealthServer(
  listener: TcpListener,
  health: MasterHealth,
  log: Logger,
): Promise<HealthServer> {
  const server = createServer((request, response) => answer(request, response, health));
  server.maxConnections = MAX_CONNECTIONS;
  server.headersTimeout = REQUEST_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = 1_000;
  await listen(server, listener);
  // Once it listens, a failure (accept hitting EMFILE) is logged; it must not end the master.
  server.on("error", (error) => log.error({ err: error }, `health listener: ${error.message}`));
  const bound = server.address();
  const port = bound && typeof bound === "object" ? bound.port : listener.port;
  return {
    address: formatListener({ ...listener, port }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive probes must not hold a stopping master open.
        server.closeAllConnections();
      }),
  };
}

function answer(request: IncomingMessage, response: ServerResponse, health: MasterHealth): void {
  const path = (request.url ?? "/").split("?")[0];
  const verdict: HealthVerdict | undefined =
    path === "/livez" ? health.liveness() : path === "/readyz" ? health.readiness() : undefined;
  if (verdict === undefined) {
    send(response, 404, { error: "not found: the health listener answers GET /livez and /readyz" });
  } else if (request.method !== "GET" && request.method !== "HEAD") {
    response.setHeader("allow", "GET, HEAD");
    send(response, 405, { error: `${request.method} is not allowed: use GET` });
  } else {
    send(response, verdict.ok ? 200 : 503, verdict, request.method === "HEAD");
  }
}

function send(response: ServerResponse, status: number, body: object, headOnly = false): void {
  const text = `${JSON.stringify(body)}\n`;
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  response.end(headOnly ? undefined : text);
}

function listen(server: Server, listener: TcpListener): Promise<void> {
  const where = `health.listen ${formatListener(listener)}`;
  return new Promise((resolve, reject) => {
    server.once("error", (cause: NodeJS.ErrnoException) => {
      const [code, advice] =
        cause.code === "EADDRINUSE"
          ? [
              ErrorCode.LISTEN_IN_USE,
              "the address is already in use; stop what holds it (`ss -ltnp` shows it) or choose another",
            ]
          : cause.code === "EACCES" || cause.code === "EPERM"
            ? [ErrorCode.LISTEN_PERMISSION, "permission denied; choose a port of 1024 or more for it"]
            : [ErrorCode.LISTEN_FAILED, `${cause.message}; check the address`];
      reject(new DroverError(code, `cannot listen on ${where}: ${advice}.`, { cause }));
    });
    server.listen({ host: listener.host, port: listener.port }, () => {
      server.removeAllListeners("error");
      resolve();
    });
  });
}
