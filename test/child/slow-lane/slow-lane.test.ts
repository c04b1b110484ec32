// The slow lane on real node:http servers in this process (test/support/lane-server.ts): it learns slow
// routes, but not from a cold first call; it takes connections in turn; it bounds how long a request
// waits for its turn; it keeps going when an answer throws. What is asserted is the order requests
// start in; the clock only makes handlers hold the loop.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SLOW_LANE_MAX_WAIT_MS, SlowLane, slowLanes } from "../../../src/child/slow-lane/slow-lane.ts";
import { DEFAULTS } from "../../../src/config/defaults.ts";
import { readDuration } from "../../../src/config/duration.ts";
import { waitFor } from "../../harness/wait.ts";
import { learnHeavy, pipeline, withLane } from "../../support/lane-server.ts";
import type { RawConnection } from "../../support/load.ts";

describe("the slow lane on a node:http server", () => {
  it("learns a slow route from its second slow request and forgets it once it is cheap", async () => {
    const heard: string[] = [];
    const queued: number[] = [];
    const events = { slowRoute: (route: string) => heard.push(route), queued: (n: number) => queued.push(n) };
    await withLane({ events }, async (server) => {
      const { lane, fetch } = server;
      await fetch("/cheap");
      await fetch("/heavy?ms=30");
      assert.equal(lane.slowRoutes.size, 0, "one slow request is no proof: it may be a cold start");
      await fetch("/heavy?ms=30");
      assert.ok((lane.slowRoutes.get("GET /heavy") ?? 0) >= 30);
      assert.deepEqual(heard, ["GET /heavy"]);
      // The average falls by a quarter a request and must go under half the threshold: 30 -> under 5.
      let cheapRequests = 0;
      while (lane.slowRoutes.has("GET /heavy")) {
        await fetch("/heavy");
        // Cheap is under 1 ms, unless this process is descheduled while it times one.
        assert.ok(++cheapRequests <= 20, "still slow after 20 cheap requests");
      }
      // 30 × 0.75^6 is still over 5: however cheap, it takes 7.
      assert.ok(cheapRequests >= 7, `left the lane after only ${cheapRequests} cheap requests`);
      // One request at a time, each on a connection of its own: every one that went in had the lane alone.
      assert.ok(queued.length >= 5 && queued.every((waiting) => waiting === 1), JSON.stringify(queued));
      assert.equal(lane.waiting, 0);
    });
  });

  it("times the requests of a route the app named as one route, whatever their path", async () => {
    const queued: number[] = [];
    await withLane({ events: { queued: (n) => queued.push(n) } }, async ({ lane, fetch }) => {
      // Unnamed, alice and bob are two routes, each seen slow once: neither is learnt.
      await fetch("/users/alice?ms=12");
      await fetch("/users/bob?ms=12");
      assert.equal(lane.slowRoutes.size, 0);
      await fetch("/users/alice?ms=12&named");
      await fetch("/users/bob?ms=12&named");
      assert.deepEqual([...lane.slowRoutes.keys()], ["GET /users/:name"]);
      assert.equal(queued.length, 0);
      // A path that ran under the name goes in the lane before the app names it again.
      await fetch("/users/alice?ms=12&named");
      assert.deepEqual(queued, [1]);
    });
  });

  it("takes connections in turn: one pipelining 20 heavy requests does not go first with all 20", async () => {
    let other: RawConnection | undefined;
    const sendOther = () => {
      other?.send("/heavy?ms=12&n=B");
      other = undefined;
    };
    const events = { queued: (waiting: number) => waiting === 20 && sendOther() };
    const twenty = Array.from({ length: 20 }, (_, index) => `/heavy?ms=12&n=${index + 1}`);
    await withLane({ events }, async (server) => {
      const { lane, ran, open } = server;
      await learnHeavy(server);
      const [pipelining, single] = (await open(2)) as [RawConnection, RawConnection];
      // The other connection's request is sent as the 20th is read, so it is read a turn later.
      other = single;
      pipeline(pipelining, twenty);
      await waitFor("all 21 started", () => ran.length === 21 && lane.waiting === 0);
      assert.deepEqual(
        ran.filter((name) => name !== "/heavyB"),
        Array.from({ length: 20 }, (_, index) => `/heavy${index + 1}`),
        "one connection's requests keep their order",
      );
      // One in turn with each other connection waiting: right after the pipelined one running, or the next.
      assert.ok(ran.indexOf("/heavyB") <= 2, ran.join(" "));
    });
  });

  for (const [maxWaitMs, expected] of [
    [50, ["/heavy1", "/heavy2", "/fast"]],
    [0, ["/heavy1", "/fast", "/heavy2"]],
    [1000, ["/heavy1", "/fast", "/heavy2"]],
  ] as const) {
    it(`with a longest wait of ${maxWaitMs} ms, a request held back 80 ms starts ${expected[1] === "/heavy2" ? "ahead of" : "after"} a newer one`, async () => {
      // The second heavy request waits its turn while the first holds the loop for 80 ms; the cheap one
      // is sent as the second goes in, so it is read once the first is done.
      let fast: RawConnection | undefined;
      const sendFast = () => {
        fast?.send("/fast");
        fast = undefined;
      };
      const events = { queued: (waiting: number) => waiting === 2 && sendFast() };
      await withLane({ events, maxWaitMs }, async (server) => {
        const { ran, open } = server;
        await learnHeavy(server);
        const [pipelining, cheap] = (await open(2)) as [RawConnection, RawConnection];
        fast = cheap;
        pipeline(pipelining, ["/heavy?ms=80&n=1", "/heavy?ms=80&n=2"]);
        await Promise.all([pipelining.reply(), pipelining.reply(), cheap.reply()]);
        assert.deepEqual(ran, expected);
      });
    });
  }

  it("keeps serving the requests behind an answer that throws", async () => {
    await catchingUncaught(async (uncaught) => {
      await withLane({}, async (server) => {
        const { lane, ran, open } = server;
        await learnHeavy(server);
        const [client] = (await open(1)) as [RawConnection];
        client.send("/heavy?ms=12&n=1&throw");
        client.send("/heavy?ms=12&n=2");
        client.send("/heavy?ms=12&n=3");
        await waitFor("the three started", () => ran.length === 3 && lane.waiting === 0);
        assert.deepEqual(ran, ["/heavy1", "/heavy2", "/heavy3"]);
        assert.deepEqual(
          uncaught.map((error) => (error as Error).message),
          ["the answer threw"],
        );
        assert.deepEqual([...lane.slowRoutes.keys()], ["GET /heavy"], "and it was timed");
      });
    });
  });

  it("waits 250 ms by default, as the config's slowLaneMaxWait; refuses a bad threshold or wait", () => {
    const parsed = readDuration(DEFAULTS.slowLaneMaxWait);
    assert.ok(parsed.ok);
    assert.equal(parsed.value, SLOW_LANE_MAX_WAIT_MS);
    const answer = () => {};
    assert.equal(slowLanes(0)(answer), answer, "a threshold of 0 is no lane");
    for (const threshold of [-1, Number.NaN, Number.POSITIVE_INFINITY])
      assert.throws(() => new SlowLane(answer, threshold), RangeError);
    for (const maxWait of [-1, Number.NaN])
      assert.throws(() => new SlowLane(answer, 5, {}, maxWait), RangeError);
  });
});

// An answer that throws in the lane's own turn throws out of a setImmediate callback, as an exception
// from a handler would out of Node's 'request' event: this takes such errors instead of the test runner.
async function catchingUncaught(run: (uncaught: unknown[]) => Promise<void>): Promise<void> {
  const runners = process.rawListeners("uncaughtException") as NodeJS.UncaughtExceptionListener[];
  const uncaught: unknown[] = [];
  const take = (error: unknown) => uncaught.push(error);
  process.removeAllListeners("uncaughtException");
  process.on("uncaughtException", take);
  try {
    await run(uncaught);
  } finally {
    process.off("uncaughtException", take);
    for (const listener of runners) process.on("uncaughtException", listener);
  }
}
