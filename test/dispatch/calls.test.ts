// Calls through the embedded transport to a master of services only: results, every refusal with its
// code, big and binary values, and the LIFO idle stack.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { describe, it } from "node:test";
import { isDroverError } from "../../src/errors.ts";
import { waitFor } from "../harness/wait.ts";
import { startServices } from "../support/services.ts";
import { rejection } from "./support.ts";

describe("calls to a service", { timeout: 120_000 }, () => {
  it("answer results and refuse what cannot run, each with its code; a throwing method leaves its drone alive", async (t) => {
    const drover = await startServices({ math: { minDrones: 1, maxDrones: 1, maxMessageBytes: "20MiB" } });
    t.after(() => drover.stop());
    const client = await drover.client();
    const math = client.service("math");

    assert.equal(await math.call("add", { a: 1, b: 2 }), 3);
    assert.deepEqual(await math.call("echo", { nested: [1, "two", { three: null }] }), {
      nested: [1, "two", { three: null }],
    });
    const pid = await math.call("pid", undefined);

    const noMethod = await rejection(math.call("nope", {}));
    assert.equal(noMethod.code, "DROVER_ERR_NO_SUCH_METHOD");
    assert.ok(noMethod.methods?.includes("add"), "the methods are listed");
    assert.match(noMethod.message, /no method "nope".*add/);

    const noService = await rejection(client.service("nosuch").call("add", {}));
    assert.equal(noService.code, "DROVER_ERR_NO_SUCH_SERVICE");
    assert.match(noService.message, /the services are: math/);

    const failed = await rejection(math.call("fail", { message: "bad input" }));
    assert.ok(isDroverError(failed as unknown), "a DroverError");
    assert.equal(failed.code, "DROVER_ERR_METHOD_FAILED");
    assert.match(failed.message, /bad input/);
    const remote = failed.remote as { name: string; message: string; stack: string; code: string };
    assert.equal(remote.message, "bad input");
    assert.equal(remote.code, "E_FIXTURE");
    assert.match(remote.stack, /math\.ts/);
    assert.equal(await math.call("pid", undefined), pid, "the same drone serves on");
  });

  it("times each call's queue wait and run time below a millisecond, for the latency histograms", async (t) => {
    const drover = await startServices({ math: { minDrones: 1, maxDrones: 1 } });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    for (let i = 0; i < 20; i++) await math.call("add", { a: i, b: 1 });
    const service = await waitFor("the calls are counted", async () => {
      const found = (await drover.status()).services[0];
      return found && found.runTime.count >= 20 ? found : undefined;
    });
    // Whole milliseconds (Date.now()) would make every sum whole and put each trivial call in 0 or 1 ms.
    assert.ok(
      !Number.isInteger(service.runTime.sumMs),
      `run time summed in fractions: ${service.runTime.sumMs}`,
    );
    assert.ok(service.runTime.sumMs < 20 * 1000, "and in milliseconds");
  });

  it("carries 16 MiB whole, binary as binary, and refuses params over maxMessageBytes before a drone sees them", async (t) => {
    const drover = await startServices({ math: { minDrones: 1, maxDrones: 1, maxMessageBytes: "17MiB" } });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    const big = Buffer.alloc(16 * 1024 * 1024, 3);
    assert.deepEqual(await math.call("length", big), { length: big.length, binary: true });
    const back = (await math.call("bytes", { size: 16 * 1024 * 1024 })) as Uint8Array;
    assert.ok(back instanceof Uint8Array);
    assert.equal(back.byteLength, 16 * 1024 * 1024);
    assert.equal(back[12345], 7);

    const tooBig = await rejection(math.call("length", Buffer.alloc(18 * 1024 * 1024)));
    assert.equal(tooBig.code, "DROVER_ERR_MESSAGE_TOO_LARGE");
    const tooBigResult = await rejection(math.call("bytes", { size: 18 * 1024 * 1024 }));
    assert.equal(tooBigResult.code, "DROVER_ERR_MESSAGE_TOO_LARGE");
    assert.equal(await math.call("add", { a: 2, b: 2 }), 4, "the connection and the drone serve on");
  });

  it("gives each call to the drone that finished last (LIFO), and queues rather than binding a starting drone", async (t) => {
    const drover = await startServices({
      math: { minDrones: 3, maxDrones: 4, minSpareDrones: 0, maxSpareDrones: 4 },
    });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    const first = await math.call("pid", undefined);
    for (let i = 0; i < 10; i++)
      assert.equal(await math.call("pid", undefined), first, "the warmest drone again");

    // Five slow calls at once on three idle drones: three run, two wait; a fourth drone starts, but
    // the waiting calls go to whichever drone is free first.
    const pids = await Promise.all(
      Array.from({ length: 5 }, () => math.call("sleep", { ms: 300 }) as Promise<number>),
    );
    assert.ok(new Set(pids).size >= 3, `at least three drones served: ${pids}`);
  });

  it("runs droneConcurrency calls at once on one drone", async (t) => {
    const drover = await startServices({ math: { minDrones: 1, maxDrones: 1, droneConcurrency: 2 } });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    const release = `${drover.marks}/release`;
    const both = [math.call("waitFor", { file: release }), math.call("waitFor", { file: release })];
    await waitFor("both run on the one drone", async () => {
      const drone = (await drover.status()).services[0]?.droneProcesses[0];
      return drone?.grid === "WW";
    });
    writeFileSync(release, "");
    const [first, second] = await Promise.all(both);
    assert.equal(first, second);
  });

  it("refuses a call at once when the backlog is full", async (t) => {
    const drover = await startServices({ math: { minDrones: 1, maxDrones: 1, maxBacklog: 1 } });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    const release = `${drover.marks}/release`;
    const running = math.call("waitFor", { file: release });
    const queued = math.call("add", { a: 1, b: 1 });
    // The drone is busy and one call waits: the next is refused (not left to reach its deadline).
    const full = await rejection(math.call("add", { a: 1, b: 1 }, { timeout: "60s" }));
    assert.equal(full.code, "DROVER_ERR_DISPATCH_BACKLOG_FULL");
    writeFileSync(release, "");
    assert.equal(typeof (await running), "number");
    assert.equal(await queued, 2);
  });

  it("frees the backlog's place of a session's opening that waited out its deadline", async (t) => {
    const drover = await startServices({ math: { minDrones: 1, maxDrones: 1, maxBacklog: 1 } });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    const release = `${drover.marks}/release`;
    const running = math.call("waitFor", { file: release });
    const opening = await rejection(math.session({ timeout: 300 }));
    assert.equal(opening.code, "DROVER_ERR_DISPATCH_TIMEOUT");
    // The backlog is empty again: a call waits there for the drone, it is not refused as if full.
    const queued = math.call("add", { a: 2, b: 3 }, { timeout: "60s" });
    await waitFor(
      "the call waits in the backlog",
      async () => (await drover.status()).services[0]?.backlog === 1,
    );
    writeFileSync(release, "");
    assert.equal(typeof (await running), "number");
    assert.equal(await queued, 5);
    assert.equal((await drover.status()).services[0]?.backlog, 0);
  });
});
