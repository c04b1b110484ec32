// Idle maintenance as a pure function, pass by pass, against the seed's
// perform_idle_server_maintenance: the spawn rate, the hold-off after a graceful restart, retiring
// surplus children one pass at a time, and the operator messages.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  HOLD_OFF_AFTER_GRACEFUL,
  MAX_SPAWN_RATE,
  type MaintenanceDecision,
  performIdleMaintenance,
  type SlotView,
} from "../../../src/master/pool/maintenance.ts";
import { freshSpawnState as freshMemory } from "../../../src/master/pool/spawn-state.ts";
import { child, draining, empty, LIMITS, slots } from "../../support/maintenance-views.ts";

/** Room for the spawn rate to reach its ceiling: one busy child and 63 empty slots. */
const WIDE = { ...LIMITS, daemonsLimit: 64 };
const BUSY_AND_EMPTY: SlotView[] = [child(0, "KK"), ...slots(1, 63, empty)];

function spawned(decision: MaintenanceDecision): readonly number[] {
  assert.equal(decision.kind, "spawn", `expected a spawn, got ${JSON.stringify(decision)}`);
  return decision.kind === "spawn" ? decision.slots : [];
}

describe("idle maintenance: the spawn rate", () => {
  it("doubles each pass while idle workers stay short, up to 32, spawning that many", () => {
    const memory = freshMemory();
    const counts: number[] = [];
    const rates: number[] = [];
    for (let pass = 0; pass < 8; pass++) {
      counts.push(spawned(performIdleMaintenance(BUSY_AND_EMPTY, WIDE, memory).decision).length);
      rates.push(memory.idleSpawnRate);
    }
    assert.equal(MAX_SPAWN_RATE, 32);
    assert.deepEqual(counts, [1, 2, 4, 8, 16, 32, 32, 32]);
    assert.deepEqual(rates, [2, 4, 8, 16, 32, 32, 32, 32]);
  });

  it("spawns into the lowest empty slots, never more than there are", () => {
    const memory = freshMemory();
    memory.idleSpawnRate = 8;
    const board = [child(0, "KK"), empty(1), child(2, "KK"), empty(3), ...slots(4, 4, (s) => child(s, "KK"))];
    assert.deepEqual(spawned(performIdleMaintenance(board, LIMITS, memory).decision), [1, 3]);
  });

  it("resets to one once the idle workers are enough", () => {
    const memory = freshMemory();
    for (let pass = 0; pass < 4; pass++) performIdleMaintenance(BUSY_AND_EMPTY, WIDE, memory);
    assert.equal(memory.idleSpawnRate, 16);
    const satisfied = [child(0, "KK"), child(1, "__"), ...slots(2, 62, empty)];
    const { decision } = performIdleMaintenance(satisfied, WIDE, memory);
    assert.deepEqual(decision, { kind: "steady", idle: 2 });
    assert.equal(memory.idleSpawnRate, 1);
    assert.deepEqual(spawned(performIdleMaintenance(BUSY_AND_EMPTY, WIDE, memory).decision), [1]);
  });

  it("holds off doubling for the passes after a graceful restart, then doubles again", () => {
    const memory = freshMemory();
    memory.holdOffOnExponentialSpawning = HOLD_OFF_AFTER_GRACEFUL;
    assert.equal(HOLD_OFF_AFTER_GRACEFUL, 10, "the seed holds off for 10 passes");
    const counts: number[] = [];
    for (let pass = 0; pass < HOLD_OFF_AFTER_GRACEFUL; pass++) {
      counts.push(spawned(performIdleMaintenance(BUSY_AND_EMPTY, WIDE, memory).decision).length);
      // A satisfied pass in between does not use up the hold-off: only spawning passes count.
      performIdleMaintenance([child(0, "__"), ...slots(1, 63, empty)], WIDE, memory);
    }
    assert.deepEqual(counts, Array(HOLD_OFF_AFTER_GRACEFUL).fill(1));
    assert.equal(memory.holdOffOnExponentialSpawning, 0);
    assert.equal(spawned(performIdleMaintenance(BUSY_AND_EMPTY, WIDE, memory).decision).length, 1);
    assert.equal(spawned(performIdleMaintenance(BUSY_AND_EMPTY, WIDE, memory).decision).length, 2);
    assert.equal(memory.idleSpawnRate, 4);
  });
});

