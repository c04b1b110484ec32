// The scrape endpoint: GET or HEAD on the exact path, for allowed clients, answered with the
// registry's text exposition. Anything else passes on to the next handler and the app. The path
// alone decides whether the request is ours, so the handler says so at once (true) and answers when
// the text is ready, rather than making every request of the app wait on a promise.
import type { ServerResponse } from "node:http";
import type { Registry } from "prom-client";
import type { HookLogger } from "../../context.ts";
import type { ModuleRequestHandler } from "../../requests.ts";
import { type AccessRule, forbid } from "../access.ts";
import { queryIfPath } from "../request-path.ts";

export interface Endpoint {
  readonly path: string;
  readonly access: AccessRule;
  readonly registry: Registry;
  /** Takes the scoreboard snapshot this scrape's metrics read. */
  readonly takeSnapshot: () => void;
  readonly log: HookLogger;
}

export function metricsHandler({
  path,
  access,
  registry,
  takeSnapshot,
  log,
}: Endpoint): ModuleRequestHandler {
  return (request, response) => {
    if (queryIfPath(request.url ?? "", path) === undefined) return false;
    if (!access.allows(request)) {
      forbid(response);
      return true;
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" });
      response.end("405 Method Not Allowed: use GET or HEAD\n");
      return true;
    }
    // One snapshot for the whole scrape, taken before metrics() calls the collect() callbacks, so
    // that every metric shows the same instant. prom-client calls them all synchronously as metrics()
    // begins, so a second scrape cannot swap the snapshot under this one.
    takeSnapshot();
    registry.metrics().then(
      (text) => {
        response.writeHead(200, {
          "content-type": registry.contentType,
          "content-length": Buffer.byteLength(text),
          "cache-control": "no-store",
        });
        response.end(text);
      },
      (error: unknown) => failed(response, error, log),
    );
    return true;
  };
}

function failed(response: ServerResponse, error: unknown, log: HookLogger): void {
  log.error("could not render the metrics", { err: error });
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.writeHead(500, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
  response.end("500 Internal Server Error: could not render the metrics\n");
}
