// The control socket: owner-only, one JSON request per line. Each malformed request is refused with
// DROVER_ERR_CONTROL_BAD_REQUEST, changes nothing, and the master keeps serving.
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { isAlive } from "../harness/process.ts";
import { startDrover } from "../support/drover.ts";
import { board, controlExchange, SLEEPY_APP, statusPids } from "../support/lifecycle.ts";

const BAD_REQUEST = "DROVER_ERR_CONTROL_BAD_REQUEST";

const MALFORMED: Record<string, string> = {
  "not JSON": "stop now please\n",
  "a JSON array": '["stop"]\n',
  "a JSON string": '"stop"\n',
  null: "null\n",
  "no command": '{"graceful":true}\n',
  "an unknown command": '{"command":"explode"}\n',
  "a command of the wrong type": '{"command":["stop"]}\n',
  "graceful that is not a boolean": '{"command":"stop","graceful":"yes"}\n',
  "a negative timeoutMs": '{"command":"stop","graceful":true,"timeoutMs":-5}\n',
  "a fractional timeoutMs": '{"command":"stop","timeoutMs":1.5}\n',
  // A megabyte without a newline: refused once it passes the 64 KiB limit.
  "a huge line": "x".repeat(1024 * 1024),
};

it("the control socket is a socket only its owner may use", { timeout: 60_000 }, async (t) => {
  const drover = await startDrover({ app: SLEEPY_APP, config: { startServers: 1, workersPerChild: 2 } });
  t.after(() => drover.stop());
  const stat = statSync(join(drover.runDir, "control.sock"));
  assert.ok(stat.isSocket());
  assert.equal(stat.mode & 0o777, 0o600);
  assert.equal(statSync(drover.runDir).mode & 0o777, 0o700, "the run directory is owner-only too");
});

it("malformed control requests are refused with DROVER_ERR_CONTROL_BAD_REQUEST; the master serves on", {
  timeout: 60_000,
}, async (t) => {
  // One child and room for no other: a request still closing on a slow machine must not make the
  // master start a spare, which would change the children for a reason of its own.
  const drover = await startDrover({
    app: SLEEPY_APP,
    config: { startServers: 1, workersPerChild: 2, maxRequestWorkers: 2, minSpareWorkers: 1 },
  });
  t.after(() => drover.stop());
  const socket = join(drover.runDir, "control.sock");
  const pids = await statusPids(drover);

  for (const [what, line] of Object.entries(MALFORMED)) {
    const reply = (await controlExchange(socket, line)) as {
      ok: boolean;
      error?: { code: string; message: string };
    };
    assert.equal(reply.ok, false, `${what}: ${JSON.stringify(reply)}`);
    assert.equal(reply.error?.code, BAD_REQUEST, what);
    assert.equal(typeof reply.error?.message, "string", what);
    assert.ok((reply.error?.message.length ?? 0) > 0, what);
    // Nothing changed: same master, same children, still serving.
    assert.equal(isAlive(drover.proc.pid), true, `${what}: the master runs`);
    assert.deepEqual(
      board(drover.runDir).children.map((c) => c.pid),
      pids,
      `${what}: the same children`,
    );
    assert.equal((await drover.request()).status, 200, `${what}: still serving`);
  }

  // A well-formed request on the same socket still works.
  const status = (await controlExchange(socket, '{"command":"status"}\n')) as {
    ok: boolean;
    status: { generation: number; totals: { children: number } };
  };
  assert.equal(status.ok, true);
  assert.equal(status.status.generation, 0);
  assert.equal(status.status.totals.children, 1);
});

it("a request line over 64 KiB is refused even when its newline comes with it", {
  timeout: 60_000,
}, async (t) => {
  const drover = await startDrover({ app: SLEEPY_APP, config: { startServers: 1, workersPerChild: 2 } });
  t.after(() => drover.stop());
  const socket = join(drover.runDir, "control.sock");
  // Valid JSON, 100 KiB long: past the limit the server states.
  const line = `${JSON.stringify({ command: "status", padding: "x".repeat(100 * 1024) })}\n`;
  const reply = (await controlExchange(socket, line)) as { ok: boolean; error?: { code: string } };
  assert.equal(reply.ok, false, JSON.stringify(reply).slice(0, 200));
  assert.equal(reply.error?.code, BAD_REQUEST);
  assert.equal((await drover.request()).status, 200);
});

it("a stop's reply says how long the stop takes at the most, by the master's config", {
  timeout: 60_000,
}, async (t) => {
  const drover = await startDrover({
    app: SLEEPY_APP,
    config: { startServers: 1, workersPerChild: 2, gracefulShutdownTimeout: "7s", shutdownDelay: "2s" },
  });
  t.after(() => drover.stop());
  const socket = join(drover.runDir, "control.sock");
  const reply = (await controlExchange(socket, '{"command":"stop","graceful":true}\n')) as {
    ok: boolean;
    withinMs?: number;
  };
  assert.equal(reply.ok, true);
  // shutdownDelay, gracefulShutdownTimeout, and 6 s for the children left (a signal, then SIGKILL).
  assert.equal(reply.withinMs, 2_000 + 7_000 + 6_000);
  assert.equal((await drover.proc.waitForExit(30_000)).code, 0);
});
