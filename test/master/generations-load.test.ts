// "Ten reloads in a row under steady load lose no request": keep-alive clients on loopback run through
// ten graceful restarts, and every request they send gets its 200.
import assert from "node:assert/strict";
import { it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { waitFor } from "../harness/wait.ts";
import { describeFailures, startLoad } from "../support/load.ts";
import { startFixture } from "../support/pool.ts";

const RELOADS = 10;

it("loses no request through ten reloads in a row under steady load", { timeout: 120_000 }, async (t) => {
  const drover = await startFixture({
    startServers: 2,
    workersPerChild: 8,
    minSpareWorkers: 4,
    serverLimit: 32,
    maxRequestWorkers: 256,
  });
  t.after(() => drover.stop());

  const load = startLoad(drover.port, { clients: 4 });
  let report: Awaited<ReturnType<typeof load.stop>> | undefined;
  try {
    load.setPhase("before the reloads");
    await delay(500);
    for (let reload = 1; reload <= RELOADS; reload++) {
      load.setPhase(`during reload ${reload}`);
      const result = await drover.cli("reload");
      assert.equal(result.status, 0, `reload ${reload}: ${result.stderr}`);
      assert.match(result.stdout, new RegExp(`generation ${reload} is serving`));
      load.setPhase(`after reload ${reload}`);
    }
    await delay(500);
  } finally {
    report = await load.stop();
  }

  const generations = [...report.byPrefix.keys()].sort();
  t.diagnostic(`${report.ok} replies by generation: ${JSON.stringify(Object.fromEntries(report.byPrefix))}`);
  assert.deepEqual(report.failures, [], `failed requests:\n${describeFailures(report.failures)}`);
  assert.ok(report.ok > 0);
  assert.ok(generations.length >= 3, `replies came from only ${generations.join(", ")}`);
  assert.ok(report.byPrefix.has(`gen=${RELOADS}`), "the last generation served");
  // Every old child finished and left.
  const last = await waitFor("only the last generation left", async () => {
    const status = await drover.status();
    return status.children.every((child) => child.generation === RELOADS) && status;
  });
  assert.equal(last.generation, RELOADS);
});
