// The slow lane in real drover children: a cheap request read behind two slow ones starts first, with
// the app's own handler and with a framework's server; a connection's pipelined requests keep their
// order; connections take turns; requests whose clients gave up are not run. The child's app records
// the order requests start in; the scoreboard shows what waits in the lane.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { waitFor } from "../harness/wait.ts";
import { type RunningDrover, startDrover } from "../support/drover.ts";
import { pipeline } from "../support/lane-server.ts";
import { board } from "../support/lifecycle.ts";
import { RawConnection } from "../support/load.ts";

const INDEX = join(import.meta.dirname, "..", "..", "src", "index.ts");

// GET /order reads and clears the order requests started in. /block sends its head before it holds
// the loop, so that a client can see it started. As a plain handler, or (ownServer) from a server of
// its own, which drover reaches through its emit.
const app = (ownServer: boolean) => `
import { createServer } from "node:http";
import { performance } from "node:perf_hooks";
import { defineApp } from ${JSON.stringify(INDEX)};
const order: string[] = [];
const handler = (req: any, res: any) => {
  const url = new URL(req.url, "http://x");
  if (url.pathname === "/order") {
    const body = JSON.stringify(order.splice(0));
    res.setHeader("content-length", Buffer.byteLength(body));
    res.end(body);
    return;
  }
  order.push(url.pathname + (url.searchParams.get("n") ?? ""));
  res.setHeader("content-length", "2");
  if (url.pathname === "/block") res.flushHeaders();
  const end = performance.now() + Number(url.searchParams.get("ms") ?? 0);
  while (performance.now() < end);
  res.end("ok");
};
export default ${ownServer ? "defineApp({ createServer: () => createServer(handler) })" : "handler"};`;

const ONE_CHILD = {
  startServers: 1,
  minSpareWorkers: 1,
  maxSpareWorkers: 1024,
  slowRequestThreshold: "10ms",
};

/** Makes `/heavy` slow (a route's first slow request is not counted), then clears the order. */
async function learnHeavy(connection: RawConnection): Promise<void> {
  await connection.get("/heavy?ms=30");
  await connection.get("/heavy?ms=30");
  await connection.get("/order");
}

async function orderOf(connection: RawConnection): Promise<string[]> {
  return JSON.parse((await connection.get("/order")).body) as string[];
}

/**
 * Opens `count` connections, learns `/heavy` as slow, blocks the child with an unknown route for
 * 400 ms, and once the block has started runs `send`: whatever it sends is read in one turn once the
 * block ends.
 */
async function whileBlocked(
  drover: RunningDrover,
  count: number,
  send: (connections: RawConnection[]) => Promise<unknown>[],
): Promise<string[]> {
  const connections = await Promise.all(
    Array.from({ length: count + 1 }, () => RawConnection.open(drover.port)),
  );
  try {
    const [blocker, ...others] = connections as [RawConnection, ...RawConnection[]];
    await accepted(drover, count + 1);
    await learnHeavy(blocker);
    blocker.send("/block?ms=400");
    await waitFor("the child to start /block", () => blocker.headReceived, 15_000, 5);
    await Promise.all([blocker.reply(), ...send(others)]);
    return (await orderOf(blocker)).slice(1);
  } finally {
    for (const connection of connections) connection.close();
  }
}

