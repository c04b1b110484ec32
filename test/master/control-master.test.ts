// A real master's control socket under abuse (chaos D8, review D6): a flood of pipelined requests that
// are never read leaves its memory alone, it still answers, and a client that stays connected (busy or
// silent) does not keep it from stopping.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { sendControl } from "../../src/master/control/control-client.ts";
import { waitFor } from "../harness/wait.ts";
import { connectClient } from "../support/control.ts";
import { startDrover } from "../support/drover.ts";
import { SLEEPY_APP } from "../support/lifecycle.ts";

const STATUS = '{"command":"status"}\n';
const MIB = 1024 * 1024;

/** A field of /proc/<pid>/status in bytes: VmRSS now, VmHWM the most it ever had. */
function memoryOf(pid: number, field: "VmRSS" | "VmHWM"): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${field}:`));
  if (!line) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(line.split(/\s+/)[1]) * 1024;
}

it("200,000 pipelined status lines never read leave the master's memory bounded; it answers and stops promptly", {
  timeout: 120_000,
}, async (t) => {
  const drover = await startDrover({ app: SLEEPY_APP, config: { startServers: 1, workersPerChild: 2 } });
  t.after(() => drover.stop());
  const path = join(drover.runDir, "control.sock");
  const master = drover.proc.pid;
  const before = memoryOf(master, "VmRSS");

  // 4.2 MB of requests in one write, replies never read: the master drops the connection.
  const flood = await connectClient(t, path);
  flood.socket.pause();
  flood.send(STATUS.repeat(200_000));
  await flood.waitClosed("the master dropped the flooding client");
  const grewBy = memoryOf(master, "VmHWM") - before;
  assert.ok(grewBy < 48 * MIB, `the master's peak memory grew by ${Math.round(grewBy / MIB)} MB`);

  const reply = await sendControl(path, { command: "status" }, 10_000);
  assert.equal(reply.ok, true, JSON.stringify(reply));
  assert.equal((await drover.request()).status, 200);

  // One client that keeps asking (never idle) and one that stays silent: neither may hold the stop up.
  const silent = await connectClient(t, path);
  const chatty = await connectClient(t, path);
  const keepAsking = setInterval(() => {
    if (!chatty.closed() && chatty.replies.length * STATUS.length === chatty.socket.bytesWritten)
      chatty.send(STATUS);
  }, 20);
  t.after(() => clearInterval(keepAsking));
  await waitFor("the chatty client answered twice", () => chatty.replies.length >= 2);

  process.kill(master, "SIGTERM");
  const exit = await drover.proc.waitForExit(30_000);
  assert.deepEqual(exit, { code: 0, signal: null }, drover.proc.output());
  await chatty.waitClosed("the chatty client closed by the stopping master");
  await silent.waitClosed("the silent client closed by the stopping master");
});
