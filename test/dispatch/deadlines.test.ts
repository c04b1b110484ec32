// A pool's deadlines: one timer for all its calls, each call expired once at its own deadline (none
// early, in order), and a call that settled first never expired.
import assert from "node:assert/strict";
import { it } from "node:test";
import { Deadlines, type Timed } from "../../src/dispatch/deadlines.ts";
import { waitFor } from "../harness/wait.ts";

interface Item extends Timed {
  readonly name: number;
}

const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;

it("keeps a thousand deadlines on one timer, expiring each at its time, in order, and none removed", async () => {
  const expired: Array<{ name: number; late: number }> = [];
  const deadlines = new Deadlines<Item>((item) =>
    expired.push({ name: item.name, late: Date.now() - item.deadline }),
  );
  const before = timers();
  const now = Date.now();
  // Deadlines 20 to 219 ms from now, added out of order, five items each.
  const items: Item[] = [];
  for (let i = 0; i < 1000; i++) {
    const item = { name: i, deadline: now + 20 + ((i * 37) % 200), deadlineIndex: -1 };
    items.push(item);
    deadlines.add(item);
  }
  assert.ok(timers() - before <= 1, `${timers() - before} timers for 1000 deadlines`);
  // Every third one settles first: it never expires.
  for (const item of items.filter((item) => item.name % 3 === 0)) deadlines.remove(item);
  deadlines.remove(items[0] as Item);
  assert.equal(deadlines.size, 666);
  await waitFor("every deadline left to pass", () => expired.length === 666 && deadlines.size === 0);
  assert.ok(
    expired.every(({ late }) => late >= 0),
    "none expired before its deadline",
  );
  assert.ok(!expired.some(({ name }) => name % 3 === 0), "none that settled first expired");
  const order = expired.map(({ name }) => (items[name] as Item).deadline);
  assert.deepEqual(
    order,
    [...order].sort((a, b) => a - b),
    "expired in the order of their deadlines",
  );
  assert.equal(new Set(expired.map(({ name }) => name)).size, 666, "each expired once");
});

it("a deadline sooner than the soonest re-arms the timer for it", async () => {
  const expired: number[] = [];
  const deadlines = new Deadlines<Item>((item) => expired.push(item.name));
  const now = Date.now();
  const late = { name: 1, deadline: now + 60_000, deadlineIndex: -1 };
  deadlines.add(late);
  deadlines.add({ name: 2, deadline: now + 30, deadlineIndex: -1 });
  deadlines.add({ name: 3, deadline: now - 5, deadlineIndex: -1 });
  await waitFor("the two near deadlines", () => expired.length === 2);
  assert.deepEqual(expired, [3, 2]);
  deadlines.remove(late);
  assert.equal(deadlines.size, 0);
});
