// The master's handle on a child (review D7): signals go through Node's ChildProcess, which sends none
// once the child has been reaped, and every escalation timer dies with the child, so nothing can fire
// at a pid that another process may have been given since.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, it } from "node:test";
import { ChildHandle } from "../../../src/master/children/child-handle.ts";
import { isAlive } from "../../harness/process.ts";

const CHILD = `process.on("message", (m) => { if (m.drover === "exit") process.exit(0); }); setInterval(() => {}, 60000);`;

async function withChild(
  run: (child: ChildHandle, exited: Promise<unknown>) => Promise<void>,
): Promise<void> {
  const process_ = spawn(process.execPath, ["-e", CHILD], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
  await once(process_, "spawn");
  const child = new ChildHandle(0, 0, process_ as typeof process_ & { pid: number });
  const exited = once(process_, "exit").then(() => child.exited());
  try {
    await run(child, exited);
  } finally {
    process_.kill("SIGKILL");
    await exited;
    assert.equal(isAlive(child.pid), false);
  }
}

describe("a child's handle", () => {
  it("a hard stop's SIGKILL escalation is cleared when the child exits in time", async () => {
    await withChild(async (child, exited) => {
      child.stop("hard-stop");
      assert.equal(child.phase, "killing");
      assert.equal(child.armedTimers, 1, "the escalation is armed");
      await exited;
      assert.equal(child.phase, "exited");
      assert.equal(child.armedTimers, 0, "and gone with the child: it can never signal a reused pid");
    });
  });

  it("a drain's deadline and a detach's grace are cleared too", async () => {
    await withChild(async (child, exited) => {
      assert.equal(child.markReady(), true);
      assert.equal(child.markReady(), false, "a second ready is not a transition");
      child.quiesce("generation", 60_000);
      child.detach(60_000);
      assert.equal(child.armedTimers, 2);
      child.stop("hard-stop");
      await exited;
      assert.equal(child.armedTimers, 0);
    });
  });

  it("a detach's answer deadline is cleared once the child gives its slot up: it drains on", async () => {
    await withChild(async (child) => {
      child.markReady();
      child.quiesce("generation", 60_000);
      child.detach(60_000);
      assert.equal(child.armedTimers, 2);
      assert.equal(child.markDetached(), true);
      assert.equal(child.markDetached(), false, "a second answer is not a transition");
      assert.equal(child.phase, "detached");
      assert.equal(child.armedTimers, 1, "only the drain's deadline is left");
    });
  });

  it("after the exit, killing it again sends nothing and changes nothing", async () => {
    await withChild(async (child, exited) => {
      child.stop("hard-stop");
      await exited;
      child.kill("hung");
      child.stop("hard-stop");
      child.quiesce("idle", 1_000);
      assert.equal(child.phase, "exited");
      assert.equal(child.plan, "hard-stop", "an exited child's plan is what it was");
      assert.equal(child.armedTimers, 0);
    });
  });
});
