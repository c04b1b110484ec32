// A call's ctx.signal: aborted by the master's ABORT (cancelled or timeout) or at the call's own
// deadline, timeoutMs after its RUN arrived, with a DroverError saying which. The call is still
// answered when its method returns.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Kind } from "../../src/dispatch/wire/messages.ts";
import { WorkerState } from "../../src/scoreboard/index.ts";
import { waitFor } from "../harness/wait.ts";
import { readyDrone, resultOf } from "./test-drone.ts";

describe("a call's signal", () => {
  it("an ABORT fires it with DROVER_ERR_DISPATCH_CANCELLED or DROVER_ERR_DISPATCH_TIMEOUT", async (t) => {
    const drone = await readyDrone(t, { fixture: "echo-service.ts" });
    for (const [reason, code] of [
      ["cancelled", "DROVER_ERR_DISPATCH_CANCELLED"],
      ["timeout", "DROVER_ERR_DISPATCH_TIMEOUT"],
    ] as const) {
      const id = drone.run("waitForAbort", undefined, { timeoutMs: 600_000 });
      await waitFor("the call running", () => drone.worker(0).state === WorkerState.Writing);
      drone.send(Kind.ABORT, { id, reason });
      const seen = resultOf(await drone.done(id)) as { name: string; code: string; message: string };
      assert.deepEqual([seen.name, seen.code], ["DroverError", code]);
      assert.match(seen.message, /the call of waitForAbort/);
    }
    // An ABORT of a call that is over (its DONE crossed the ABORT) changes nothing.
    drone.send(Kind.ABORT, { id: 123_456, reason: "cancelled" });
    assert.equal(resultOf(await drone.call("add", { a: 1, b: 1 })), 2);
  });

  it("fires at the call's deadline, timeoutMs after its RUN arrived", async (t) => {
    const drone = await readyDrone(t, { fixture: "echo-service.ts" });
    const seen = resultOf(await drone.call("waitForAbort", undefined, { timeoutMs: 200 })) as {
      code: string;
      message: string;
    };
    assert.equal(seen.code, "DROVER_ERR_DISPATCH_TIMEOUT");
    assert.equal(seen.message, "the call of waitForAbort ran past its deadline of 200 ms");
    // A call that ends in time keeps its signal untouched.
    const context = resultOf(await drone.call("context", undefined, { timeoutMs: 60_000 })) as {
      aborted: boolean;
    };
    assert.equal(context.aborted, false);
  });
});
