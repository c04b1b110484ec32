import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { describe, it } from "node:test";
import { ErrorCode } from "../../src/errors.ts";
import { ProcessState, Scoreboard, WORKER_STATE_LETTERS, WorkerState } from "../../src/scoreboard/index.ts";
import { scoreboardBytes } from "../../src/scoreboard/layout.ts";
import { shmPath } from "../../src/shm/index.ts";
import { testShmName } from "../harness/temp.ts";

function withScoreboard(
  limits: { serverLimit: number; workerLimit: number },
  run: (scoreboard: Scoreboard) => void,
) {
  const scoreboard = Scoreboard.create({ path: shmPath(testShmName("scoreboard")), ...limits });
  try {
    run(scoreboard);
  } finally {
    scoreboard.close();
  }
}

describe("scoreboard", () => {
  it("has the mod_status letters for every worker state", () => {
    assert.equal(WORKER_STATE_LETTERS, ".S_RWKLCGI");
    assert.equal(WORKER_STATE_LETTERS[WorkerState.Ready], "_");
    assert.equal(WORKER_STATE_LETTERS[WorkerState.Keepalive], "K");
  });

  it("refuses unusable limits with their code", () => {
    for (const limits of [
      { serverLimit: 0, workerLimit: 1 },
      { serverLimit: 1.5, workerLimit: 1 },
      { serverLimit: 4, workerLimit: -1 },
      { serverLimit: 20_001, workerLimit: 1 },
      { serverLimit: 20_000, workerLimit: 100_000 },
    ]) {
      assert.throws(
        () => scoreboardBytes(limits),
        { code: ErrorCode.SCOREBOARD_BAD_LIMITS },
        JSON.stringify(limits),
      );
    }
  });

  it("counts restarts by kind, children started and failed, and keeps the spawn rate", () => {
    withScoreboard({ serverLimit: 2, workerLimit: 2 }, (scoreboard) => {
      const master = scoreboard.master;
      master.setGeneration(1, Date.now(), "graceful");
      master.setGeneration(2, Date.now(), "graceful");
      master.setGeneration(3, Date.now(), "hard");
      master.setGeneration(2, Date.now()); // a rollback: no restart began
      for (const event of ["started", "started", "started", "failed"] as const) master.countChild(event);
      master.setSpawnRate(8);
      const snap = scoreboard.snapshot();
      assert.equal(snap.generation, 2);
      assert.equal(snap.spawnRate, 8);
      assert.deepEqual(snap.counters, {
        gracefulRestarts: 2,
        hardRestarts: 1,
        childrenStarted: 3,
        childrenFailed: 1,
      });
    });
  });

  it("records a child's life and keeps totals when its slot is reclaimed", () => {
    withScoreboard({ serverLimit: 4, workerLimit: 8 }, (scoreboard) => {
      scoreboard.master.setGeneration(3, Date.now());
      scoreboard.master.prepareSlot(2, 3, 4, Date.now());
      let snap = scoreboard.snapshot();
      assert.equal(snap.generation, 3);
      assert.equal(snap.masterPid, process.pid);
      assert.equal(snap.processes.length, 1);
      assert.deepEqual(
        snap.processes[0]?.workers.map((w) => w.letter),
        ["S", "S", "S", "S"],
      );

      const proc = scoreboard.processWriter(2);
      proc.claim(4242, Date.now());
      proc.setState(ProcessState.Ready);
      for (let w = 0; w < 4; w++) scoreboard.workerWriter(2, w).setState(WorkerState.Ready);
      const worker = scoreboard.workerWriter(2, 1);
      worker.requestStarted("GET /a", 1000);
      worker.requestFinished(10, 1005, WorkerState.Keepalive);
      worker.requestStarted("GET /b/é", 1010);
      proc.countConnection();

      snap = scoreboard.snapshot();
      const child = snap.processes[0];
      assert.ok(child);
      assert.equal(child.slot, 2);
      assert.equal(child.pid, 4242);
      assert.equal(child.generation, 3);
      assert.equal(child.state, ProcessState.Ready);
      assert.equal(child.requests, 1);
      assert.equal(child.bytes, 10);
      assert.equal(child.busyWorkers, 1);
      assert.equal(child.idleWorkers, 3);
      assert.equal(child.workers[1]?.letter, "W");
      assert.equal(child.workers[1]?.request, "GET /b/é");
      assert.equal(child.workers[1]?.requestStart, 1010);
      assert.equal(child.consistent, true);
      assert.deepEqual(snap.totals, {
        children: 1,
        busyWorkers: 1,
        idleWorkers: 3,
        requests: 1,
        bytes: 10,
        connections: 1,
      });

      scoreboard.master.reclaimSlot(2);
      snap = scoreboard.snapshot();
      assert.equal(snap.processes.length, 0);
      assert.deepEqual(snap.totals, {
        children: 0,
        busyWorkers: 0,
        idleWorkers: 0,
        requests: 1,
        bytes: 10,
        connections: 1,
      });
    });
  });

  it("keeps a worker's request text when the next request line is the same", () => {
    withScoreboard({ serverLimit: 1, workerLimit: 1 }, (scoreboard) => {
      scoreboard.master.prepareSlot(0, 0, 1, Date.now());
      const worker = scoreboard.workerWriter(0, 0);
      worker.requestStarted("GET /same", 1000);
      worker.requestFinished(5, 1001, WorkerState.Keepalive);
      worker.requestStarted(undefined, 1002);
      const record = scoreboard.snapshot().processes[0]?.workers[0];
      assert.equal(record?.request, "GET /same");
      assert.equal(record?.requestStart, 1002);
      assert.equal(record?.letter, "W");
    });
  });

  it("counts a child's slow-lane requests, and a new child in the slot starts from zero", () => {
    withScoreboard({ serverLimit: 2, workerLimit: 2 }, (scoreboard) => {
      for (const round of [1, 2]) {
        scoreboard.master.prepareSlot(0, 0, 2, Date.now());
        const proc = scoreboard.processWriter(0);
        proc.claim(4242 + round, Date.now());
        assert.deepEqual(lane(scoreboard), { waiting: 0, requests: 0 }, `child ${round} starts from zero`);
        proc.slowLaneQueued(1);
        proc.slowLaneQueued(2);
        proc.setSlowLaneWaiting(1);
        assert.deepEqual(lane(scoreboard), { waiting: 1, requests: 2 });
        scoreboard.master.reclaimSlot(0);
      }
    });
    function lane(scoreboard: Scoreboard) {
      const child = scoreboard.snapshot().processes[0];
      return { waiting: child?.slowLaneWaiting, requests: child?.slowLaneRequests };
    }
  });

  it("numbers the master's stack requests in a child's slot, and a new child starts with none", () => {
    withScoreboard({ serverLimit: 2, workerLimit: 1 }, (scoreboard) => {
      scoreboard.master.prepareSlot(1, 0, 1, Date.now());
      scoreboard.processWriter(1).claim(4242, Date.now());
      const words = scoreboard.stackWords(1);
      assert.deepEqual([words.owner(), words.requested(), words.answered()], [4242, 0, 0]);
      assert.equal(scoreboard.master.requestStack(1), 1);
      assert.equal(scoreboard.master.requestStack(1), 2);
      words.answer(2);
      assert.deepEqual([words.requested(), words.answered()], [2, 2]);
      assert.equal(scoreboard.stackWords(0).requested(), 0, "other slots are untouched");
      scoreboard.master.prepareSlot(1, 1, 1, Date.now());
      assert.deepEqual([words.owner(), words.requested(), words.answered()], [0, 0, 0]);
      assert.throws(() => scoreboard.stackWords(2), { code: ErrorCode.SCOREBOARD_BAD_SLOT });
      assert.throws(() => scoreboard.master.requestStack(-1), { code: ErrorCode.SCOREBOARD_BAD_SLOT });
    });
  });

  it("truncates a long request to the record without splitting a character", () => {
    withScoreboard({ serverLimit: 1, workerLimit: 1 }, (scoreboard) => {
      scoreboard.master.prepareSlot(0, 0, 1, Date.now());
      scoreboard.workerWriter(0, 0).requestStarted(`GET /${"é".repeat(100)}`, 1);
      const request = scoreboard.snapshot().processes[0]?.workers[0]?.request ?? "";
      assert.match(request, /^GET \/é+$/);
      assert.ok(Buffer.byteLength(request) <= 80);
    });
  });

  it("refuses slots outside its limits", () => {
    withScoreboard({ serverLimit: 2, workerLimit: 2 }, (scoreboard) => {
      assert.throws(() => scoreboard.processWriter(2), { code: ErrorCode.SCOREBOARD_BAD_SLOT });
      assert.throws(() => scoreboard.workerWriter(0, 2), { code: ErrorCode.SCOREBOARD_BAD_SLOT });
      assert.throws(() => scoreboard.workerWriter(-1, 0), { code: ErrorCode.SCOREBOARD_BAD_SLOT });
    });
  });

  it("lets only its creator write the header, and close removes the file", () => {
    const path = shmPath(testShmName("owner"));
    const created = Scoreboard.create({ path, serverLimit: 2, workerLimit: 2 });
    const opened = Scoreboard.open(path);
    try {
      assert.deepEqual(opened.limits, { serverLimit: 2, workerLimit: 2 });
      assert.throws(() => opened.master, { code: ErrorCode.SCOREBOARD_NOT_OWNER });
      created.master.setGeneration(7, Date.now());
      assert.equal(opened.snapshot().generation, 7);
    } finally {
      opened.close();
      assert.ok(existsSync(path));
      created.close();
      created.close();
    }
    assert.equal(existsSync(path), false);
  });
});
