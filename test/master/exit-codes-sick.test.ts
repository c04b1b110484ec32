// A child that exits "sick" (EXIT_CHILD_SICK, 7) or crashes (an uncaught exception in a handler, exit
// code 1) is replaced, and the other children keep serving meanwhile.
import assert from "node:assert/strict";
import { it } from "node:test";
import { EXIT_CHILD_SICK } from "../../src/protocol/exit-codes.ts";
import { isAlive, waitForPidsGone } from "../harness/process.ts";
import { waitFor } from "../harness/wait.ts";
import { httpGet } from "../support/drover.ts";
import { pids, servedBy, serving, startFixture } from "../support/pool.ts";

// Two children of two workers; losing one leaves 2 idle workers, below minSpareWorkers: it is replaced.
const POOL = { startServers: 2, workersPerChild: 2, minSpareWorkers: 3 };

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

it("replaces a child that crashes in a handler while the others keep serving", {
  timeout: 60_000,
}, async (t) => {
  const drover = await startFixture(POOL);
  t.after(() => drover.stop());
  const before = pids(serving(await drover.status()));
  assert.equal(before.length, 2);

  await assert.rejects(httpGet(drover.port, "/crash"), /socket hang up|ECONNRESET/);
  const gone = await waitFor("the crashed child exits", () => before.find((pid) => !isAlive(pid)));
  for (let i = 0; i < 10; i++) {
    const reply = await drover.request("/");
    assert.equal(reply.status, 200);
    assert.notEqual(servedBy(reply.body).pid, gone);
  }
  await waitFor("the master to log the crash", () =>
    new RegExp(`"childPid":${gone},[^\\n]*"code":1,[^\\n]*exited unexpectedly`).test(drover.proc.output()),
  );

  const recovered = await waitFor("a child in place of the crashed one", async () => {
    const now = pids(serving(await drover.status()));
    return now.length >= 2 && !now.includes(gone) && now;
  });
  assert.ok(recovered.some((pid) => !before.includes(pid)));
});
