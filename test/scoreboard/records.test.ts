// Reading one record: who counts as its live writer decides whether a record stuck mid-update is
// waited for (from the snapshot's budget) or given up at once.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Scoreboard } from "../../src/scoreboard/index.ts";
import { SCOREBOARD_LAYOUT } from "../../src/scoreboard/layout.ts";
import { readProcess } from "../../src/scoreboard/records.ts";
import { READ_BUDGET_MS, ReadBudget } from "../../src/scoreboard/seqlock.ts";
import { recordBounds } from "../../src/scoreboard/validate.ts";
import { ScoreboardView } from "../../src/scoreboard/view.ts";
import { openShm } from "../../src/shm/index.ts";
import { spawnNode } from "../harness/process.ts";
import { ownFdPath, testShmName } from "../harness/temp.ts";
import { overwriteFields, processRecordOffset } from "../support/corrupt.ts";

describe("reading a process record stuck mid-update", () => {
  it("waits for the master's own write (pid 0), not for a writer that is gone", async () => {
    const board = Scoreboard.create({
      name: testShmName("records"),
      serverLimit: 2,
      workerLimit: 1,
    });
    const segment = openShm(ownFdPath(board.fd), SCOREBOARD_LAYOUT);
    try {
      const view = new ScoreboardView(segment.buffer);
      const now = Date.now();
      const bounds = recordBounds(board.snapshot(), [], 1, now);
      // Slot 0 as prepareSlot leaves it mid-write (pid 0: the master is the writer); slot 1 as a
      // child killed mid-update leaves it.
      board.master.prepareSlot(0, 0, 1, now);
      board.master.prepareSlot(1, 0, 1, now);
      const gone = await spawnNode("-e", [""]);
      await gone.waitForExit();
      board.processWriter(1).claim(gone.pid, now);
      for (const slot of [0, 1])
        overwriteFields(ownFdPath(board.fd), processRecordOffset(slot), [[0, 1, "i32"]]);

      const forDead = new ReadBudget();
      assert.equal(readProcess(view, 1, forDead, bounds).consistent, false);
      assert.equal(forDead.remainingMs, READ_BUDGET_MS, "a dead writer is not waited for");

      const forMaster = new ReadBudget();
      assert.equal(readProcess(view, 0, forMaster, bounds).consistent, false);
      assert.ok(forMaster.remainingMs <= 0, "the master's write is waited for, up to the budget");
      const left = forMaster.remainingMs;
      assert.equal(readProcess(view, 0, forMaster, bounds).consistent, false);
      assert.equal(forMaster.remainingMs, left, "once spent, the budget is not drawn on again");
    } finally {
      segment.close();
      board.close();
    }
  });
});
