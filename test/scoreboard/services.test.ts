// The dispatch pool on the scoreboard: drone process records (role and service) after the children's
// slots, service records the master writes, and the listener pool's totals untouched by either.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LATENCY_BUCKETS_MS } from "../../src/dispatch/counters.ts";
import { ErrorCode } from "../../src/errors.ts";
import { Scoreboard, serverLimitThatFits, WorkerState } from "../../src/scoreboard/index.ts";
import {
  Header,
  HISTOGRAM_BUCKETS,
  SCOREBOARD_LAYOUT,
  SERVICE_RECORD_BYTES,
  scoreboardBytes,
  serviceRecordOffset,
} from "../../src/scoreboard/layout.ts";
import { mapShm } from "../../src/shm/index.ts";
import { testShmName } from "../harness/temp.ts";
import {
  busyDrone,
  histogram,
  readyChild,
  SHAPE,
  serviceFields,
  withServiceBoard,
} from "../support/service-board.ts";

const NOW = Date.now();

describe("the dispatch pool on the scoreboard", () => {
  it("places the service records after the worker records, 8-byte aligned", () => {
    assert.equal(HISTOGRAM_BUCKETS, LATENCY_BUCKETS_MS.length + 1);
    assert.equal(SERVICE_RECORD_BYTES % 8, 0);
    assert.equal(
      serviceRecordOffset(SHAPE, SHAPE.serviceLimit),
      scoreboardBytes(SHAPE),
      "the last service record ends the scoreboard",
    );
    assert.equal(scoreboardBytes({ ...SHAPE, serviceLimit: 0 }), serviceRecordOffset(SHAPE, 0));
    // A config sized to the 1 GiB ceiling of the slots still gets its service records.
    const fits = { serverLimit: serverLimitThatFits(1024), workerLimit: 1024 };
    assert.equal(
      scoreboardBytes({ ...fits, serviceLimit: 64 }),
      scoreboardBytes(fits) + 64 * SERVICE_RECORD_BYTES,
    );
    withServiceBoard((board) => {
      assert.equal(board.droneBase, 2);
      assert.equal(board.serviceLimit, 4);
      const snap = board.snapshot();
      assert.deepEqual([snap.droneBase, snap.serviceLimit, snap.services], [2, 4, []]);
    });
    const plain = Scoreboard.create({ name: testShmName("plain"), serverLimit: 3, workerLimit: 1 });
    try {
      assert.deepEqual([plain.droneBase, plain.serviceLimit], [3, 64], "no drone slots, 64 services");
    } finally {
      plain.close();
    }
  });

  it("round-trips a service record, and a drone names its service", () => {
    withServiceBoard((board) => {
      const fields = serviceFields("math.v2:é", { generation: 1 });
      board.master.setGeneration(1, NOW);
      board.master.writeService(2, fields);
      board.master.writeService(0, serviceFields("other"));
      readyChild(board, 0, 4100);
      busyDrone(board, 2, 2, 4200, "add", NOW - 1500, NOW);
      busyDrone(board, 4, 0, 4201, "sub", NOW - 10);

      const snap = board.snapshot();
      assert.deepEqual(
        snap.services.map((s) => [s.index, s.name, s.consistent, s.damaged]),
        [
          [0, "other", true, []],
          [2, "math.v2:é", true, []],
        ],
      );
      const { index, consistent, damaged, ...read } = snap.services[1] ?? assert.fail("no service");
      assert.deepEqual(read, {
        ...fields,
        queueWait: { counts: fields.queueWait.counts, count: 4, sumMs: 24.5 },
        runTime: { counts: fields.runTime.counts, count: 5, sumMs: 20_064 },
      });
      assert.deepEqual(
        snap.processes.map((p) => [p.slot, p.role, p.serviceIndex, p.service, p.damaged]),
        [
          [0, "child", undefined, undefined, []],
          [2, "drone", 2, "math.v2:é", []],
          [4, "drone", 0, "other", []],
        ],
      );
      const drone = snap.processes[1];
      assert.deepEqual(
        drone?.workers.map((w) => [w.letter, w.request, w.requests, w.requestStart]),
        [
          ["W", "add", 3, NOW - 1500],
          ["_", "other", 1, NOW],
        ],
      );

      // Rewritten in place, then cleared: its drones then name no service.
      board.master.writeService(2, serviceFields("math", { backlog: 0 }));
      assert.equal(board.snapshot().services[1]?.backlog, 0);
      board.master.clearService(2);
      const cleared = board.snapshot();
      assert.deepEqual(
        cleared.services.map((s) => s.name),
        ["other"],
      );
      assert.equal(cleared.processes[1]?.service, undefined);
      assert.equal(cleared.processes[1]?.serviceIndex, 2);
    });
  });

  it("keeps drones out of the listener pool's totals, and out of the retired counts", () => {
    withServiceBoard((board) => {
      board.master.writeService(0, serviceFields("math"));
      readyChild(board, 0, 4100);
      readyChild(board, 1, 4101);
      busyDrone(board, 3, 0, 4200, "add", NOW);
      board.processWriter(3).countConnection();
      const totals = {
        children: 2,
        busyWorkers: 0,
        idleWorkers: 4,
        requests: 2,
        bytes: 200,
        connections: 0,
      };
      assert.deepEqual(board.snapshot().totals, totals);
      board.master.reclaimSlot(3);
      assert.deepEqual(board.snapshot().totals, totals, "a drone's calls are not folded into the totals");
      board.master.reclaimSlot(1);
      assert.deepEqual(board.snapshot().totals, { ...totals, children: 1, idleWorkers: 2 });
      // The slot is a drone's again: it starts from nothing.
      board.master.prepareSlot(3, 0, 1, NOW, { service: 0 });
      assert.deepEqual(
        board
          .snapshot()
          .processes.at(-1)
          ?.workers.map((w) => [w.state, w.requests]),
        [[WorkerState.Starting, 0]],
      );
    });
  });

  it("refuses what a record cannot hold, and writes nothing of it", () => {
    withServiceBoard((board) => {
      const { master } = board;
      master.writeService(1, serviceFields("kept"));
      const before = board.snapshot().services;
      const limits = { code: ErrorCode.SCOREBOARD_BAD_LIMITS };
      const slot = { code: ErrorCode.SCOREBOARD_BAD_SLOT };
      assert.throws(() => master.writeService(1, serviceFields("x".repeat(129))), {
        ...limits,
        message: /is 129 bytes: a scoreboard service record holds a name of 1 to 128 bytes/,
      });
      // 127 bytes and a two-byte character: it would have to be cut.
      assert.throws(() => master.writeService(1, serviceFields(`${"x".repeat(127)}é`)), limits);
      assert.throws(() => master.writeService(1, serviceFields("")), limits);
      const short = { counts: [1, 2], count: 3, sumMs: 1 };
      assert.throws(() => master.writeService(1, serviceFields("kept", { runTime: short })), {
        ...limits,
        message: /runTime has 2 buckets, the scoreboard 17/,
      });
      for (const index of [-1, 4, 1.5]) {
        assert.throws(() => master.writeService(index, serviceFields("y")), {
          ...slot,
          message: /this scoreboard has 4 service records \(serviceLimit\)/,
        });
        assert.throws(() => master.clearService(index), slot);
      }
      assert.deepEqual(board.snapshot().services, before);
      master.writeService(1, serviceFields("x".repeat(128)));
      assert.equal(board.snapshot().services[0]?.name.length, 128, "128 bytes fit");

      assert.throws(() => master.prepareSlot(1, 0, 1, NOW, { service: 0 }), {
        ...slot,
        message: /slot 1 is a child slot \(drones begin at 2\)/,
      });
      assert.throws(() => master.prepareSlot(2, 0, 1, NOW), {
        ...slot,
        message: /slot 2 is a drone slot/,
      });
      assert.throws(() => master.prepareSlot(2, 0, 1, NOW, { service: 4 }), slot);
      assert.equal(board.snapshot().processes.length, 0, "no slot was taken");
    });
  });

  it("refuses a drone base or service count out of range, at creation and at open", () => {
    const limits = { code: ErrorCode.SCOREBOARD_BAD_LIMITS };
    for (const shape of [
      { droneBase: 6 },
      { droneBase: -1 },
      { serviceLimit: -1 },
      { serviceLimit: 4097 },
      { serviceLimit: 2.5 },
    ]) {
      assert.throws(
        () => Scoreboard.create({ name: testShmName("bad"), ...SHAPE, ...shape }),
        limits,
        JSON.stringify(shape),
      );
    }
    withServiceBoard((board) => {
      const raw = mapShm(board.fd, SCOREBOARD_LAYOUT);
      try {
        const i32 = new Int32Array(raw.buffer);
        Atomics.store(i32, Header.serviceLimit, 5);
        assert.throws(() => Scoreboard.fromFd(board.fd), { code: ErrorCode.SHM_LAYOUT_MISMATCH });
        Atomics.store(i32, Header.serviceLimit, 4);
        Atomics.store(i32, Header.droneBase, 6);
        assert.throws(() => Scoreboard.fromFd(board.fd), { code: ErrorCode.SHM_LAYOUT_MISMATCH });
      } finally {
        raw.close();
      }
    });
  });

  it("reads an empty histogram (nothing observed yet) back as zeros, and sound", () => {
    withServiceBoard((board) => {
      // What the master has at start: nothing observed yet.
      board.master.writeService(3, serviceFields("idle", { queueWait: histogram(), runTime: histogram() }));
      const [service] = board.snapshot().services;
      assert.deepEqual(service?.queueWait, { counts: new Array(17).fill(0), count: 0, sumMs: 0 });
      assert.deepEqual(service?.damaged, []);
    });
  });
});
