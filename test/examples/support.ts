// Helpers for the tests of the framework examples: where the examples are, GETs that parse the JSON the
// examples answer with (on a fresh connection or on a given keep-alive agent), and bounded polls.
// Everything here touches loopback only and gives up after a fixed time.
import assert from "node:assert/strict";
import { type Agent, get, type IncomingHttpHeaders } from "node:http";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";

export const EXAMPLES_DIR = join(import.meta.dirname, "..", "..", "examples");

export interface Example {
  /** The folder under examples/, also the `framework` its app names in its replies. */
  readonly name: string;
  /** The app module, absolute. */
  readonly app: string;
  /** The example's own drover.config.ts, absolute. */
  readonly config: string;
}

function example(name: string, app: string): Example {
  return {
    name,
    app: join(EXAMPLES_DIR, name, app),
    config: join(EXAMPLES_DIR, name, "drover.config.ts"),
  };
}

export const EXAMPLES: readonly Example[] = [
  example("express", "app.ts"),
  example("fastify", "app.ts"),
  example("hono", "app.ts"),
  example("koa", "app.ts"),
  example("plain-js", "app.mjs"),
];

/** The same apps as PM2 or node:cluster run them: each calls listen() itself and exports nothing. */
export const LISTEN_EXAMPLES: readonly Example[] = [
  example("express-listen", "app.ts"),
  example("fastify-listen", "app.ts"),
  example("hono-listen", "app.ts"),
  example("koa-listen", "app.ts"),
  example("http-listen", "server.cjs"),
];

/** What every example answers: its framework, the pid of the child that answered, and route fields. */
export interface ExampleReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: { readonly framework: string; readonly pid: number; readonly [field: string]: unknown };
}

/** A GET whose body must be JSON; on a fresh connection unless an agent is given. */
export function getJson(port: number, path: string, agent?: Agent): Promise<ExampleReply> {
  return new Promise((resolve, reject) => {
    const request = get(
      { host: "127.0.0.1", port, path, agent: agent ?? false, timeout: 10_000 },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (text += chunk));
        response.on("error", reject);
        response.on("end", () => {
          try {
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: JSON.parse(text) as ExampleReply["body"],
            });
          } catch {
            reject(new Error(`GET ${path}: not JSON (status ${response.statusCode}): ${text.slice(0, 200)}`));
          }
        });
      },
    );
    request.on("timeout", () => request.destroy(new Error(`GET ${path} timed out`)));
    request.on("error", reject);
  });
}

/**
 * Sends GETs of `path` in rounds of `concurrency` until `distinct` different children have answered, or
 * `maxRequests` were sent. Checks each reply with `check`. Returns the pids seen and the number sent.
 */
export async function requestFromChildren(
  port: number,
  path: string,
  check: (reply: ExampleReply) => void,
  { distinct = 2, concurrency = 4, maxRequests = 200 } = {},
): Promise<{ pids: Set<number>; sent: number }> {
  const pids = new Set<number>();
  let sent = 0;
  while (pids.size < distinct && sent < maxRequests) {
    const replies = await Promise.all(Array.from({ length: concurrency }, () => getJson(port, path)));
    sent += concurrency;
    for (const reply of replies) {
      check(reply);
      pids.add(reply.body.pid);
    }
  }
  return { pids, sent };
}

/** Polls `check` every 50 ms until it returns true; fails naming `what` after `timeoutMs`. */
export async function waitUntil(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(50);
  }
}
