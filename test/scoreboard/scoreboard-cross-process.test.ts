// A child's records as the master reads them from another process, and after the child is killed in
// the middle of an update. (Torn reads under a racing writer: scoreboard-torn-read.test.ts.)
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ProcessState, Scoreboard } from "../../src/scoreboard/index.ts";

import { inheritedFd, isAlive, spawnNode } from "../harness/process.ts";
import { testShmName } from "../harness/temp.ts";

const fixture = (name: string) => join(import.meta.dirname, "fixtures", name);

describe("scoreboard across processes", () => {
  it("shows a child's own records to the master", { timeout: 20_000 }, async () => {
    const scoreboard = Scoreboard.create({
      name: testShmName("child"),
      serverLimit: 4,
      workerLimit: 4,
    });
    scoreboard.master.prepareSlot(1, 0, 3, Date.now());
    const child = await spawnNode(fixture("child-writer.ts"), [`${inheritedFd(0)}`, "1", "3"], {
      ready: /done/,
      fds: [scoreboard.fd],
    });
    try {
      const snap = scoreboard.snapshot();
      const record = snap.processes.find((p) => p.slot === 1);
      assert.ok(record);
      assert.equal(record.pid, child.pid);
      assert.equal(record.state, ProcessState.Ready);
      assert.equal(record.connections, 5);
      assert.equal(record.requests, 5);
      assert.equal(record.bytes, 500);
      assert.equal(record.heapUsed, 1234);
      assert.ok(record.rss > 0);
      assert.deepEqual(
        record.workers.map((w) => w.letter),
        ["_", "W", "_"],
      );
      assert.equal(record.workers[1]?.request, "POST /upload");
    } finally {
      await child.stop();
      scoreboard.close();
    }
    assert.equal(isAlive(child.pid), false);
  });

  it("stays readable after a writer is SIGKILLed mid-update, and the slot is reclaimed", {
    timeout: 20_000,
  }, async () => {
    const scoreboard = Scoreboard.create({
      name: testShmName("killed"),
      serverLimit: 2,
      workerLimit: 2,
    });
    scoreboard.master.prepareSlot(0, 1, 2, Date.now());
    scoreboard.master.prepareSlot(1, 1, 2, Date.now());
    const healthy = scoreboard.processWriter(1);
    healthy.claim(process.pid, Date.now());
    scoreboard.workerWriter(1, 0).requestFinished(7, Date.now());
    const victim = await spawnNode(fixture("killed-mid-update.ts"), [`${inheritedFd(0)}`, "0"], {
      ready: /mid-update/,
      fds: [scoreboard.fd],
    });
    try {
      process.kill(victim.pid, "SIGKILL");
      const status = await victim.waitForExit();
      assert.equal(status.signal, "SIGKILL");

      const snap = scoreboard.snapshot();
      const dead = snap.processes.find((p) => p.slot === 0);
      assert.ok(dead);
      assert.equal(dead.workers[0]?.consistent, false);
      assert.equal(dead.consistent, false);
      const alive = snap.processes.find((p) => p.slot === 1);
      assert.equal(alive?.consistent, true);
      assert.equal(alive?.requests, 1);

      scoreboard.master.reclaimSlot(0);
      scoreboard.master.prepareSlot(0, 2, 2, Date.now());
      const writer = scoreboard.workerWriter(0, 0);
      writer.requestStarted("GET /again", Date.now());
      writer.requestFinished(1, Date.now());
      const again = scoreboard.snapshot().processes.find((p) => p.slot === 0);
      assert.equal(again?.consistent, true);
      assert.equal(again?.generation, 2);
      assert.equal(again?.requests, 1);
      assert.equal(scoreboard.snapshot().totals.requests, 1 + 1 + 2);
    } finally {
      await victim.stop();
      scoreboard.close();
    }
  });
});
