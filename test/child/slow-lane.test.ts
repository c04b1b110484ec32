// The slow lane: a route whose handler holds the event loop starts after the requests already read,
// one per turn of the loop; a connection's own requests keep their order; a route that turns cheap
// leaves the lane. First the lane alone on a real http server in this process, then in a drover child.
import assert from "node:assert/strict";
import { createServer, get, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { after, before, describe, it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { routeOf, SLOW_ROUTES_KEPT, SlowLane } from "../../src/child/slow-lane.ts";
import { type RunningDrover, startDrover } from "../support/drover.ts";
import { RawConnection } from "../support/load.ts";

// Holds the event loop for `?ms=` milliseconds, by the clock (the test is about order, not speed).
function busyAnswer(request: IncomingMessage, response: ServerResponse): void {
  const ms = Number(new URL(request.url ?? "/", "http://x").searchParams.get("ms") ?? 0);
  const end = performance.now() + ms;
  while (performance.now() < end);
  response.setHeader("content-length", "2");
  response.end("ok");
}

describe("routeOf", () => {
  it("is the method and the path, without the query, with segments holding digits as *", () => {
    assert.equal(routeOf({ method: "GET", url: "/heavy?ms=20" }), "GET /heavy");
    assert.equal(routeOf({ method: "POST", url: "/report/2024/17/pdf" }), "POST /report/*/*/pdf");
    assert.equal(routeOf({ method: "GET", url: "/users/a1b2c3?x=1" }), "GET /users/*");
    assert.equal(routeOf({ method: "GET", url: "/" }), "GET /");
  });
});

describe("the slow lane on a node:http server", () => {
  let server: Server;
  let lane: SlowLane;
  let port = 0;
  const heard: string[] = [];
  const queued: number[] = [];
  const fetchPath = (path: string) =>
    new Promise<void>((resolve, reject) => {
      get({ host: "127.0.0.1", port, path }, (response) => {
        response.resume();
        response.on("end", resolve);
      }).on("error", reject);
    });

  before(async () => {
    lane = new SlowLane(busyAnswer, 10, {
      slowRoute: (route) => heard.push(route),
      queued: (waiting) => queued.push(waiting),
    });
    server = createServer((request, response) => lane.serve(request, response));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("learns a slow route from one request and forgets it once it is cheap again", async () => {
    await fetchPath("/cheap");
    assert.equal(lane.slowRoutes.size, 0, "a cheap route is not even remembered");
    await fetchPath("/varies?ms=30");
    assert.ok((lane.slowRoutes.get("GET /varies") ?? 0) >= 30);
    assert.deepEqual(heard, ["GET /varies"]);
    // The average falls by a quarter a request and must go under half the threshold: 30 -> under 5.
    let cheapRequests = 0;
    while (lane.slowRoutes.has("GET /varies")) {
      await fetchPath("/varies");
      assert.ok(++cheapRequests <= 7, "still slow after 7 cheap requests");
    }
    assert.ok(cheapRequests >= 5, `left the lane after only ${cheapRequests} cheap requests`);
    assert.equal(lane.waiting, 0);
    // One request at a time, each on a connection of its own: every one that went in had the lane alone.
    assert.ok(queued.length >= 5 && queued.every((waiting) => waiting === 1), JSON.stringify(queued));
  });

  it(`remembers at most ${SLOW_ROUTES_KEPT} slow routes, forgetting the oldest`, async () => {
    assert.equal(lane.slowRoutes.size, 0);
    for (let index = 0; index <= SLOW_ROUTES_KEPT; index++) await fetchPath(`/${name(index)}?ms=11`);
    assert.equal(lane.slowRoutes.size, SLOW_ROUTES_KEPT);
    assert.equal(lane.slowRoutes.has(`GET /${name(0)}`), false, "the oldest is forgotten");
    assert.equal(lane.slowRoutes.has(`GET /${name(1)}`), true);
    assert.equal(lane.slowRoutes.has(`GET /${name(SLOW_ROUTES_KEPT)}`), true);
  });
});

// Distinct two-letter paths (a digit would fold them into one route).
function name(index: number): string {
  return String.fromCharCode(97 + (index % 26), 97 + Math.floor(index / 26));
}

const INDEX = join(import.meta.dirname, "..", "..", "src", "index.ts");

// The child's app records the order requests start in; GET /order reads and clears it. As a plain
// handler, or (ownServer) from a server of its own, which drover reaches through its emit.
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
  const end = performance.now() + Number(url.searchParams.get("ms") ?? 0);
  while (performance.now() < end);
  res.setHeader("content-length", "2");
  res.end("ok");
};
export default ${ownServer ? "defineApp({ createServer: () => createServer(handler) })" : "handler"};`;

const ONE_CHILD = {
  startServers: 1,
  minSpareWorkers: 1,
  maxSpareWorkers: 1024,
  slowRequestThreshold: "10ms",
};

/**
 * Opens `count` connections, learns `/heavy` as slow, blocks the child with an unknown route for
 * 400 ms, and runs `send` meanwhile: whatever it sends is read in one turn once the block ends.
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
    await blocker.get("/heavy?ms=30");
    await blocker.get("/order");
    const blocked = blocker.get("/block?ms=400");
    await delay(150);
    await Promise.all([blocked, ...send(others)]);
    return JSON.parse((await blocker.get("/order")).body).slice(1) as string[];
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
});
