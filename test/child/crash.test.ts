// One request's exception does not reset the others (chaos D4). A handler that throws gets a 500 for
// that request alone and the child serves on. An uncaught exception makes the child stop accepting,
// finish its other requests, log the error as one JSON line with its stack, and exit to be replaced
// at once; nothing of the app's crash text lands in the log unstructured.
import assert from "node:assert/strict";
import { it } from "node:test";
import { EXIT_CHILD_CRASHED } from "../../src/protocol/exit-codes.ts";
import { waitForPidsGone } from "../harness/process.ts";
import { waitFor } from "../harness/wait.ts";
import { httpGet, startDrover } from "../support/drover.ts";
import { request, waitForBusy } from "../support/lifecycle.ts";
import { pids, servedBy, serving, startFixture } from "../support/pool.ts";

/** Every line of output is a JSON log line, but for the CLI's one human line. */
function assertOnlyJsonLines(output: string): void {
  for (const line of output.split("\n")) {
    if (line === "" || line.startsWith("drover: ")) continue;
    assert.doesNotThrow(() => JSON.parse(line), `a line of output is not JSON: ${line}`);
  }
}

const HANDLER_APP = `
export default async (req: any, res: any) => {
  const url = new URL(req.url, "http://x");
  if (url.pathname === "/throw") throw new Error("thrown by /throw");
  if (url.pathname === "/reject") { await new Promise((r) => setTimeout(r, 5)); throw new Error("rejected by /reject"); }
  const ms = Number(url.searchParams.get("sleep") ?? 0);
  setTimeout(() => res.end("pid " + process.pid), ms);
};`;

it("a handler that throws, or whose promise rejects, gets a 500 for its own request; the child serves on", {
  timeout: 60_000,
}, async (t) => {
  const drover = await startDrover({
    app: HANDLER_APP,
    config: { startServers: 1, workersPerChild: 8, minSpareWorkers: 1 },
  });
  t.after(() => drover.stop());
  const [child] = pids(serving(await drover.status()));

  const inFlight = request({ port: drover.port }, "/?sleep=1000");
  await waitForBusy(drover);
  const thrown = await httpGet(drover.port, "/throw");
  const rejected = await httpGet(drover.port, "/reject");
  assert.equal(thrown.status, 500);
  assert.equal(rejected.status, 500);
  const other = await inFlight;
  assert.equal(other.status, 200, "the request in flight beside it is not reset");
  assert.equal(other.body, `pid ${child}`);
  assert.equal((await drover.request("/")).body, `pid ${child}`, "the same child serves on");
  assert.deepEqual(pids(serving(await drover.status())), [child]);
  const log = drover.proc.output();
  assert.match(log, /"msg":"the app's handler threw: answered 500, the child serves on"/);
  assert.match(log, /"stack":"Error: thrown by \/throw\\n/);
  assert.equal((await drover.status()).counters.childrenFailed, 0);
  assertOnlyJsonLines(log);
});

it("an uncaught exception: the child finishes its other requests, exits, and is replaced at once", {
  timeout: 60_000,
}, async (t) => {
  const drover = await startFixture({ startServers: 2, workersPerChild: 4, minSpareWorkers: 1 });
  t.after(() => drover.stop());
  const before = pids(serving(await drover.status()));

  // A request in flight on each child, then an uncaught exception in one of them.
  const inFlight = before.map(() => request({ port: drover.port }, "/slow?ms=1500"));
  await waitForBusy(drover, 2);
  const crashed = servedBy((await drover.request("/uncaught")).body).pid;
  const replies = await Promise.all(inFlight);
  assert.deepEqual(
    replies.map((reply) => reply.status),
    [200, 200],
    "no request in flight on the crashed child is reset",
  );
  await waitForPidsGone([crashed], 15_000);
  const recovered = await waitFor("a replacement for the crashed child", async () => {
    const now = pids(serving(await drover.status()));
    return now.length === 2 && !now.includes(crashed) && now;
  });
  assert.ok(recovered.some((pid) => !before.includes(pid)));

  const log = drover.proc.output();
  const line = log.split("\n").find((l) => l.includes("an uncaught exception in the app"));
  assert.ok(line, "the child logged the exception");
  const entry = JSON.parse(line) as { pid: number; err: { stack: string } };
  assert.equal(entry.pid, crashed);
  assert.match(entry.err.stack, /the test asked for an uncaught exception/);
  assert.match(log, new RegExp(`"childPid":${crashed},[^\\n]*"code":${EXIT_CHILD_CRASHED},[^\\n]*crashed`));
  assert.equal((await drover.status()).counters.childrenFailed, 1);
  assertOnlyJsonLines(log);
});
