// Idle maintenance for real: requests in flight that hold worker slots make the pool grow until there
// are spare workers again; once they finish, surplus children retire, one per maintenance pass, down to
// the spare band. (Idle keep-alive connections would not do: a full child closes those to make room.)
import assert from "node:assert/strict";
import { it } from "node:test";
import { waitFor } from "../harness/wait.ts";
import { holdWorkers } from "../support/load.ts";
import { pids, serving, startFixture } from "../support/pool.ts";

const HELD = 6;

it("grows while connections hold the workers, then retires children one per pass", {
  timeout: 90_000,
}, async (t) => {
  const drover = await startFixture({
    workersPerChild: 2,
    startServers: 1,
    minSpareWorkers: 1,
    maxSpareWorkers: 3,
    serverLimit: 8,
    maxRequestWorkers: 16,
    logLevel: "debug",
  });
  t.after(() => drover.stop());
  // A band narrower than one child would make the pool flap: drover widens it, and says so.
  assert.match(drover.proc.output(), /maxSpareWorkers of 3 is below [^"]*raising it to 4/);
  const maxSpare = 4;
  assert.equal(serving(await drover.status()).length, 1);

  // Six requests in flight need three children of two workers: each reply's headers prove a slot held.
  const held = await holdWorkers(drover.port, HELD, drover.dir.path);
  t.after(() => held.close());
  const grown = await waitFor("the pool to grow past the held workers", async () => {
    const status = await drover.status();
    const children = serving(status);
    const idle = children.reduce((sum, child) => sum + child.idleWorkers, 0);
    const busy = children.reduce((sum, child) => sum + child.busyWorkers, 0);
    return busy >= HELD && idle >= 1 && status;
  });
  const peak = serving(grown).length;
  assert.ok(peak >= 4, `${peak} children for ${HELD} held connections and a spare worker`);

  const logged = drover.proc.output().length;
  await held.release();
  const counts: number[] = [];
  const settled = await waitFor(
    "the pool to shrink to the spare band",
    async () => {
      const status = await drover.status();
      const children = serving(status);
      counts.push(children.length);
      const idle = children.reduce((sum, child) => sum + child.idleWorkers, 0);
      const calm = status.children.every((child) => !child.quiescing);
      return calm && idle >= 1 && idle <= maxSpare && status;
    },
    30_000,
  );
  t.diagnostic(`serving children while shrinking: ${counts.join(" → ")}`);
  const left = serving(settled).length;
  assert.ok(left >= 1 && left <= 2, `${left} children left`);
  assert.ok(pids(serving(settled)).every((pid) => pids(serving(grown)).includes(pid)));
  for (let i = 1; i < counts.length; i++) {
    assert.ok((counts[i] ?? 0) <= (counts[i - 1] ?? 0), `the pool grew again while shrinking: ${counts}`);
  }

  // One retirement per maintenance pass (once a second), never two at once.
  const retirements = [
    ...drover.proc
      .output()
      .slice(logged)
      .matchAll(/"time":"([^"]+)"[^\n]*retiring a child/g),
  ];
  assert.ok(
    retirements.length >= peak - left,
    `${retirements.length} retirements for ${peak - left} children`,
  );
  const times = retirements.map((match) => Date.parse(match[1] ?? ""));
  for (let i = 1; i < times.length; i++) {
    assert.ok((times[i] ?? 0) - (times[i - 1] ?? 0) >= 500, `two retirements in one pass: ${times}`);
  }
});
