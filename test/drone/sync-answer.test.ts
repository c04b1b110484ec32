// A method that returns at once is answered at once, before the drone reads on: two RUNs in one write
// to a drone of concurrency 1 both run, the second on the record the first has just freed. (Through a
// promise, the first would still hold the record when the second came, and the second be refused.)
import assert from "node:assert/strict";
import type { Socket } from "node:net";
import { it } from "node:test";
import { serialize } from "node:v8";
import { encodeFrame } from "../../src/dispatch/wire/frames.ts";
import { Kind } from "../../src/dispatch/wire/messages.ts";
import { readyDrone, resultOf } from "./test-drone.ts";

it("answers a method that returns at once before it reads the next frame", async (t) => {
  const drone = await readyDrone(t, { fixture: "echo-service.ts", spec: { concurrency: 1 } });
  const run = (id: number, a: number) =>
    encodeFrame(Kind.RUN, { id, method: "add", timeoutMs: 5_000 }, serialize({ a, b: 1 }));
  const channel = (drone.child.stdio as unknown as Socket[])[5] as Socket;
  channel.write(Buffer.concat([...run(901, 1), ...run(902, 2)]));
  assert.equal(resultOf(await drone.done(901)), 2);
  assert.equal(resultOf(await drone.done(902)), 3);
  assert.equal(drone.worker(0).requests, 2);
});
