// What one connection may hold: a caller that does not read its replies is not read either once they
// pass maxWriteBufferBytes (and is read again once they drain); a frame left unfinished closes its
// connection after halfFrameTimeoutMs without a byte, but not while the server itself is not reading.
import assert from "node:assert/strict";
import { it } from "node:test";
import { Kind } from "../../../src/dispatch/wire/messages.ts";
import { waitFor } from "../../harness/wait.ts";
import { callFrame, frameOf, rawClient } from "./raw-client.ts";
import { startServer } from "./server.ts";

const CALLS = 200;
const BODY = 256 * 1024 + 7;

/** Calls `add` on `raw` one after another until `count()` has not changed for `times` round trips. */
async function untilSteady(raw: Awaited<ReturnType<typeof rawClient>>, count: () => number, times = 50) {
  let id = 1000;
  let last = count();
  for (let steady = 0; steady < times; ) {
    raw.call(++id, "add", { a: 1, b: 1 });
    await raw.waitForFrame(id);
    const now = count();
    steady = now === last ? steady + 1 : 0;
    last = now;
  }
  return last;
}

it("a caller that does not read its replies is not read past the write bound, then is again", {
  timeout: 60_000,
}, async (t) => {
  const { path, dispatcher, server } = await startServer(t, {
    maxWriteBufferBytes: 1024 * 1024,
    halfFrameTimeoutMs: 300,
  });
  const hog = await rawClient(t, path, { read: false });
  for (let id = 0; id < CALLS; id++) hog.call(id, "echo", Buffer.alloc(BODY));
  const probe = await rawClient(t, path);
  const echoes = () => dispatcher.calls.get("echo") ?? 0;
  const dispatched = await untilSteady(probe, echoes);
  assert.ok(dispatched > 0 && dispatched < CALLS / 4, `${dispatched} of ${CALLS} calls read from the hog`);
  assert.ok(server.bufferedBytes > 0, "the hog's next frame is half read");

  // Its half frame is the server's doing, not the hog's: another half frame times out, the hog stays.
  const idler = await rawClient(t, path);
  idler.send(frameOf(Kind.OPEN, { id: 1, service: "math" }).subarray(0, 5));
  await idler.waitForClose();
  assert.equal(hog.closed(), false);

  hog.socket.resume();
  await waitFor("every reply to the hog", () => hog.frames.length === CALLS, 30_000);
  assert.ok(hog.frames.every((frame) => frame.kind === Kind.RESULT && frame.body.length > BODY));
});

it("a frame left unfinished closes its connection; one idle between frames stays", {
  timeout: 30_000,
}, async (t) => {
  const { path, warnings } = await startServer(t, { halfFrameTimeoutMs: 200 });
  const between = await rawClient(t, path);
  between.call(1, "add", { a: 1, b: 1 });
  await between.waitForFrame(1);
  const half = await rawClient(t, path);
  half.send(callFrame(1, "add", { a: 1, b: 1 }).subarray(0, 20));
  await half.waitForClose();
  assert.equal(between.closed(), false);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]?.message ?? "", /unfinished for 0.2 s \(\d+ bytes of it held\)/);
  between.call(2, "add", { a: 2, b: 2 });
  await between.waitForFrame(2);
});
