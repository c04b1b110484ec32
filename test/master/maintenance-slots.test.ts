// Idle maintenance as a pure function: which worker slots count as idle, which child slots are free to
// spawn into and in what order, when a child counts as healthy, and where drover parts from the seed.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { performIdleMaintenance } from "../../src/master/pool/maintenance.ts";
import { freshSpawnState as freshMemory } from "../../src/master/pool/spawn-state.ts";
import { child, draining, empty, GENERATION, LIMITS, slots } from "../support/maintenance-views.ts";

describe("idle maintenance: what counts as idle", () => {
  it("counts a starting worker as idle, so a pool still starting up is not swamped", () => {
    const board = [child(0, "KK"), child(1, "SS"), ...slots(2, 6, empty)];
    assert.deepEqual(performIdleMaintenance(board, LIMITS, freshMemory()).decision, {
      kind: "steady",
      idle: 2,
    });
  });

  it("does not count the idle workers of quiescing or old-generation children", () => {
    const board = [
      child(0, "KK"),
      child(1, "__", { quiescing: true }),
      child(2, "__", { generation: GENERATION - 1 }),
      draining(3, "__"),
      ...slots(4, 4, empty),
    ];
    const { decision } = performIdleMaintenance(board, LIMITS, freshMemory());
    assert.deepEqual(decision, { kind: "spawn", slots: [4], idle: 0 });
  });

  it("looks at no slot beyond daemonsLimit", () => {
    const board = [...slots(0, 8, (slot) => child(slot, "KK")), ...slots(8, 4, empty)];
    const { decision, messages } = performIdleMaintenance(board, LIMITS, freshMemory());
    assert.deepEqual(decision, { kind: "steady", idle: 0 });
    assert.match(messages[0]?.text ?? "", /reached maxRequestWorkers/);
  });
});

describe("idle maintenance: free slots", () => {
  const board = [
    draining(0, "G_"),
    child(1, "KK"),
    empty(2),
    draining(3, "_G"),
    empty(4),
    ...slots(5, 3, (slot) => child(slot, "KK")),
  ];

  it("offers empty slots first and slots whose child still drains at the back of the bus", () => {
    const memory = freshMemory();
    memory.idleSpawnRate = 4;
    const { decision } = performIdleMaintenance(board, LIMITS, memory);
    assert.equal(decision.kind, "spawn");
    const offered = decision.kind === "spawn" ? decision.slots : [];
    assert.deepEqual(offered.slice(0, 2), [2, 4]);
    assert.deepEqual([...offered.slice(2)].sort(), [0, 3]);
  });

  it("offers no more slots than the spawn rate, best first", () => {
    assert.deepEqual(performIdleMaintenance(board, LIMITS, freshMemory()).decision, {
      kind: "spawn",
      slots: [2],
      idle: 0,
    });
  });
});

describe("idle maintenance: never fewer than startServers children", () => {
  const FLOOR = { ...LIMITS, minChildren: 3 };

  it("spawns the missing children even when there are enough idle workers (a crash left a gap)", () => {
    const board = [child(0, "__"), child(1, "__"), ...slots(2, 6, empty)];
    assert.deepEqual(performIdleMaintenance(board, FLOOR, freshMemory()).decision, {
      kind: "spawn",
      slots: [2],
      idle: 4,
    });
  });

  it("counts only the serving generation's children that take connections", () => {
    const board = [child(0, "__"), draining(1, "__"), child(2, "__", { generation: GENERATION - 1 })];
    const { decision } = performIdleMaintenance([...board, ...slots(3, 5, empty)], FLOOR, freshMemory());
    assert.deepEqual(decision, { kind: "spawn", slots: [3, 4], idle: 2 });
  });

  it("does not retire a child below the floor, however many workers idle", () => {
    const board = [child(0, "__"), child(1, "__"), child(2, "__"), ...slots(3, 5, empty)];
    const wide = { ...FLOOR, maxSpareWorkers: 4 };
    assert.deepEqual(performIdleMaintenance(board, wide, freshMemory()).decision, {
      kind: "steady",
      idle: 6,
    });
    const four = [...board.slice(0, 3), child(3, "__"), ...slots(4, 4, empty)];
    assert.equal(performIdleMaintenance(four, wide, freshMemory()).decision.kind, "retire");
  });
});

describe("idle maintenance: parity with the seed", () => {
  // The seed puts the slot of a quiescing child on the free list only if one of its workers is dead
  // (`any_dead_threads`): a draining child whose workers are all still finishing requests holds its
  // slot. With every other slot busy, the seed finds no free slot, says "scoreboard is full" and resets
  // the rate to 1. drover offers such a slot, and the master then detaches that still fully busy child
  // from the scoreboard (a lost slot) and spawns in its place, while the rate doubles.
  it("treats a draining child whose workers are all busy as holding its slot", {}, () => {
    const memory = freshMemory();
    const board = [...slots(0, 6, (slot) => child(slot, "KK")), draining(6, "GG"), draining(7, "GG")];
    const { decision, messages } = performIdleMaintenance(board, LIMITS, memory);
    assert.deepEqual(decision, { kind: "steady", idle: 0 });
    assert.equal(memory.idleSpawnRate, 1);
    assert.match(messages[0]?.text ?? "", /scoreboard is full/);
  });
});
