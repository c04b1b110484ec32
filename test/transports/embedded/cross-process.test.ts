// The socket across processes: a caller in a child process, with the real client, against the server
// in this one; and a caller killed mid-call has its call aborted here.
import assert from "node:assert/strict";
import { join } from "node:path";
import { it } from "node:test";
import { spawnNode } from "../../harness/process.ts";
import { waitFor } from "../../harness/wait.ts";
import { startServer } from "./server.ts";

const CALLER = join(import.meta.dirname, "fixtures", "caller.ts");

it("a caller in another process gets results, binary data, errors and a session", {
  timeout: 60_000,
}, async (t) => {
  const { path, dispatcher } = await startServer(t);
  const caller = await spawnNode(CALLER, [path], { cleanup: (fn) => t.after(fn) });
  const status = await caller.waitForExit(30_000);
  assert.equal(status.code, 0, caller.output());
  const report = JSON.parse(caller.output().trim()) as Record<string, unknown>;
  assert.notEqual(report.pid, process.pid);
  assert.deepEqual(report, {
    pid: report.pid,
    sum: 42,
    bytes: [0, 1, 2, 255],
    failed: "DROVER_ERR_METHOD_FAILED",
    counts: [1, 2],
  });
  assert.deepEqual(dispatcher.closed, ["s-1"]);
});

it("a caller killed mid-call has that call aborted", { timeout: 60_000 }, async (t) => {
  const { path, dispatcher, server } = await startServer(t);
  const caller = await spawnNode(CALLER, [path, "hang"], {
    cleanup: (fn) => t.after(fn),
    ready: /calling never/,
  });
  await waitFor("the never call", () => dispatcher.calls.get("never") === 1);
  caller.child.kill("SIGKILL");
  await caller.waitForExit();
  await waitFor("the call aborted", () => dispatcher.aborted.length === 1);
  assert.match(dispatcher.aborted[0] as string, /caller is gone/);
  await waitFor("its connection gone", () => server.connections === 0);
});
