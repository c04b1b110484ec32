import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  ProcessState,
  Scoreboard,
  type WorkerSnapshot,
  workerStateLetter,
} from "../../src/scoreboard/index.ts";
import { SCOREBOARD_LAYOUT, WORKER_REQUEST_OFFSET, Work, WorkF64 } from "../../src/scoreboard/layout.ts";
import { ScoreboardView } from "../../src/scoreboard/view.ts";
import { mapShm } from "../../src/shm/index.ts";
import { inheritedFd, isAlive, spawnNode } from "../harness/process.ts";
import { testShmName } from "../harness/temp.ts";

const fixture = (name: string) => join(import.meta.dirname, "fixtures", name);

/** Whether a worker record could have been written by the torn-writer fixture in one piece. */
function wholeRecord(
  w: Pick<WorkerSnapshot, "requests" | "bytes" | "request" | "requestStart" | "lastUsed" | "letter">,
) {
  const k = w.requestStart;
  if (w.bytes !== w.requests || w.request !== `GET /item/${k}${"x".repeat(k % 40)}`) return false;
  if (w.letter === "W") return w.requests === k - 1 && w.lastUsed === k - 1;
  if (w.letter === "_") return w.requests === k && w.lastUsed === k;
  return false;
}

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

  it("never shows a torn record while a writer updates as fast as it can", { timeout: 30_000 }, async (t) => {
    const scoreboard = Scoreboard.create({
      name: testShmName("torn"),
      serverLimit: 1,
      workerLimit: 1,
    });
    scoreboard.master.prepareSlot(0, 0, 1, Date.now());
    const writer = await spawnNode(fixture("torn-writer.ts"), [`${inheritedFd(0)}`, "0"], {
      ready: /writing/,
      fds: [scoreboard.fd],
    });
    try {
      // The same fields read without the sequence lock: shows that the race is real on this machine.
      const raw = rawWorkerReader(scoreboard.fd);
      let reads = 0;
      let rawTorn = 0;
      let moving = 0;
      let last = -1;
      // Read until the writer has made enough distinct updates (on a loaded machine it gets little CPU).
      const deadline = Date.now() + 10_000;
      while (moving < 2_000 && Date.now() < deadline) {
        for (let i = 0; i < 500; i++) {
          const w = scoreboard.snapshot().processes[0]?.workers[0];
          assert.ok(w);
          if (w.requestStart === 0) continue;
          assert.ok(w.consistent, "a live writer's record was reported inconsistent");
          assert.ok(wholeRecord(w), `torn record: ${JSON.stringify(w)}`);
          if (w.requestStart !== last) moving++;
          last = w.requestStart;
          reads++;
          if (!wholeRecord(raw.read())) rawTorn++;
        }
      }
      raw.close();
      assert.ok(moving > 100, `the writer barely moved (${moving} distinct values in ${reads} reads)`);
      t.diagnostic(
        `${reads} consistent reads over ${moving} distinct updates; unlocked reads torn: ${rawTorn}`,
      );
    } finally {
      await writer.stop();
      scoreboard.close();
    }
    assert.equal(isAlive(writer.pid), false);
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
      writer.requestStarted("GET /again", 5);
      writer.requestFinished(1, 6);
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

/** Reads worker 0 of slot 0 field by field with no lock, as a broken reader would. */
function rawWorkerReader(fd: number) {
  const segment = mapShm(fd, SCOREBOARD_LAYOUT);
  const view = new ScoreboardView(segment.buffer);
  const offset = view.workerOffset(0, 0);
  const base = offset / 4;
  const decoder = new TextDecoder();
  return {
    read: () => {
      const length = view.i32[base + Work.requestLength] ?? 0;
      const text = offset + WORKER_REQUEST_OFFSET;
      return {
        letter: workerStateLetter(view.i32[base + Work.state] ?? 0),
        requests: view.f64[base / 2 + WorkF64.requests] ?? 0,
        bytes: view.f64[base / 2 + WorkF64.bytes] ?? 0,
        request: decoder.decode(view.u8.slice(text, text + length)),
        requestStart: view.f64[base / 2 + WorkF64.requestStart] ?? 0,
        lastUsed: view.f64[base / 2 + WorkF64.lastUsed] ?? 0,
      };
    },
    close: () => segment.close(),
  };
}
