// A connection whose request waited in the slow lane keeps the hidden class of every other connection:
// a property on some sockets only would give them a second one, and Node's code that handles every
// socket would go megamorphic (and slower) for the child's life (docs/benchmarks.md). The child's app
// asks V8 itself, through its natives syntax, whether two sockets share their hidden class.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type RunningDrover, startDrover } from "../support/drover.ts";
import { RawConnection } from "../support/load.ts";

// ?as=NAME keeps the request's socket under NAME; /same answers whether the sockets kept as `lane` and
// `direct` share one hidden class. ?ms= holds the loop that long, to make a route slow.
const APP = `
import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
setFlagsFromString("--allow-natives-syntax");
const sameMap = new Function("a", "b", "return %HaveSameMap(a, b)");
const sockets = new Map();
export default (req, res) => {
  const url = new URL(req.url, "http://x");
  const as = url.searchParams.get("as");
  if (as) sockets.set(as, req.socket);
  const end = performance.now() + Number(url.searchParams.get("ms") ?? 0);
  while (performance.now() < end);
  const body = url.pathname === "/same" ? String(sameMap(sockets.get("lane"), sockets.get("direct"))) : "ok";
  res.setHeader("content-length", Buffer.byteLength(body));
  res.end(body);
};
`;

async function laneRequests(drover: RunningDrover): Promise<number> {
  return (await drover.status()).children[0]?.slowLaneRequests ?? Number.NaN;
}

describe("a child's sockets", { timeout: 60_000 }, () => {
  it("keep one hidden class whether or not a request of theirs waited in the slow lane", async () => {
    const drover = await startDrover({
      app: APP,
      config: { startServers: 1, minSpareWorkers: 1, maxSpareWorkers: 1024, slowRequestThreshold: "10ms" },
    });
    const connections: RawConnection[] = [];
    try {
      // Each connection is opened just before its requests: one left idle while `drover status` runs
      // (seconds on a loaded machine) would be closed at keepAliveTimeout.
      const open = async () => {
        const connection = await RawConnection.open(drover.port);
        connections.push(connection);
        return connection;
      };
      // A route's first slow request is not counted: after two, /heavy is slow.
      const learner = await open();
      await learner.get("/heavy?ms=30");
      await learner.get("/heavy?ms=30");
      const before = await laneRequests(drover);
      await (await open()).get("/heavy?ms=30&as=lane");
      assert.equal(await laneRequests(drover), before + 1, "the request took the slow lane");
      await (await open()).get("/fast?as=direct");
      // Asked before the next status call, while both kept sockets are still open.
      assert.equal((await (await open()).get("/same")).body, "true");
      assert.equal(await laneRequests(drover), before + 1, "the cheap request did not take the lane");
    } finally {
      for (const connection of connections) connection.close();
      await drover.stop();
    }
  });
});