describe("idle maintenance: retiring surplus children", () => {
  it("retires one child per pass while idle workers are above maxSpareWorkers, resetting the rate", () => {
    const memory = freshMemory();
    let board = slots(0, 7, (slot) => child(slot, "__"));
    const retired: number[] = [];
    for (let pass = 0; pass < 10; pass++) {
      memory.idleSpawnRate = 4;
      const { decision } = performIdleMaintenance(board, LIMITS, memory);
      if (decision.kind !== "retire") {
        assert.deepEqual(decision, { kind: "steady", idle: 6 });
        assert.equal(memory.idleSpawnRate, 1);
        break;
      }
      assert.equal(memory.idleSpawnRate, 1);
      retired.push(decision.slot);
      // The master quiesces it; the next pass sees it draining.
      board = board.map((view) =>
        view.slot === decision.slot ? draining(view.slot, "__", LIMITS.generation) : view,
      );
    }
    // 14 idle workers, 6 allowed: four children, one per pass, each a different one.
    assert.equal(retired.length, 4);
    assert.equal(new Set(retired).size, 4);
  });

  it("does not retire at exactly maxSpareWorkers", () => {
    const board = [...slots(0, 3, (slot) => child(slot, "__")), ...slots(3, 5, empty)];
    assert.deepEqual(performIdleMaintenance(board, LIMITS, freshMemory()).decision, {
      kind: "steady",
      idle: 6,
    });
  });

  it("picks the idlest child of the current generation, never a draining or old one", () => {
    const limits = { ...LIMITS, workersPerChild: 4 };
    const board = [
      child(0, "_KKK"),
      child(1, "__KK"),
      child(2, "___K"),
      draining(3, "____"),
      child(4, "____", { quiescing: true }),
      child(5, "____", { generation: LIMITS.generation - 1 }),
      child(6, "_KKK"),
      empty(7),
    ];
    const { decision } = performIdleMaintenance(board, limits, freshMemory());
    assert.deepEqual(decision, { kind: "retire", slot: 2, idle: 7 });
  });
});

describe("idle maintenance: operator messages", () => {
  it('says "seems busy" only once the rate reaches 8, with what it spawns', () => {
    const memory = freshMemory();
    const said: string[][] = [];
    for (let pass = 0; pass < 5; pass++) {
      const { messages } = performIdleMaintenance(BUSY_AND_EMPTY, WIDE, memory);
      said.push(messages.map((m) => `${m.level}: ${m.text}`));
    }
    assert.deepEqual(said.slice(0, 3), [[], [], []]);
    for (const [pass, count] of [
      [3, 8],
      [4, 16],
    ] as const) {
      assert.equal(said[pass]?.length, 1);
      assert.match(said[pass]?.[0] ?? "", /^info: the server seems busy/);
      assert.match(said[pass]?.[0] ?? "", new RegExp(`spawning ${count} children; there are about 0 idle`));
      assert.match(said[pass]?.[0] ?? "", / 1 children$/);
    }
  });

  it('says "reached maxRequestWorkers" once when every worker is busy, and spawns nothing', () => {
    const memory = freshMemory();
    memory.idleSpawnRate = 8;
    const full = slots(0, 8, (slot) => child(slot, "KW"));
    const messages = [];
    for (let pass = 0; pass < 3; pass++) {
      const result = performIdleMaintenance(full, LIMITS, memory);
      assert.deepEqual(result.decision, { kind: "steady", idle: 0 });
      messages.push(...result.messages);
    }
    assert.equal(messages.length, 1);
    assert.equal(messages[0]?.level, "error");
    assert.match(messages[0]?.text ?? "", /reached maxRequestWorkers/);
    assert.equal(memory.maxRequestWorkersReported, true);
    assert.equal(memory.idleSpawnRate, 1);
  });

  it("says once that the pool is within minSpareWorkers of maxRequestWorkers", () => {
    const memory = freshMemory();
    const nearlyFull = [child(0, "_K"), ...slots(1, 7, (slot) => child(slot, "KK"))];
    const texts = [0, 1, 2].flatMap(() =>
      performIdleMaintenance(nearlyFull, LIMITS, memory).messages.map((m) => m.text),
    );
    assert.equal(texts.length, 1);
    assert.match(texts[0] ?? "", /within minSpareWorkers of maxRequestWorkers/);
    assert.equal(memory.maxRequestWorkersReported, false);
  });

  it('says "scoreboard is full" once, at warn, and again only after a slot was free', () => {
    const memory = freshMemory();
    // Every slot has a live child of this generation, but two workers are not serving.
    const full = [...slots(0, 7, (slot) => child(slot, "KK")), child(7, "GG")];
    const roomy = [...slots(0, 7, (slot) => child(slot, "KK")), empty(7)];
    const said = (board: SlotView[]) => {
      const result = performIdleMaintenance(board, LIMITS, memory);
      return result.messages.map((m) => `${m.level}: ${m.text}`);
    };
    const texts = [full, full, full].flatMap(said);
    assert.equal(texts.length, 1, texts.join("\n"));
    assert.match(texts[0] ?? "", /^warn: the scoreboard is full/);
    assert.equal(memory.scoreboardFullReported, true);
    said(roomy);
    assert.equal(memory.scoreboardFullReported, false, "a free slot ends the episode");
    assert.match(said(full)[0] ?? "", /^warn: the scoreboard is full/, "a new episode is reported");
  });
});
