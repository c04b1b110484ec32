// Bad callers on a real master's dispatch socket: random bytes, huge lengths, wrong kinds, bad
// headers, half frames, a byte-at-a-time writer. Each bad connection is closed; the master, its
// drones and a good caller beside them are unharmed.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { serialize } from "node:v8";
import { encodeFrame } from "../../src/dispatch/wire/frames.ts";
import { Kind } from "../../src/dispatch/wire/messages.ts";
import { startServices } from "../support/services.ts";

/** Sends `chunks` (waiting `pauseMs` between them) and resolves once the master closed the connection. */
function badCaller(path: string, chunks: readonly Buffer[], pauseMs = 0): Promise<"closed"> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(path);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the master kept a bad connection open: ${chunks.length} chunks`));
    }, 40_000);
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolve("closed");
    });
    socket.on("connect", async () => {
      for (const chunk of chunks) {
        if (socket.destroyed) return;
        socket.write(chunk);
        if (pauseMs > 0) await delay(pauseMs);
      }
    });
  });
}

const frame = (kind: number, header: Record<string, unknown>, body?: Buffer) =>
  Buffer.concat(encodeFrame(kind, header, body));

it("refuses malformed and truncated frames without harming a drone, the master or a good caller", {
  timeout: 120_000,
}, async (t) => {
  const drover = await startServices({ math: { minDrones: 2, maxDrones: 2 } });
  t.after(() => drover.stop());
  const path = join(drover.runDir, "dispatch.sock");
  const good = (await drover.client()).service("math");
  const before = (await drover.status()).services[0]?.droneProcesses.map((d) => d.pid).sort();

  const lengthOnly = Buffer.alloc(9);
  lengthOnly.writeUInt32BE(0xffffffff, 0);
  lengthOnly.writeUInt8(Kind.CALL, 4);
  lengthOnly.writeUInt32BE(10 * 1024 * 1024, 5);
  const notJson = Buffer.alloc(9 + 5);
  notJson.writeUInt32BE(5 + 5, 0);
  notJson.writeUInt8(Kind.CALL, 4);
  notJson.writeUInt32BE(5, 5);
  notJson.write("{oops", 9);
  const valid = frame(Kind.CALL, { id: 1, service: "math", method: "add" }, serialize({ a: 1, b: 2 }));

  const attacks: Array<Promise<"closed">> = [
    badCaller(path, [randomBytes(4096)]),
    badCaller(path, [lengthOnly]),
    badCaller(path, [notJson]),
    badCaller(path, [frame(Kind.RUN, { id: 1, method: "add", timeoutMs: 100 })]),
    badCaller(path, [frame(Kind.DONE, { id: 1, ok: true })]),
    badCaller(path, [frame(99, { id: 1 })]),
    badCaller(path, [frame(Kind.CALL, { id: -1, service: "math", method: "add" })]),
    badCaller(path, [frame(Kind.CALL, { id: 1, service: "../etc", method: "add" })]),
    badCaller(path, [frame(Kind.CALL, { id: 1, service: "math", method: "add", timeoutMs: "soon" })]),
    // The first call waits for a file that never comes, so it is surely in flight when its id comes again.
    badCaller(path, [
      frame(
        Kind.CALL,
        { id: 2, service: "math", method: "waitFor" },
        serialize({ file: "/nonexistent/never" }),
      ),
      frame(Kind.CALL, { id: 2, service: "math", method: "add" }),
    ]),
    badCaller(path, [Buffer.from([0, 0, 0, 3, 1, 0, 0, 0, 9])]),
  ];
  // Random frames with a plausible prefix, a body of noise.
  for (let i = 0; i < 20; i++) {
    const noise = randomBytes(64 + i * 31);
    noise.writeUInt32BE(noise.length - 4, 0);
    attacks.push(badCaller(path, [noise]));
  }
  for (const result of await Promise.all(attacks)) assert.equal(result, "closed");

  // A half frame, then the caller goes away; and a byte-at-a-time writer, which is slow, not bad.
  const half = connect(path);
  await new Promise((resolve) => half.once("connect", resolve));
  half.write(valid.subarray(0, valid.length - 3));
  half.destroy();
  const slow = connect(path);
  await new Promise((resolve) => slow.once("connect", resolve));
  const answer = new Promise<Buffer>((resolve) => slow.once("data", resolve));
  for (const byte of valid) {
    slow.write(Buffer.from([byte]));
    await delay(2);
  }
  assert.equal((await answer).readUInt8(4), Kind.RESULT, "the slow writer is answered");
  slow.destroy();

  assert.equal(await good.call("add", { a: 40, b: 2 }), 42);
  const after = (await drover.status()).services[0]?.droneProcesses.map((d) => d.pid).sort();
  assert.deepEqual(after, before, "no drone was harmed");
});
