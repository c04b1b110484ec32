// A drone's worker records: one per call it runs at once (spec.concurrency). A running call shows `W`
// with its method as the request, `_` after, with the request counted; a RUN beyond concurrency is
// the master's bug, refused without touching the calls that run.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { WorkerState } from "../../src/scoreboard/index.ts";
import { makeTempDir } from "../harness/temp.ts";
import { waitFor } from "../harness/wait.ts";
import { errorOf, readyDrone, resultOf } from "./test-drone.ts";

describe("a drone's worker records", () => {
  it("a running call shows W and its method, then _ with one more request", async (t) => {
    const dir = makeTempDir("drover-test-drone-");
    t.after(() => dir.remove());
    const drone = await readyDrone(t, { fixture: "echo-service.ts" });
    assert.equal(drone.worker(0).state, WorkerState.Ready);
    const file = join(dir.path, "release");
    const id = drone.run("hold", { file });
    const running = await waitFor("the call on the scoreboard", () => {
      const worker = drone.worker(0);
      return worker.state === WorkerState.Writing && worker;
    });
    assert.equal(running.letter, "W");
    assert.equal(running.request, "hold");
    assert.ok(running.requestStart > 0);
    writeFileSync(file, "");
    assert.deepEqual(resultOf(await drone.done(id)), { released: true });
    const after = await waitFor("the record back to _", () => {
      const worker = drone.worker(0);
      return worker.state === WorkerState.Ready && worker;
    });
    assert.equal(after.letter, "_");
    assert.equal(after.requests, 1);
    assert.ok(after.bytes > 0, "the result's bytes are counted");
  });

  it("concurrency 2 runs two calls at once on two records, and refuses a third", async (t) => {
    const dir = makeTempDir("drover-test-drone-");
    t.after(() => dir.remove());
    const drone = await readyDrone(t, { fixture: "echo-service.ts", spec: { concurrency: 2 } });
    const first = drone.run("hold", { file: join(dir.path, "first") });
    const second = drone.run("hold", { file: join(dir.path, "second") });
    await waitFor("both calls running", () =>
      drone
        .record()
        .workers.every((worker) => worker.state === WorkerState.Writing && worker.request === "hold"),
    );
    const extra = errorOf(await drone.call("echo", 3));
    assert.equal(extra.code, "DROVER_ERR_DISPATCH_BAD_MESSAGE");
    assert.match(
      extra.message,
      /already runs 2 calls \(concurrency 2\).*: the master sent one call too many/,
    );

    drone.run("echo", 5, { id: first });
    const twice = errorOf(await drone.done(first));
    assert.equal(twice.code, "DROVER_ERR_DISPATCH_BAD_MESSAGE");
    assert.match(twice.message, new RegExp(`^call ${first} already runs on this drone$`));

    writeFileSync(join(dir.path, "second"), "");
    assert.deepEqual(resultOf(await drone.done(second)), { released: true });
    assert.equal(
      drone.frames.filter((f) => f.header.id === first).length,
      1,
      "the first one still runs: the only DONE of its id is the refusal",
    );
    assert.equal(resultOf(await drone.call("echo", 4)), 4, "a freed record takes the next call");
    writeFileSync(join(dir.path, "first"), "");
    await waitFor(
      "the first call's own DONE",
      () => drone.frames.filter((f) => f.header.id === first).length === 2 && drone.frames.at(-1),
    );
    assert.equal(drone.frames.at(-1)?.header.ok, true);
    await waitFor("both records back to _", () =>
      drone.record().workers.every((worker) => worker.state === WorkerState.Ready),
    );
  });
});
