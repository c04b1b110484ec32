// When a child with every slot taken stops and starts accepting again (src/child/accept/saturation.ts).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { shownRequestLine } from "../../../src/child/accept/request-line.ts";
import { Saturation, type SlotCapacity } from "../../../src/child/accept/saturation.ts";

function slots(
  free: number,
  evictableAt?: number,
): SlotCapacity & { free: () => number; set(n: number): void } {
  let count = free;
  return {
    free: () => count,
    set: (n) => {
      count = n;
    },
    evictable: (now) => evictableAt !== undefined && now >= evictableAt,
    nextEvictable: () => evictableAt,
  };
}

function watched(capacity: SlotCapacity, workers = 4) {
  const events: string[] = [];
  const saturation = new Saturation(capacity, workers, {
    saturated: () => events.push("saturated"),
    available: () => events.push("available"),
  });
  return { saturation, events };
}

describe("Saturation", () => {
  it("keeps accepting while a slot is free or can be made free", () => {
    const now = Date.now();
    const { saturation, events } = watched(slots(0, now - 1));
    saturation.full(now);
    assert.deepEqual(events, []);
  });

  it("pauses when no slot can be had, and resumes at once when two come free", () => {
    const capacity = slots(0);
    const { saturation, events } = watched(capacity);
    saturation.full(Date.now());
    saturation.full(Date.now());
    assert.deepEqual(events, ["saturated"], "told once");
    capacity.set(2);
    saturation.freed();
    assert.deepEqual(events, ["saturated", "available"]);
  });

  it("resumes on a single free slot only once it has stayed free a moment", async () => {
    const capacity = slots(0);
    const { saturation, events } = watched(capacity);
    saturation.full(Date.now());
    capacity.set(1);
    saturation.freed();
    assert.deepEqual(events, ["saturated"]);
    await sleep(50);
    assert.deepEqual(events, ["saturated", "available"]);
  });

  it("a child of one worker slot resumes as soon as its slot is free", () => {
    const capacity = slots(0);
    const { saturation, events } = watched(capacity, 1);
    saturation.full(Date.now());
    capacity.set(1);
    saturation.freed();
    assert.deepEqual(events, ["saturated", "available"]);
  });

  it("resumes when an idle connection becomes evictable, without a slot coming free", async () => {
    const { saturation, events } = watched(slots(0, Date.now() + 30));
    saturation.full(Date.now());
    assert.deepEqual(events, ["saturated"]);
    await sleep(100);
    assert.deepEqual(events, ["saturated", "available"]);
  });

  it("a draining child neither pauses nor resumes", async () => {
    const capacity = slots(0, Date.now() + 20);
    const { saturation, events } = watched(capacity);
    saturation.full(Date.now());
    saturation.drain();
    capacity.set(4);
    saturation.freed();
    saturation.full(Date.now());
    await sleep(60);
    assert.deepEqual(events, ["saturated"]);
  });
});

describe("shownRequestLine", () => {
  it("hides an access token and leaves the rest", () => {
    assert.equal(shownRequestLine("GET", "/status?token=s3cret&x=1"), "GET /status?token=***&x=1");
    assert.equal(shownRequestLine("GET", "/a?b=1&TOKEN=s"), "GET /a?b=1&TOKEN=***");
    assert.equal(shownRequestLine("POST", "/tokens?mytoken=1"), "POST /tokens?mytoken=1");
  });
});
