// What `drover status` prints for a scoreboard overwritten from outside: damaged records by place and
// field, never their numbers, and totals without them (chaos review D6).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ProcessState, Scoreboard, WorkerState } from "../../src/scoreboard/index.ts";
import { HeaderF64 } from "../../src/scoreboard/layout.ts";
import { formatStatus, statusReport } from "../../src/status/report.ts";
import { ownFdPath, testShmName } from "../harness/temp.ts";
import { damageAsSeen, overwriteFields } from "../support/corrupt.ts";

const LIMITS = { serverLimit: 4, workerLimit: 2 };

/** Two children that served a request each, then damaged as the chaos review saw it. */
function damagedBoard(run: (board: Scoreboard) => void) {
  const board = Scoreboard.create({ name: testShmName("report"), ...LIMITS });
  try {
    for (const slot of [0, 1]) {
      board.master.prepareSlot(slot, 0, 2, Date.now());
      const record = board.processWriter(slot);
      record.claim(process.pid, Date.now());
      record.setState(ProcessState.Ready);
      for (let w = 0; w < 2; w++) board.workerWriter(slot, w).setState(WorkerState.Ready);
      board.workerWriter(slot, 1).requestFinished(10, Date.now());
    }
    damageAsSeen(ownFdPath(board.fd), LIMITS, { slot: 0, worker: 0, freeSlot: 3 });
    run(board);
  } finally {
    board.close();
  }
}

describe("the status report of a damaged scoreboard", () => {
  it("lists the damaged records, counts none of them, and prints none of their numbers", () => {
    damagedBoard((board) => {
      const report = statusReport(board.snapshot());
      assert.deepEqual(
        report.damaged.map(({ record, slot, worker }) => [record, slot, worker]),
        [
          ["worker", 0, 0],
          ["child", 3, null],
        ],
      );
      assert.deepEqual(report.damaged[0]?.fields, ["requests", "bytes"]);
      assert.ok(report.damaged[1]?.fields.includes("pid"));
      assert.deepEqual(
        report.children.map((c) => [c.slot, c.requests, c.grid]),
        [
          [0, 1, "?_"],
          [1, 1, "__"],
        ],
      );
      assert.deepEqual(report.totals, {
        children: 2,
        busyWorkers: 0,
        idleWorkers: 3,
        requests: 2,
        bytes: 20,
      });

      const json = JSON.stringify(report);
      const text = formatStatus(report);
      for (const shown of [json, text]) {
        assert.doesNotMatch(shown, /e\+297|-1907494791|unknown/, shown);
      }
      assert.match(text, /^2 damaged scoreboard records \(values out of range\), not counted above/m);
      assert.match(text, /^ {2}slot 0 worker 0: requests, bytes$/m);
      assert.match(text, /^ {2}child slot 3: pid, state, /m);
      assert.match(text, /^ {4}0 {2}\?_$/m, "a damaged worker shows as ? in the grid");
    });
  });

  it("prints a damaged header field as damaged, and no uptime from it", () => {
    damagedBoard((board) => {
      overwriteFields(ownFdPath(board.fd), 0, [[HeaderF64.startTime * 8, -5, "f64"]]);
      const report = statusReport(board.snapshot());
      assert.equal(report.uptimeSeconds, null);
      assert.equal(report.masterPid, process.pid);
      assert.deepEqual(report.damaged[0], {
        record: "header",
        slot: null,
        worker: null,
        fields: ["startTime"],
      });
      assert.match(
        formatStatus(report),
        new RegExp(`^drover master ${process.pid}, generation 0, up damaged$`, "m"),
      );
    });
  });
});
