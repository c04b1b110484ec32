import assert from "node:assert/strict";
import { createServer } from "node:net";
import { describe, it } from "node:test";
import { freePort } from "./ports.ts";
import { isAlive, spawnNode } from "./process.ts";

// A parent with a grandchild in its process group. The grandchild says so if SIGTERM reaches it, and
// exits when its parent tells it to (SIGUSR2), as a master stops its children itself.
const PARENT = `
  const { spawn } = require("node:child_process");
  const grandchild = spawn(process.execPath, ["-e", \`
    process.on("SIGTERM", () => console.log("grandchild got SIGTERM"));
    process.on("SIGUSR2", () => process.exit(0));
    setInterval(() => {}, 1000);
    console.log("up");
  \`], { stdio: ["ignore", "inherit", "inherit"] });
  console.log("grandchild " + grandchild.pid);
  process.on("SIGTERM", () => {
    if (process.env.LEAVE_GRANDCHILD) process.exit(0);
    grandchild.once("exit", () => process.exit(0));
    grandchild.kill("SIGUSR2");
  });
  setInterval(() => {}, 1000);
`;

describe("test harness", () => {
  it("stops the process it spawned, not its group, and proves every pid of the group gone", {
    timeout: 30_000,
  }, async () => {
    const proc = await spawnNode("-e", [PARENT], { ready: /up/ });
    let grandchildPid = 0;
    try {
      grandchildPid = Number((await proc.waitForOutput(/grandchild (\d+)/))[1]);
      assert.ok(isAlive(grandchildPid));
    } finally {
      assert.deepEqual(await proc.stop(), { code: 0, signal: null });
    }
    assert.equal(isAlive(proc.pid), false);
    assert.equal(isAlive(grandchildPid), false);
    assert.doesNotMatch(proc.output(), /grandchild got SIGTERM/, "only the parent was signalled");
  });

  it("fails loudly, and kills it, when a process of the group outlives its leader", {
    timeout: 30_000,
  }, async () => {
    const proc = await spawnNode("-e", [PARENT], { ready: /up/, env: { LEAVE_GRANDCHILD: "1" } });
    const grandchildPid = Number((await proc.waitForOutput(/grandchild (\d+)/))[1]);
    try {
      await assert.rejects(
        proc.stop(3_000, 300),
        new RegExp(`process group ${proc.pid} still had ${grandchildPid} `),
      );
    } finally {
      await proc.stop().catch(() => {});
    }
    assert.equal(isAlive(grandchildPid), false, "the leftover was SIGKILLed");
  });

  it("stops a process that already exited without signalling anything, with its exit status", {
    timeout: 20_000,
  }, async () => {
    const proc = await spawnNode("-e", ["process.exit(3)"]);
    assert.deepEqual(await proc.waitForExit(), { code: 3, signal: null });
    assert.deepEqual(await proc.stop(), { code: 3, signal: null });
    assert.equal(proc.child.signalCode, null);
  });

  it("waits for a port and reports a process that exits before it is ready", {
    timeout: 20_000,
  }, async () => {
    const port = await freePort();
    const proc = await spawnNode("-e", [`require("node:net").createServer().listen(${port}, "127.0.0.1")`], {
      ready: { port },
    });
    await proc.stop();
    assert.equal(isAlive(proc.pid), false);
    await assert.rejects(spawnNode("-e", ["process.exit(3)"], { ready: /never/ }), /exited \(code 3\)/);
  });

  it("finds a port nothing listens on", async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    server.close();
  });
});
