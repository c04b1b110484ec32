import assert from "node:assert/strict";
import { it } from "node:test";
import { isAlive, waitForPidsGone } from "../harness/process.ts";
import { httpGet, startDrover } from "../support/drover.ts";
import { waitForBusy } from "../support/lifecycle.ts";

const APP = `
export default (req: any, res: any) => {
  const wait = Number(new URL(req.url, "http://x").searchParams.get("ms") ?? 0);
  setTimeout(() => res.end(String(process.pid)), wait);
};`;

it("gives a draining child's slot to the new generation when serverLimit leaves none free", {
  timeout: 60_000,
}, async () => {
  const drover = await startDrover({
    app: APP,
    config: { serverLimit: 2, startServers: 2, workersPerChild: 2, maxRequestWorkers: 4, minSpareWorkers: 1 },
  });
  try {
    const before = await drover.status();
    assert.equal(before.children.length, 2);
    // A request that keeps its child busy, so that child drains while the new generation starts.
    const slow = httpGet(drover.port, "/?ms=3000");
    await waitForBusy(drover);
    const reload = await drover.cli("reload");
    assert.equal(reload.status, 0, reload.stderr);
    await drover.proc.waitForOutput(/gives its scoreboard slot to a new child/);
    assert.match(drover.proc.output(), /no free scoreboard slot for the new generation/);

    const after = await drover.status();
    assert.equal(after.generation, 1);
    assert.deepEqual(
      after.children.map((c) => c.generation),
      [1, 1],
    );
    const newPids = after.children.map((c) => c.pid);
    assert.ok(newPids.every((pid) => !before.children.some((c) => c.pid === pid)));

    const answered = Number((await slow).body);
    assert.ok(
      before.children.some((c) => c.pid === answered),
      "the old child finished the slow request",
    );
    await waitForPidsGone(
      before.children.map((c) => c.pid),
      10_000,
    );
    assert.ok(newPids.every(isAlive));
    assert.equal((await drover.request()).status, 200);
  } finally {
    await drover.stop();
  }
});
