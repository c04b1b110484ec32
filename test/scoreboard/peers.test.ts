// What a child reads of its peers to balance its accepts (review D1): only peers that accept count,
// a peer whose heartbeat went stale does not (hung, blocked, or dead and not reaped), and the scan
// stops at the master's slot bound.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GCProfiler } from "node:v8";
import { ProcessState, Scoreboard } from "../../src/scoreboard/index.ts";
import { Header } from "../../src/scoreboard/layout.ts";
import { ownFdPath, testShmName } from "../harness/temp.ts";
import { overwriteFields } from "../support/corrupt.ts";

const STALE_AFTER = 2_000;

function withBoard(run: (board: Scoreboard) => void) {
  const board = Scoreboard.create({ name: testShmName("peers"), serverLimit: 8, workerLimit: 64 });
  try {
    run(board);
  } finally {
    board.close();
  }
}

/** A ready child of `generation` in `slot` holding `open` connections, its last heartbeat at `heartbeat`. */
function peer(board: Scoreboard, slot: number, open: number, heartbeat: number, generation = 1) {
  board.master.prepareSlot(slot, generation, 64, heartbeat);
  const record = board.processWriter(slot);
  record.claim(10_000 + slot, heartbeat);
  record.setState(ProcessState.Ready);
  record.setOpenConnections(open);
  return record;
}

describe("the fewest connections a peer that accepts holds", () => {
  it("counts ready peers of the generation, not itself, quiescing ones or other generations", () => {
    withBoard((board) => {
      const now = Date.now();
      const fewest = () => board.fewestOpenConnections(1, 0, now, STALE_AFTER);
      assert.equal(fewest(), undefined, "no peer at all");
      peer(board, 0, 0, now); // itself
      assert.equal(fewest(), undefined);
      peer(board, 1, 9, now);
      peer(board, 2, 7, now);
      assert.equal(fewest(), 7);
      peer(board, 3, 1, now, 0); // an old generation
      peer(board, 4, 2, now).setQuiescing();
      const starting = peer(board, 5, 3, now);
      starting.setState(ProcessState.Starting);
      assert.equal(fewest(), 7);
    });
  });

  it("leaves out a peer whose heartbeat is older than staleAfterMs", () => {
    withBoard((board) => {
      const now = Date.now();
      peer(board, 1, 10, now - 100);
      const frozen = peer(board, 2, 0, now - STALE_AFTER - 1);
      assert.equal(
        board.fewestOpenConnections(1, 0, now, STALE_AFTER),
        10,
        "the frozen peer holds no one back",
      );
      frozen.heartbeat(now, 1, 1);
      assert.equal(board.fewestOpenConnections(1, 0, now, STALE_AFTER), 0, "it counts again once it stamps");
      assert.equal(board.fewestOpenConnections(1, 0, now + STALE_AFTER + 200, STALE_AFTER), undefined);
    });
  });

  it("stops at the master's slot bound", () => {
    withBoard((board) => {
      const now = Date.now();
      peer(board, 1, 5, now);
      peer(board, 6, 2, now);
      assert.equal(board.snapshot().slotBound, 7);
      assert.equal(board.fewestOpenConnections(1, 0, now, STALE_AFTER), 2);
      // A ready record past the bound is not read (the bound is lowered by hand here: the master
      // lowers it only once every slot past it is free).
      overwriteFields(ownFdPath(board.fd), 0, [[Header.slotBound * 4, 6, "i32"]]);
      assert.equal(board.fewestOpenConnections(1, 0, now, STALE_AFTER), 5);
      overwriteFields(ownFdPath(board.fd), 0, [[Header.slotBound * 4, 1_000_000, "i32"]]);
      assert.equal(
        board.fewestOpenConnections(1, 0, now, STALE_AFTER),
        2,
        "a bound past serverLimit is capped",
      );
    });
  });

  it("never counts a drone of the dispatch pool: it takes no connection", () => {
    const board = Scoreboard.create({
      name: testShmName("peers"),
      serverLimit: 8,
      droneBase: 4,
      workerLimit: 2,
    });
    try {
      const now = Date.now();
      peer(board, 1, 5, now);
      // Ready, of the same generation and fresh, holding no connection: as a drone always is.
      board.master.prepareSlot(5, 1, 2, now, { service: 0 });
      board.processWriter(5).claim(10_005, now);
      board.processWriter(5).setState(ProcessState.Ready);
      assert.equal(board.snapshot().slotBound, 6);
      assert.equal(board.fewestOpenConnections(1, 0, now, STALE_AFTER), 5);
    } finally {
      board.close();
    }
  });

  it("allocates nothing per call", () => {
    withBoard((board) => {
      const now = Date.now();
      for (let slot = 1; slot < 8; slot++) peer(board, slot, slot, now);
      const calls = () => {
        let sum = 0;
        for (let i = 0; i < 200_000; i++) sum += board.fewestOpenConnections(1, 0, now, STALE_AFTER) ?? 0;
        return sum;
      };
      calls(); // compiled before it is measured
      // No allocation means no garbage collection during the loop and no heap growth; 16 bytes a
      // call would be 3 MB, which makes the one or the other.
      const profiler = new GCProfiler();
      profiler.start();
      const before = process.memoryUsage().heapUsed;
      const sum = calls();
      const grown = process.memoryUsage().heapUsed - before;
      const collections = profiler.stop()?.statistics.length ?? 0;
      assert.equal(sum, 200_000);
      assert.equal(collections, 0, "garbage was collected while it ran");
      assert.ok(grown < 1_000_000, `the heap grew by ${grown} bytes`);
    });
  });
});
