// shmCounter with a real master: requests spread over several children are counted exactly, across a
// graceful restart, and after a child holding the counter's lock is killed.
import assert from "node:assert/strict";
import { join } from "node:path";
import { it } from "node:test";
import { runFiles } from "../../../src/master/run/run-files.ts";
import { isAlive, waitForPidsGone } from "../../harness/process.ts";
import { type RunningDrover, startDrover } from "../../support/drover.ts";
import { devShmEntries, memfdsOf, waitForGeneration } from "../../support/lifecycle.ts";

const INDEX = JSON.stringify(join(import.meta.dirname, "..", "..", "..", "src", "index.ts"));
const APP = `export default (_req: any, res: any) => res.end(String(process.pid));`;
const CONFIG = { startServers: 3, minSpareWorkers: 1, maxSpareWorkers: 64, workersPerChild: 4 };

/** `count` GETs of `/`, `concurrency` at a time, each on a new connection; the pids that answered. */
async function spread(drover: RunningDrover, count: number, concurrency = 6): Promise<Set<number>> {
  const pids = new Set<number>();
  let sent = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (sent < count) {
        sent++;
        const reply = await drover.request("/");
        assert.equal(reply.status, 200, reply.body);
        pids.add(Number(reply.body));
      }
    }),
  );
  return pids;
}

async function counted(drover: RunningDrover): Promise<number> {
  const reply = await drover.request("/shm-counter");
  assert.equal(reply.status, 200, reply.body);
  assert.equal(reply.headers["content-type"], "text/plain; charset=utf-8");
  return Number(reply.body);
}

/** The counter's segments the master holds (memfds); never anything in /dev/shm. */
function moduleFiles(drover: RunningDrover): string[] {
  const prefix = `drover-${runFiles(drover.runDir).id}-shmCounter-counter`;
  assert.deepEqual(devShmEntries(prefix), []);
  return memfdsOf(drover.proc.pid, prefix);
}

it("counts requests over several children exactly, and goes on counting across a graceful restart", {
  timeout: 90_000,
}, async () => {
  const drover = await startDrover({ app: APP, config: { ...CONFIG, modules: [{ use: "shmCounter" }] } });
  try {
    assert.deepEqual(moduleFiles(drover).length, 2, "the counter and its lock");
    const before = await spread(drover, 150);
    assert.ok(before.size >= 2, `requests reached ${before.size} children`);
    assert.equal(await counted(drover), 150);

    const reload = await drover.cli("reload");
    assert.equal(reload.status, 0, reload.stderr);
    await waitForGeneration(drover, 1, 3);
    const after = await spread(drover, 90);
    assert.ok(
      [...after].every((pid) => !before.has(pid)),
      "the new generation answered",
    );
    assert.equal(await counted(drover), 240, "old and new children share one counter");
  } finally {
    await drover.stop();
    assert.deepEqual(moduleFiles(drover), [], "the counter's segments go when drover stops");
  }
});

it("recovers the lock from a child killed while holding it, and loses no count", {
  timeout: 90_000,
}, async () => {
  // A module that takes shmCounter's lock (by that module's name) and never gives it back.
  const holder = `import { defineModule } from ${INDEX};
export default defineModule({
  name: "holder",
  hooks: {
    childInit({ locks, requests }) {
      const lock = locks.attach("counter", { module: "shmCounter" });
      requests.use((req, res) => req.url === "/hold-lock" && lock.lock().then(() => {
        res.end(String(process.pid));
        return true;
      }));
    },
  },
});`;
  const drover = await startDrover({
    app: APP,
    config: { ...CONFIG, modules: [{ use: "./holder.ts" }, { use: "shmCounter" }] },
    files: { "holder.ts": holder },
  });
  try {
    await spread(drover, 60);
    const holding = Number((await drover.request("/hold-lock")).body);
    assert.ok(isAlive(holding));
    process.kill(holding, "SIGKILL");
    await waitForPidsGone([holding], 10_000);
    await drover.proc.waitForOutput(/exited holding module \\"shmCounter\\"'s lock \\"counter\\"/);

    await spread(drover, 60);
    assert.equal(await counted(drover), 120);
    assert.match(drover.proc.output(), /the counter's lock was recovered from a child that died holding it/);
  } finally {
    await drover.stop();
  }
});
