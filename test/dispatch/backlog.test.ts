// A service's backlog: oldest first by arrival, so a call that comes back from another host (a peer
// that turned out busy or gone) takes its first place again, ahead of the calls that came since; a
// call settled while it waits is skipped.
import assert from "node:assert/strict";
import { it } from "node:test";
import { Backlog } from "../../src/dispatch/backlog.ts";
import { Call } from "../../src/dispatch/call.ts";
import { ErrorCode } from "../../src/errors.ts";

const events = { expired: () => {}, cancelled: () => {}, settled: () => {} };
const reply = { ok: () => {}, fail: () => {} };

function call(method: string, arrivedAt: number): Call {
  const request = {
    service: "s",
    method,
    params: Buffer.alloc(0),
    timeoutMs: 1000,
    session: undefined,
    arrivedAt,
  };
  return new Call(request, reply, 1000, events);
}

function methods(backlog: Backlog): string[] {
  const out: string[] = [];
  for (let next = backlog.shift(); next; next = backlog.shift()) out.push(next.request.method);
  return out;
}

it("puts a call that comes back at its first place, ahead of the calls that came since it arrived", () => {
  const backlog = new Backlog();
  const first = call("first", 10);
  const second = call("second", 20);
  const third = call("third", 30);
  backlog.push(first);
  backlog.push(second);
  backlog.push(third);
  // "first" is handed to another host, which sends it back; "second" is taken by a drone meanwhile.
  assert.equal(
    backlog.shiftWhere(({ request }) => request.method === "first"),
    first,
  );
  assert.equal(backlog.shift(), second);
  backlog.push(call("fourth", 40));
  backlog.push(call("first again", first.arrivedAt));
  assert.equal(backlog.length, 3);
  assert.deepEqual(methods(backlog), ["first again", "third", "fourth"]);
});

it("keeps arrival order among calls that come back out of order, and skips those settled meanwhile", () => {
  const backlog = new Backlog();
  backlog.push(call("newest", 100));
  const settled = call("settled", 95);
  backlog.push(settled);
  backlog.push(call("oldest", 70));
  backlog.push(call("middle", 80));
  settled.fail(ErrorCode.DISPATCH_CANCELLED, "cancelled while it waited");
  backlog.dropped();
  assert.equal(backlog.length, 3);
  assert.deepEqual(methods(backlog), ["oldest", "middle", "newest"]);
  assert.equal(backlog.highWater, 4);
});

it("sweeps out the calls settled while they wait once they outnumber those waiting (drones stuck, calls expiring)", () => {
  const backlog = new Backlog();
  const kept: string[] = [];
  for (let i = 0; i < 10_000; i++) {
    const next = call(`call ${i}`, i);
    backlog.push(next);
    if (i % 1000 === 0) {
      kept.push(next.request.method);
      continue;
    }
    next.fail(ErrorCode.DISPATCH_TIMEOUT, "expired while it waited");
    backlog.dropped();
  }
  assert.equal(backlog.length, 10);
  assert.ok(backlog.held < 2 * 10 + 64, `it holds ${backlog.held} calls for 10 waiting`);
  assert.deepEqual(methods(backlog), kept);
});
