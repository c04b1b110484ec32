import assert from "node:assert/strict";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { isAlive } from "../harness/process.ts";
import { startDrover } from "../support/drover.ts";

const HELLO = `export default (_req: any, res: any) => res.end("hello " + process.pid);`;

it("starts, serves from its children, and stops leaving nothing behind", { timeout: 60_000 }, async () => {
  const drover = await startDrover({ app: HELLO, config: { startServers: 2, workersPerChild: 4 } });
  let pids: number[] = [];
  try {
    const status = await drover.status();
    assert.equal(status.generation, 0);
    assert.equal(status.totals.children, 2);
    pids = status.children.map((child) => child.pid);
    const reply = await drover.request();
    assert.equal(reply.status, 200);
    assert.match(reply.body, /^hello \d+$/);
    assert.ok(pids.includes(Number(reply.body.split(" ")[1])));
    const socket = join(drover.runDir, "control.sock");
    assert.equal(statSync(socket).mode & 0o777, 0o600);

    const stop = await drover.cli("stop");
    assert.equal(stop.status, 0, stop.stderr);
    assert.deepEqual(await drover.proc.waitForExit(), { code: 0, signal: null });
    assert.equal(existsSync(drover.runDir), false);
    for (const pid of pids) assert.equal(isAlive(pid), false);
  } finally {
    await drover.stop();
  }
});
