// A reload that fails after some of its children already serve (review D4): those children drain
// instead of being killed, so no request in flight on them is lost (11 of 24 failed before), and the
// old generation serves on.
import assert from "node:assert/strict";
import { it } from "node:test";
import { waitForPidsGone } from "../harness/process.ts";
import { waitFor } from "../harness/wait.ts";
import { httpGet } from "../support/drover.ts";
import { board } from "../support/lifecycle.ts";
import { pids, serving, startControlled } from "../support/pool.ts";

it("a failed reload drains its new children that already serve: no request in flight on them is lost", {
  timeout: 90_000,
}, async (t) => {
  const controlled = await startControlled({
    startServers: 2,
    workersPerChild: 16,
    minSpareWorkers: 1,
    serverLimit: 8,
  });
  t.after(() => controlled.stop());
  const { drover } = controlled;
  const old = pids(serving(await drover.status()));
  // The new generation takes slots 2 and 3; the child in slot 3 fails 5 s into its childInit.
  controlled.set("fail-init", true, "3 5000");
  const reload = drover.cli("reload");
  const ready = await waitFor("the new child in slot 2 serving", () =>
    board(drover.runDir).children.find((c) => c.generation === 1 && c.slot === 2 && c.state === "ready"),
  );
  // Requests that take 3 s, on fresh connections, until several are in flight on the new child (the
  // kernel spreads them over every child accepting); they are still running when slot 3 fails.
  const requests: Promise<Awaited<ReturnType<typeof httpGet>> | Error>[] = [];
  while (requests.length < 80) {
    requests.push(
      httpGet(drover.port, "/slow?ms=3000").then(
        (reply) => reply,
        (error: Error) => error,
      ),
    );
    const onNew = board(drover.runDir).children.find((c) => c.pid === ready.pid)?.busyWorkers ?? 0;
    if (onNew >= 3) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const failed = await reload;
  assert.equal(failed.status, 1);
  assert.match(
    failed.stderr,
    /graceful restart failed; generation 0 keeps serving: [^\n]*could not initialise/,
  );
  const replies = await Promise.all(requests);
  const lost = replies.filter((reply) => reply instanceof Error || reply.status !== 200);
  assert.deepEqual(lost, [], "every request in flight was answered");
  const byNew = replies.filter(
    (reply) => !(reply instanceof Error) && reply.body.includes(`pid=${ready.pid}`),
  );
  assert.ok(byNew.length > 0, "some of them were on the new child that drained");
  await waitForPidsGone([ready.pid], 10_000);
  assert.deepEqual(pids(serving(await drover.status())), old, "the old generation serves on");
});