describe("the slow lane in a drover child", { timeout: 60_000 }, () => {
  it("starts a cheap request read behind two slow ones first; with the lane off, last", async () => {
    for (const [threshold, ownServer, expected] of [
      ["10ms", false, ["/fast", "/heavy1", "/heavy2"]],
      ["10ms", true, ["/fast", "/heavy1", "/heavy2"]],
      [0, false, ["/heavy1", "/heavy2", "/fast"]],
    ] as const) {
      const drover = await startDrover({
        app: app(ownServer),
        config: { ...ONE_CHILD, slowRequestThreshold: threshold },
      });
      try {
        const order = await whileBlocked(
          drover,
          3,
          ([first, second, third]) =>
            [
              first?.get("/heavy?ms=30&n=1"),
              second?.get("/heavy?ms=30&n=2"),
              third?.get("/fast"),
            ] as Promise<unknown>[],
        );
        assert.deepEqual(order, expected, `slowRequestThreshold ${threshold}, own server ${ownServer}`);
        // The scoreboard counts the two that took the lane, and none waits there now.
        const [child] = (await drover.status()).children;
        assert.equal(child?.slowLaneRequests, threshold === 0 ? 0 : 2);
        assert.equal(child?.slowLaneWaiting, 0);
      } finally {
        await drover.stop();
      }
    }
  });

  it("keeps the order of one connection's pipelined requests", async () => {
    const drover = await startDrover({ app: app(false), config: ONE_CHILD });
    try {
      const order = await whileBlocked(drover, 2, ([pipelined, other]) => {
        pipelined?.send("/heavy?ms=30&n=1");
        pipelined?.send("/fast?n=1");
        return [pipelined?.reply(), pipelined?.reply(), other?.get("/fast?n=2")] as Promise<unknown>[];
      });
      // The other connection's cheap request goes first; the pipelined one waits behind its own heavy.
      assert.deepEqual(order, ["/fast2", "/heavy1", "/fast1"]);
    } finally {
      await drover.stop();
    }
  });

  it("gives another connection's heavy request a turn before most of 20 pipelined ones", async () => {
    const drover = await startDrover({ app: app(false), config: ONE_CHILD });
    const connections: RawConnection[] = [];
    try {
      const [pipelining, other] = await Promise.all([
        RawConnection.open(drover.port),
        RawConnection.open(drover.port),
      ]);
      connections.push(pipelining, other);
      await accepted(drover, 2);
      await learnHeavy(pipelining);
      pipeline(
        pipelining,
        Array.from({ length: 20 }, (_, index) => `/heavy?ms=30&n=${index + 1}`),
      );
      await waitFor("the pipelined requests waiting", () => slowLaneWaiting(drover) >= 15, 15_000, 5);
      const replies = [other.get("/heavy?ms=30&n=B")];
      for (let n = 0; n < 20; n++) replies.push(pipelining.reply());
      await Promise.all(replies);
      const order = await orderOf(pipelining);
      assert.equal(order.length, 21);
      // Started before B: the pipelined ones started before it was read (at most 5), then one more.
      assert.ok(order.indexOf("/heavyB") <= 7, order.join(" "));
    } finally {
      for (const connection of connections) connection.close();
      await drover.stop();
    }
  });

  it("does not run the waiting requests of clients that gave up", async () => {
    const drover = await startDrover({ app: app(false), config: ONE_CHILD });
    const connections: RawConnection[] = [];
    try {
      const clients = await Promise.all(Array.from({ length: 30 }, () => RawConnection.open(drover.port)));
      const probe = await RawConnection.open(drover.port);
      connections.push(...clients, probe);
      await accepted(drover, 31);
      await learnHeavy(probe);
      for (const [index, client] of clients.entries()) client.send(`/heavy?ms=50&n=${index}`);
      await waitFor("most of the 30 waiting", () => slowLaneWaiting(drover) >= 20, 15_000, 5);
      const waitingWhenGone = slowLaneWaiting(drover);
      for (const client of clients) client.close();
      // A request to the slow route goes in the lane behind what is left there: once it is answered,
      // every request the clients sent was either run or shed.
      await probe.get("/heavy?n=probe");
      const ran = (await orderOf(probe)).filter((name) => name !== "/heavyprobe");
      // Those running or about to when the clients left may still run: at most two more.
      assert.ok(ran.length <= 30 - waitingWhenGone + 2, `${ran.length} ran of 30, ${waitingWhenGone} waited`);
    } finally {
      for (const connection of connections) connection.close();
      await drover.stop();
    }
  });
});

// A child accepts about one connection per turn of its loop: once it holds them all (a worker slot
// each), what the test sends on them is read in one turn.
function accepted(drover: RunningDrover, connections: number): Promise<true> {
  return waitFor(`the child to accept ${connections} connections`, () => {
    return board(drover.runDir).totals.busyWorkers >= connections;
  });
}

function slowLaneWaiting(drover: RunningDrover): number {
  return board(drover.runDir).children[0]?.slowLaneWaiting ?? 0;
}
