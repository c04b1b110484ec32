// Recycling: a child retires gracefully after maxConnectionsPerChild connections, maxRequestsPerChild
// requests (which keep-alive cannot dodge), above maxChildMemory, or past maxChildAge. Its replacement
// starts first, no request is lost, and a retirement is a planned exit: logged at info, never counted
// as a failure (newcomer A1).
import assert from "node:assert/strict";
import { it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { waitForPidsGone } from "../harness/process.ts";
import { waitFor } from "../harness/wait.ts";
import { httpGet, type RunningDrover } from "../support/drover.ts";
import { RawConnection } from "../support/load.ts";
import { pids, servedBy, serving, startFixture } from "../support/pool.ts";

const POOL = {
  startServers: 2,
  workersPerChild: 2,
  minSpareWorkers: 2,
  maxSpareWorkers: 6,
  recycleJitter: 0,
};

/** The pids the master logged as retired, for any reason. */
function retiredPids(drover: RunningDrover): number[] {
  return [...drover.proc.output().matchAll(/"childPid":(\d+),[^\n]*"msg":"child retired/g)].map((m) =>
    Number(m[1]),
  );
}

/** The children that retired for `reason`, from the log, and proof none of it was a failure. */
async function assertPlannedRetirements(drover: RunningDrover, reason: string, atLeast: number) {
  const retired = await waitFor(`${atLeast} children retired for ${reason}`, () => {
    const lines = drover.proc
      .output()
      .split("\n")
      .filter((line) => line.includes(`"msg":"child retired (${reason})"`));
    return (
      lines.length >= atLeast && lines.map((line) => JSON.parse(line) as { level: number; childPid: number })
    );
  });
  for (const line of retired) assert.equal(line.level, 30, "a retirement is logged at info");
  assert.doesNotMatch(drover.proc.output(), /exited unexpectedly|"level":50/);
  assert.equal((await drover.status()).counters.childrenFailed, 0, "recycling is not failure");
  await waitForPidsGone(
    retired.map((line) => line.childPid),
    15_000,
  );
  const back = await waitFor("the pool back to startServers", async () => {
    const now = serving(await drover.status());
    return now.length >= POOL.startServers && now;
  });
  for (const line of retired) assert.ok(!pids(back).includes(line.childPid));
}

it("retires each child after maxConnectionsPerChild connections without losing a request", {
  timeout: 90_000,
}, async (t) => {
  const drover = await startFixture({ ...POOL, maxConnectionsPerChild: 5 });
  t.after(() => drover.stop());
  const first = pids(serving(await drover.status()));
  const failures: string[] = [];
  const served = new Set<number>();
  // A retiring child serves on until its replacement is up: keep asking until both first children
  // have been replaced (bounded).
  const deadline = Date.now() + 30_000;
  for (
    let i = 0;
    served.size < 4 || first.some((pid) => served.has(pid) && !retiredPids(drover).includes(pid));
    i++
  ) {
    assert.ok(Date.now() < deadline, `not retired in time; served by ${[...served].join(" ")}`);
    try {
      const reply = await httpGet(drover.port, "/");
      if (reply.status !== 200) throw new Error(`status ${reply.status}`);
      served.add(servedBy(reply.body).pid);
    } catch (error) {
      failures.push(`request ${i + 1}: ${(error as Error).message}`);
    }
    await delay(20);
  }
  assert.deepEqual(failures, [], "every request on a fresh connection gets its reply");
  await assertPlannedRetirements(drover, "connections", 2);
});

it("maxRequestsPerChild retires a child that one keep-alive connection would keep forever (chaos D5)", {
  timeout: 90_000,
}, async (t) => {
  const drover = await startFixture({ ...POOL, maxConnectionsPerChild: 1000, maxRequestsPerChild: 5 });
  t.after(() => drover.stop());
  const served: number[] = [];
  let connection = await RawConnection.open(drover.port);
  t.after(() => connection.close());
  const deadline = Date.now() + 30_000;
  let closing = false;
  while (new Set(served).size < 2) {
    assert.ok(Date.now() < deadline, `one connection stayed on one child: ${served.join(" ")}`);
    // The retiring child answers its last request with Connection: close; the client reconnects
    // (on the header, not on seeing the close: the FIN may come after the next request is written).
    if (closing || connection.closed) {
      connection.close();
      connection = await RawConnection.open(drover.port);
    }
    const reply = await connection.get("/");
    assert.equal(reply.status, 200);
    closing = reply.headers.connection === "close";
    served.push(servedBy(reply.body).pid);
    await delay(20);
  }
  await assertPlannedRetirements(drover, "requests", 1);
});

it("maxChildMemory retires a child whose memory grows past it, its replacement up first", {
  timeout: 90_000,
}, async (t) => {
  const drover = await startFixture({ ...POOL, maxChildMemory: "200MB", heartbeatTimeout: "2s" });
  t.after(() => drover.stop());
  const before = pids(serving(await drover.status()));
  const grown = servedBy((await drover.request("/grow?mb=180")).body).pid;
  await assertPlannedRetirements(drover, "memory", 1);
  const log = drover.proc.output();
  assert.match(log, new RegExp(`"pid":${grown},[^\\n]*recycling limit \\(memory\\)`));
  // The replacement was ready before the leaking child began to drain.
  const replacement = pids(serving(await drover.status())).find((pid) => !before.includes(pid));
  assert.ok(replacement !== undefined);
});

it("maxChildAge retires children as they age, and serving goes on", { timeout: 90_000 }, async (t) => {
  const drover = await startFixture({ ...POOL, maxChildAge: "3s" });
  t.after(() => drover.stop());
  const first = pids(serving(await drover.status()));
  const deadline = Date.now() + 20_000;
  for (;;) {
    const now = pids(serving(await drover.status()));
    if (first.every((pid) => !now.includes(pid))) break;
    assert.ok(Date.now() < deadline, "the first children never retired");
    assert.equal((await drover.request("/")).status, 200);
  }
  await assertPlannedRetirements(drover, "age", 2);
});
