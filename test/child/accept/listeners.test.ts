// A child accepts on servers of its own and hands each connection to the app's server: the connection
// must be set up as that server would have set it up had it accepted it itself (Nagle off, half-open).
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { describe, it } from "node:test";
import { connectionOptions } from "../../../src/child/accept/listeners.ts";
import { startDrover } from "../../support/drover.ts";

describe("the child's listeners", () => {
  it("take the connection options of the app's server", () => {
    const { highWaterMark, ...options } = connectionOptions(createServer());
    assert.deepEqual(options, {
      allowHalfOpen: true,
      noDelay: true,
      keepAlive: false,
      keepAliveInitialDelay: 0,
    });
    assert.equal(typeof highWaterMark, "number");
    const tuned = createServer({ noDelay: false, keepAlive: true, keepAliveInitialDelay: 3_000 });
    assert.equal(connectionOptions(tuned).noDelay, false);
    assert.equal(connectionOptions(tuned).keepAlive, true);
    assert.equal(connectionOptions(tuned).keepAliveInitialDelay, 3_000);
  });

  it("hand the app connections set up as its own server sets them up", { timeout: 60_000 }, async () => {
    const drover = await startDrover({
      app: `export default (request, response) => response.end(JSON.stringify({ allowHalfOpen: request.socket.allowHalfOpen }));\n`,
      config: { startServers: 1, workersPerChild: 4 },
    });
    try {
      const reply = await drover.request("/");
      assert.deepEqual(JSON.parse(reply.body), { allowHalfOpen: true });
    } finally {
      await drover.stop();
    }
  });
});
