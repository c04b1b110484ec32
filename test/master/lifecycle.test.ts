// The master's operation queue: one operation at a time, reloads asked while another waits joining it,
// and a stop that aborts what runs, refuses what waits, and lets nothing start after it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode, isDroverError } from "../../src/errors.ts";
import { Lifecycle } from "../../src/master/lifecycle.ts";

/** An operation that runs until `finish()` or its signal aborts; says when it started. */
function controlled() {
  const events: string[] = [];
  let finish: (value: string) => void = () => {};
  const run = (name: string) => (signal: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      events.push(`start ${name}`);
      finish = (value) => resolve(value);
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
  return { events, run, finish: (value: string) => finish(value) };
}

describe("the master's operation queue", () => {
  it("runs one operation at a time, in order", async () => {
    const lifecycle = new Lifecycle();
    const ops = controlled();
    const first = lifecycle.enqueue("start", ops.run("start"));
    const second = lifecycle.enqueue("restart", ops.run("restart"));
    assert.deepEqual(ops.events, ["start start"]);
    assert.equal(lifecycle.busy, "start");
    ops.finish("one");
    assert.equal(await first, "one");
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(ops.events, ["start start", "start restart"]);
    ops.finish("two");
    assert.equal(await second, "two");
  });

  it("a reload asked while another waits to run joins it: one more reload, every caller its result", async () => {
    const lifecycle = new Lifecycle();
    const ops = controlled();
    const running = lifecycle.enqueue("reload", ops.run("reload 1"));
    const asked = [2, 3, 4].map((n) => lifecycle.enqueue("reload", ops.run(`reload ${n}`)));
    ops.finish("generation 1");
    assert.equal(await running, "generation 1");
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(ops.events, ["start reload 1", "start reload 2"], "two reloads ran, not four");
    ops.finish("generation 2");
    assert.deepEqual(await Promise.all(asked), ["generation 2", "generation 2", "generation 2"]);
  });

  it("a stop aborts the operation in progress, refuses the queued ones, and lets nothing start", async () => {
    const lifecycle = new Lifecycle();
    const ops = controlled();
    const running = lifecycle.enqueue("restart", ops.run("restart"));
    const queued = lifecycle.enqueue("reload", ops.run("reload"));
    await lifecycle.beginStop();
    for (const outcome of await Promise.allSettled([running, queued])) {
      assert.equal(outcome.status, "rejected");
      assert.ok(isDroverError(outcome.reason, ErrorCode.STOPPING), String(outcome.reason));
    }
    assert.match(String((await Promise.allSettled([running]))[0]?.status), /rejected/);
    await assert.rejects(lifecycle.enqueue("reload", ops.run("late")), /the master is stopping/);
    assert.deepEqual(ops.events, ["start restart"], "nothing ran after the stop began");
    assert.equal(lifecycle.signal.aborted, true);
  });

  it("says what was abandoned, and keeps the operation's own error as the cause", async () => {
    const lifecycle = new Lifecycle();
    const ops = controlled();
    const running = lifecycle.enqueue("reload", ops.run("reload"));
    await lifecycle.beginStop();
    const error = await running.catch((e: unknown) => e);
    assert.ok(isDroverError(error, ErrorCode.STOPPING));
    assert.match((error as Error).message, /the master is stopping: this reload was abandoned/);
  });
});
