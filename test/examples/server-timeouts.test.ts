// The app's server keeps its own protections though drover never calls `listen` on it: Node starts an
// http.Server's connection tracking (the timer behind headersTimeout and requestTimeout) on its
// 'listening' event, which drover emits itself. Without it a client that sends its headers slowly
// (slowloris) would hold a worker slot for ever.
import assert from "node:assert/strict";
import { connect } from "node:net";
import { describe, it } from "node:test";
import { startDrover } from "../support/drover.ts";

const DEFINE_APP = JSON.stringify(new URL("../../src/index.ts", import.meta.url).pathname);
const APP = `import { createServer } from "node:http";
import { defineApp } from ${DEFINE_APP};

export default defineApp({
  createServer: () =>
    createServer({ headersTimeout: 1_000, requestTimeout: 2_000, connectionsCheckingInterval: 200 }, (_req, res) =>
      res.end("ok"),
    ),
});
`;
// Well over headersTimeout plus one check interval.
const PATIENCE_MS = 5_000;

/** Sends the start of a request and never finishes it; resolves with what came back before the close. */
function slowHeaders(port: number): Promise<{ closed: boolean; reply: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: "127.0.0.1" }, () => socket.write("GET / HTTP/1.1\r\nHost: x\r\n"));
    let reply = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (reply += chunk));
    socket.on("error", reject);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ closed: false, reply });
    }, PATIENCE_MS);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ closed: true, reply });
    });
  });
}

describe("the app server's own timeouts", () => {
  it("headersTimeout answers a slow client 408 and closes", { timeout: 60_000 }, async () => {
    const drover = await startDrover({ app: APP, config: { startServers: 1, workersPerChild: 4 } });
    try {
      assert.equal((await drover.request()).body, "ok");
      const slow = await slowHeaders(drover.port);
      assert.ok(slow.closed, `the connection was still open after ${PATIENCE_MS} ms`);
      assert.match(slow.reply, /^HTTP\/1\.1 408 /);
    } finally {
      await drover.stop();
    }
  });
});
