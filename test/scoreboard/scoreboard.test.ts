import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode } from "../../src/errors.ts";
import {
  isQuiescing,
  ProcessState,
  Scoreboard,
  WORKER_STATE_LETTERS,
  WorkerState,
} from "../../src/scoreboard/index.ts";
import { Header, SCOREBOARD_LAYOUT, scoreboardBytes } from "../../src/scoreboard/layout.ts";
import { createShm, findShmOf, mapShm } from "../../src/shm/index.ts";
import { testShmName } from "../harness/temp.ts";

/** A time the records may hold (the reader flags times far from the master's start and now). */
const T0 = Date.now();

function withScoreboard(
  limits: { serverLimit: number; workerLimit: number },
  run: (scoreboard: Scoreboard) => void,
) {
  const scoreboard = Scoreboard.create({ name: testShmName("scoreboard"), ...limits });
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
      const failedAt = Date.now();
      master.restartFailed(failedAt);
      for (const event of ["started", "started", "started", "failed"] as const) master.countChild(event);
      master.setSpawnRate(8);
      const snap = scoreboard.snapshot();
      assert.equal(snap.generation, 2);
      assert.equal(snap.spawnRate, 8);
      assert.deepEqual(snap.counters, {
        gracefulRestarts: 2,
        hardRestarts: 1,
        failedRestarts: 1,
        childrenStarted: 3,
        childrenFailed: 1,
      });
      assert.equal(snap.failedRestartTime, failedAt);
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
      worker.requestStarted("GET /a", T0 + 1000);
      worker.requestFinished(10, T0 + 1005, WorkerState.Keepalive);
      worker.requestStarted("GET /b/é", T0 + 1010);
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
      assert.equal(child.workers[1]?.requestStart, T0 + 1010);
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
      worker.requestStarted("GET /same", T0 + 1000);
      worker.requestFinished(5, T0 + 1001, WorkerState.Keepalive);
      worker.requestStarted(undefined, T0 + 1002);
      const record = scoreboard.snapshot().processes[0]?.workers[0];
      assert.equal(record?.request, "GET /same");
      assert.equal(record?.requestStart, T0 + 1002);
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
      scoreboard.workerWriter(0, 0).requestStarted(`GET /${"é".repeat(100)}`, T0);
      const request = scoreboard.snapshot().processes[0]?.workers[0]?.request ?? "";
      assert.match(request, /^GET \/é+$/);
      assert.ok(Buffer.byteLength(request) <= 80);
    });
  });

  it("keeps the slot bound one past the highest slot in use, through prepare and reclaim", () => {
    withScoreboard({ serverLimit: 8, workerLimit: 1 }, (scoreboard) => {
      const { master } = scoreboard;
      const bound = () => scoreboard.snapshot().slotBound;
      assert.equal(bound(), 0, "a new board has no child");
      master.prepareSlot(2, 0, 1, Date.now());
      assert.equal(bound(), 3);
      master.prepareSlot(5, 0, 1, Date.now());
      master.prepareSlot(0, 0, 1, Date.now());
      assert.equal(bound(), 6);
      master.reclaimSlot(2);
      assert.equal(bound(), 6, "a slot below the highest changes nothing");
      master.reclaimSlot(5);
      assert.equal(bound(), 1, "down past every free slot");
      master.prepareSlot(7, 0, 1, Date.now());
      assert.equal(bound(), 8);
      master.reclaimSlot(7);
      master.reclaimSlot(0);
      assert.equal(bound(), 0);
    });
  });

  it("counts a child quiescing by its flag or an older generation, never a newer one", () => {
    withScoreboard({ serverLimit: 4, workerLimit: 1 }, (scoreboard) => {
      scoreboard.master.setGeneration(3, Date.now());
      for (const [slot, generation] of [
        [0, 2],
        [1, 3],
        [2, 4],
        [3, 3],
      ] as const) {
        scoreboard.master.prepareSlot(slot, generation, 1, Date.now());
      }
      scoreboard.processWriter(3).setQuiescing();
      const snap = scoreboard.snapshot();
      assert.deepEqual(
        snap.processes.map((p) => [p.generation, isQuiescing(snap, p)]),
        [
          [2, true],
          [3, false],
          [4, false],
          [3, true],
        ],
      );
    });
  });

  it("refuses slots outside its limits", () => {
    withScoreboard({ serverLimit: 2, workerLimit: 2 }, (scoreboard) => {
      assert.throws(() => scoreboard.processWriter(2), { code: ErrorCode.SCOREBOARD_BAD_SLOT });
      assert.throws(() => scoreboard.workerWriter(0, 2), { code: ErrorCode.SCOREBOARD_BAD_SLOT });
      assert.throws(() => scoreboard.workerWriter(-1, 0), { code: ErrorCode.SCOREBOARD_BAD_SLOT });
    });
  });

  it("lets only its creator write the header, and the creator's close lets it go", () => {
    const name = testShmName("owner");
    const created = Scoreboard.create({ name, serverLimit: 2, workerLimit: 2 });
    const path = findShmOf(process.pid, name);
    assert.equal(path, `/proc/${process.pid}/fd/${created.fd}`);
    assert.equal(created.name, name);
    const opened = Scoreboard.open(path);
    const mapped = Scoreboard.fromFd(created.fd);
    try {
      for (const reader of [opened, mapped]) {
        assert.deepEqual(reader.limits, { serverLimit: 2, workerLimit: 2 });
        assert.throws(() => reader.master, { code: ErrorCode.SCOREBOARD_NOT_OWNER });
      }
      created.master.setGeneration(7, Date.now());
      assert.equal(opened.snapshot().generation, 7);
      assert.equal(mapped.snapshot().generation, 7);
    } finally {
      opened.close();
      mapped.close();
      assert.equal(findShmOf(process.pid, name), path, "a reader's close leaves the creator's descriptor");
      created.close();
      created.close();
    }
    assert.equal(findShmOf(process.pid, name), undefined);
  });

  it("refuses another layout's memory, or a scoreboard whose limits do not fit its size", () => {
    const other = createShm(testShmName("not-a-board"), 4096, { tag: 1, version: 1 });
    try {
      assert.throws(() => Scoreboard.fromFd(other.fd), { code: ErrorCode.SHM_LAYOUT_MISMATCH });
    } finally {
      other.close();
    }
    const board = Scoreboard.create({ name: testShmName("damaged"), serverLimit: 2, workerLimit: 2 });
    const raw = mapShm(board.fd, SCOREBOARD_LAYOUT);
    try {
      Atomics.store(new Int32Array(raw.buffer), Header.serverLimit, 3);
      assert.throws(() => Scoreboard.fromFd(board.fd), {
        code: ErrorCode.SHM_LAYOUT_MISMATCH,
        message: /scoreboard whose header does not match its size/,
      });
    } finally {
      raw.close();
      board.close();
    }
  });
});
