import assert from "node:assert/strict";
import { createServer } from "node:net";
import { describe, it } from "node:test";
import { freePort } from "./ports.ts";
import { isAlive, spawnNode } from "./process.ts";

describe("test harness", () => {
  it("waits for a line, stops the process group and proves every pid gone", { timeout: 20_000 }, async () => {
    // The parent forks a grandchild that ignores SIGTERM; stop() must still leave nothing behind.
    const script = `
      const { spawn } = require("node:child_process");
      const grandchild = spawn(process.execPath, ["-e", "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); console.log('up')"], { stdio: ["ignore", "inherit", "inherit"] });
      console.log("grandchild " + grandchild.pid);
      setInterval(() => {}, 1000);
    `;
    const proc = await spawnNode("-e", [script], { ready: /up/ });
    let grandchildPid = 0;
    try {
      const match = await proc.waitForOutput(/grandchild (\d+)/);
      grandchildPid = Number(match[1]);
      assert.ok(isAlive(grandchildPid));
    } finally {
      await proc.stop(200);
    }
    assert.equal(isAlive(proc.pid), false);
    assert.equal(isAlive(grandchildPid), false);
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
