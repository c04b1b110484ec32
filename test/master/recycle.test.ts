// Recycling: a child retires gracefully after maxConnectionsPerChild connections and is replaced; no
// request is lost on the way, and the pool comes back to its size.
import assert from "node:assert/strict";
import { it } from "node:test";
import { waitForPidsGone } from "../harness/process.ts";
import { waitFor } from "../harness/wait.ts";
import { httpGet } from "../support/drover.ts";
import { servedBy, serving, startFixture } from "../support/pool.ts";

const MAX_CONNECTIONS = 5;
const REQUESTS = 20;
const POOL = { startServers: 2, workersPerChild: 2, minSpareWorkers: 2, maxSpareWorkers: 6 };

it("retires each child after maxConnectionsPerChild connections without losing a request", {
  timeout: 90_000,
}, async (t) => {
  const drover = await startFixture({
    ...POOL,
    maxConnectionsPerChild: MAX_CONNECTIONS,
    recycleJitter: 0,
  });
  t.after(() => drover.stop());

  const servedPerPid = new Map<number, number>();
  const failures: string[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    try {
      const reply = await httpGet(drover.port, "/");
      if (reply.status !== 200) throw new Error(`status ${reply.status}`);
      const { pid } = servedBy(reply.body);
      servedPerPid.set(pid, (servedPerPid.get(pid) ?? 0) + 1);
    } catch (error) {
      failures.push(
        `request ${i + 1}: ${(error as NodeJS.ErrnoException).code ?? ""} ${(error as Error).message}`,
      );
    }
  }
  t.diagnostic(`connections per child: ${JSON.stringify(Object.fromEntries(servedPerPid))}`);
  await t.test("no request is lost", {}, () =>
    assert.deepEqual(failures, [], "every request on a fresh connection gets its reply"),
  );
  for (const [pid, count] of servedPerPid) assert.ok(count <= MAX_CONNECTIONS, `${pid} served ${count}`);
  assert.ok(servedPerPid.size >= 3, `only ${servedPerPid.size} children served`);

  const settled = await waitFor("the pool back within its band", async () => {
    const status = await drover.status();
    const idle = serving(status).reduce((sum, child) => sum + child.idleWorkers, 0);
    const settledDown = status.children.every((child) => !child.quiescing) && idle >= POOL.minSpareWorkers;
    return settledDown && idle <= POOL.maxSpareWorkers && status;
  });
  assert.ok(serving(settled).length >= 1);
  const retired = [...servedPerPid.keys()].filter((pid) => !settled.children.some((c) => c.pid === pid));
  assert.ok(retired.length >= 3, `only ${retired.length} children retired`);
  await waitForPidsGone(retired, 15_000);
});
