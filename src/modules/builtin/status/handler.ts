// Serving the page: the configured path only (any query), to allowed clients only, GET and HEAD only,
// in the form the query asks for: `?json`, `?auto`, or HTML with an optional `?refresh=N`.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ScoreboardReader } from "../../context.ts";
import { forbid } from "../access.ts";
import { queryIfPath } from "../request-path.ts";
import { MAX_REFRESH_SECONDS, type StatusOptions } from "./options.ts";
import { statusPageReport } from "./page-report.ts";
import { renderAuto } from "./render-auto.ts";
import { renderHtml } from "./render-html.ts";

// A page about the server's state: never cached, never sniffed as another type, and its URL (which
// may hold the token) not sent on as a referrer.
const COMMON_HEADERS = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};
// The page needs no script and nothing from elsewhere; say so, in case a request line slips through.
const HTML_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; frame-ancestors 'none'";

/** The module's request handler: it decides at once, so it returns a boolean, never a promise. */
export function statusHandler(
  options: StatusOptions,
  scoreboard: ScoreboardReader,
  version: string | null,
): (request: IncomingMessage, response: ServerResponse) => boolean {
  return (request, response) => {
    const query = queryIfPath(request.url ?? "", options.path);
    if (query === undefined) return false;
    if (!options.access.allows(request)) {
      forbid(response);
      return true;
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      send(response, 405, "text/plain", `405 Method Not Allowed: use GET or HEAD\n`, { allow: "GET, HEAD" });
      return true;
    }
    const params = new URLSearchParams(query);
    if (params.has("json")) {
      const report = statusPageReport(scoreboard.snapshot(), version);
      send(response, 200, "application/json", `${JSON.stringify(report, null, 2)}\n`);
    } else if (params.has("auto")) {
      send(response, 200, "text/plain", renderAuto(statusPageReport(scoreboard.snapshot(), version)));
    } else {
      const refresh = readRefresh(params.get("refresh"), options.refresh);
      if (refresh === undefined) {
        const problem = `400 Bad Request: refresh must be a whole number of seconds from 0 to ${MAX_REFRESH_SECONDS}\n`;
        send(response, 400, "text/plain", problem);
        return true;
      }
      const token = params.get("token");
      const html = renderHtml(statusPageReport(scoreboard.snapshot(), version), {
        refresh,
        carry: token === null ? [] : [["token", token]],
      });
      send(response, 200, "text/html", html, { "content-security-policy": HTML_POLICY });
    }
    return true;
  };
}

function readRefresh(given: string | null, fallback: number): number | undefined {
  if (given === null) return fallback;
  const seconds = /^\d{1,4}$/.test(given) ? Number(given) : Number.NaN;
  return seconds <= MAX_REFRESH_SECONDS ? seconds : undefined;
}

function send(
  response: ServerResponse,
  status: number,
  type: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    ...COMMON_HEADERS,
    ...headers,
    "content-type": `${type}; charset=utf-8`,
    "content-length": Buffer.byteLength(body),
  });
  // Node leaves the body out of an answer to HEAD by itself.
  response.end(body);
}
