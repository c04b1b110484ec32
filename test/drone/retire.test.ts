// Retirement: the DONE of the call that called ctx.retire(), or of the maxRequests-th call, says
// `retire: true`, once; the drone then serves on until the master tells it to quiesce.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readyDrone, resultOf } from "./test-drone.ts";

describe("a drone's retirement", () => {
  it("ctx.retire() sets retire on that call's DONE, once; the drone serves on and quiesces on request", async (t) => {
    const drone = await readyDrone(t, { fixture: "echo-service.ts" });
    const before = await drone.call("echo", 1);
    assert.equal(before.header.retire, undefined);
    const retiring = await drone.call("retire");
    assert.equal(resultOf(retiring), "retiring");
    assert.equal(retiring.header.retire, true);
    const after = await drone.call("echo", 2);
    assert.equal(resultOf(after), 2, "it still serves");
    assert.equal(after.header.retire, undefined, "retire is said once");
    assert.equal(
      (await drone.call("retire")).header.retire,
      undefined,
      "a second retire() is not said again",
    );
    assert.match(drone.output(), /retire called ctx\.retire\(\): asking the master to replace this drone/);
    drone.child.send({ drover: "quiesce", deadlineMs: 5_000 });
    assert.deepEqual(await drone.exited, { code: 0, signal: null });
  });

  it("the maxRequests-th call says retire; every call counts, failed ones and a session's too", async (t) => {
    const drone = await readyDrone(t, { fixture: "echo-service.ts", spec: { maxRequests: 3 } });
    assert.equal((await drone.call("echo", 1)).header.retire, undefined);
    assert.equal((await drone.connect("s1")).header.ok, true);
    assert.equal((await drone.call("throws", undefined, { session: "s1" })).header.retire, undefined);
    const third = await drone.call("count", undefined, { session: "s1" });
    assert.deepEqual(resultOf(third), { n: 1, connected: true });
    assert.equal(third.header.retire, true);
    assert.equal((await drone.disconnect("s1")).header.ok, true);
    const fourth = await drone.call("echo", 4);
    assert.equal(resultOf(fourth), 4);
    assert.equal(fourth.header.retire, undefined);
    assert.match(drone.output(), /served maxRequests \(3\) calls: asking the master to replace this drone/);
  });
});
