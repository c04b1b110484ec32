// Service records and drone process records overwritten from outside (as the chaos review did with
// dd): values out of range are flagged damaged, naming the fields, and a damaged service names no drone.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  HISTOGRAM_BUCKETS,
  Proc,
  ProcessRole,
  SERVICE_NAME_OFFSET,
  Svc,
  SvcF64,
  serviceRecordOffset,
} from "../../src/scoreboard/layout.ts";
import { ownFdPath } from "../harness/temp.ts";
import { garbage, overwrite, overwriteFields, processRecordOffset } from "../support/corrupt.ts";
import { busyDrone, readyChild, SHAPE, serviceFields, withServiceBoard } from "../support/service-board.ts";

const NOW = Date.now();
const i32 = (index: number) => index * 4;
const f64 = (index: number) => index * 8;

describe("damaged service and drone records", () => {
  it("flags a service record's fields out of range, and its drones name no service", () => {
    withServiceBoard((board) => {
      board.master.writeService(0, serviceFields("math"));
      board.master.writeService(1, serviceFields("text"));
      busyDrone(board, 2, 0, 4200, "add", NOW);
      busyDrone(board, 3, 1, 4201, "upper", NOW);
      const path = ownFdPath(board.fd);
      overwriteFields(path, serviceRecordOffset(SHAPE, 0), [
        [i32(Svc.nameLength), 300, "i32"],
        [i32(Svc.generation), 99, "i32"],
        [f64(SvcF64.calls), -1, "f64"],
        [f64(SvcF64.backlog), 1.5, "f64"],
        [f64(SvcF64.drones), 1e9, "f64"],
        [f64(SvcF64.queueWait + HISTOGRAM_BUCKETS), Number.NaN, "f64"],
        [f64(SvcF64.runTime + 2), -3, "f64"],
      ]);
      // Bytes that are not UTF-8 in the other's name.
      overwrite(path, serviceRecordOffset(SHAPE, 1) + SERVICE_NAME_OFFSET, new Uint8Array([0xff, 0xfe]));

      const snap = board.snapshot();
      assert.deepEqual(
        snap.services.map((s) => [s.index, s.damaged]),
        [
          [0, ["name", "generation", "calls", "backlog", "drones", "queueWait", "runTime"]],
          [1, ["name"]],
        ],
      );
      assert.equal(snap.damagedRecords, 2);
      assert.deepEqual(
        snap.processes.map((p) => [p.slot, p.role, p.service, p.damaged]),
        [
          [2, "drone", undefined, []],
          [3, "drone", undefined, []],
        ],
      );
    });
  });

  it("shows a service record of garbage as damaged, where none was written", () => {
    withServiceBoard((board) => {
      overwrite(ownFdPath(board.fd), serviceRecordOffset(SHAPE, 3), garbage(64));
      const [service, ...rest] = board.snapshot().services;
      assert.deepEqual(rest, []);
      assert.equal(service?.index, 3);
      assert.ok(
        service?.damaged.includes("inUse") && service.damaged.includes("name"),
        String(service?.damaged),
      );
    });
  });

  it("flags a role that does not exist or does not fit the slot, and a service that does not exist", () => {
    withServiceBoard((board) => {
      board.master.writeService(0, serviceFields("math"));
      readyChild(board, 0, 4100);
      readyChild(board, 1, 4101);
      busyDrone(board, 2, 0, 4200, "add", NOW);
      busyDrone(board, 3, 0, 4201, "add", NOW);
      busyDrone(board, 4, 0, 4202, "add", NOW);
      const path = ownFdPath(board.fd);
      const role = (slot: number, value: number) =>
        overwriteFields(path, processRecordOffset(slot), [[i32(Proc.role), value, "i32"]]);
      const service = (slot: number, value: number) =>
        overwriteFields(path, processRecordOffset(slot), [[i32(Proc.service), value, "i32"]]);
      role(0, 7);
      role(1, ProcessRole.drone); // a drone in a child's slot
      role(2, ProcessRole.child); // a child in a drone's slot
      service(3, 4); // past serviceLimit
      service(4, -1);

      const snap = board.snapshot();
      assert.deepEqual(
        snap.processes.map((p) => [p.slot, p.damaged]),
        [
          [0, ["role"]],
          [1, ["role"]],
          [2, ["role"]],
          [3, ["service"]],
          [4, ["service"]],
        ],
      );
      assert.equal(snap.processes[3]?.service, undefined, "a service index out of range names none");
      assert.deepEqual(snap.totals.children, 0, "damaged children are not counted");
    });
  });
});
