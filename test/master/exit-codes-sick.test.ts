// A child that exits "sick" (EXIT_CHILD_SICK, 7), or exits on its own, is replaced at once, and the
// other children keep serving meanwhile. Crashes in the app (a handler that throws, an uncaught
// exception) are in test/child/crash.test.ts.
import assert from "node:assert/strict";
import { it } from "node:test";
import { EXIT_CHILD_SICK } from "../../src/protocol/exit-codes.ts";
import { waitForPidsGone } from "../harness/process.ts";
import { waitFor } from "../harness/wait.ts";
import { pids, servedBy, serving, startFixture } from "../support/pool.ts";

// Two children of two workers. Losing one leaves 2 idle workers, as many as minSpareWorkers: only the
// startServers floor brings the pool back to 2 (newcomer A2).
const POOL = { startServers: 2, workersPerChild: 2, minSpareWorkers: 2 };

it("replaces a child that exits sick", { timeout: 60_000 }, async (t) => {
  const drover = await startFixture(POOL);
  t.after(() => drover.stop());
  const before = pids(serving(await drover.status()));
  assert.equal(before.length, 2);

  const reply = await drover.request("/sick");
  assert.equal(reply.status, 200);
  const sick = servedBy(reply.body).pid;
  assert.ok(before.includes(sick));
  await waitForPidsGone([sick], 10_000);
  await waitFor("the master to log the sick exit", () =>
    new RegExp(`"childPid":${sick},[^\\n]*"code":${EXIT_CHILD_SICK},[^\\n]*short of a resource`).test(
      drover.proc.output(),
    ),
  );

  const recovered = await waitFor("a child in place of the sick one", async () => {
    const now = pids(serving(await drover.status()));
    return now.length >= 2 && !now.includes(sick) && now;
  });
  assert.ok(recovered.some((pid) => !before.includes(pid)));
  assert.equal((await drover.request("/")).status, 200);
});

it("a child that exits on its own is replaced at once: the pool never stays smaller than startServers", {
  timeout: 60_000,
}, async (t) => {
  const drover = await startFixture({ ...POOL, logLevel: "debug" });
  t.after(() => drover.stop());
  const before = pids(serving(await drover.status()));

  const gone = servedBy((await drover.request("/exit")).body).pid;
  await waitForPidsGone([gone], 10_000);
  const recovered = await waitFor("a child in place of the one that exited", async () => {
    const now = pids(serving(await drover.status()));
    return now.length === 2 && !now.includes(gone) && now;
  });
  assert.ok(recovered.some((pid) => !before.includes(pid)));
  assert.match(
    drover.proc.output(),
    new RegExp(`"childPid":${gone},[^\\n]*"code":1,[^\\n]*a child exited unexpectedly`),
  );
  const status = await drover.status();
  assert.equal(status.counters.childrenFailed, 1);
});
