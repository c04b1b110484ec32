// What a drone does with frames that are not what the protocol allows: a frame whose header fails its
// check, or of a kind a drone does not take, is answered DROVER_ERR_DISPATCH_BAD_MESSAGE when it names
// a call id (and dropped when it does not); params over maxMessageBytes are skipped as they stream and
// answered DROVER_ERR_MESSAGE_TOO_LARGE. The drone serves on. Only a stream that is no longer frames
// ends it: it logs why and exits to be replaced.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Kind } from "../../src/dispatch/wire/messages.ts";
import { EXIT_CHILD_CRASHED } from "../../src/protocol/exit-codes.ts";
import { errorOf, readyDrone, resultOf } from "./test-drone.ts";

describe("a drone's data channel", () => {
  it("answers a malformed header or a foreign kind with DROVER_ERR_DISPATCH_BAD_MESSAGE and serves on", async (t) => {
    const drone = await readyDrone(t, { fixture: "echo-service.ts" });
    drone.send(Kind.RUN, { id: 7, method: "no spaces allowed", timeoutMs: 1000 });
    const bad = errorOf(await drone.done(7));
    assert.equal(bad.code, "DROVER_ERR_DISPATCH_BAD_MESSAGE");
    assert.match(bad.message, /a frame of kind 32 has a malformed header .*no spaces allowed/);
    drone.send(Kind.CALL, { id: 8, service: "test", method: "echo" });
    assert.match(errorOf(await drone.done(8)).message, /a frame of kind 1 is not one a drone takes/);
    drone.send(99, { id: 9 });
    assert.equal(errorOf(await drone.done(9)).code, "DROVER_ERR_DISPATCH_BAD_MESSAGE");
    // Nothing to answer without an id: dropped.
    drone.send(Kind.RUN, { method: "echo" });
    drone.send(Kind.RUN, { id: -1, method: "echo", timeoutMs: 1000 });
    assert.equal(resultOf(await drone.call("add", { a: 1, b: 1 })), 2);
    const answered = drone.frames.filter((f) => f.kind === Kind.DONE).map((f) => f.header.id);
    assert.equal(answered.length, 4, `one DONE for each answerable frame: ${answered}`);
  });

  it("refuses params over maxMessageBytes with DROVER_ERR_MESSAGE_TOO_LARGE, reading on after them", async (t) => {
    const drone = await readyDrone(t, { fixture: "echo-service.ts", spec: { maxMessageBytes: 1024 } });
    const id = 4242;
    drone.send(Kind.RUN, { id, method: "echo", timeoutMs: 1000 }, Buffer.alloc(256 * 1024, 1));
    const error = errorOf(await drone.done(id));
    assert.equal(error.code, "DROVER_ERR_MESSAGE_TOO_LARGE");
    assert.equal(
      error.message,
      `the params of "echo" are ${256 * 1024} bytes, over maxMessageBytes 1024: send less, or raise the service's maxMessageBytes`,
    );
    assert.equal(resultOf(await drone.call("echo", "after")), "after", "the next frame is read whole");
  });

  it("a stream that is no longer frames: the drone logs why and exits EXIT_CHILD_CRASHED", async (t) => {
    const drone = await readyDrone(t, { fixture: "echo-service.ts" });
    const header = Buffer.from("not json");
    const frame = Buffer.alloc(9 + header.length);
    frame.writeUInt32BE(5 + header.length, 0);
    frame.writeUInt8(Kind.RUN, 4);
    frame.writeUInt32BE(header.length, 5);
    header.copy(frame, 9);
    (drone.child.stdio as unknown as NodeJS.WritableStream[])[5]?.write(frame);
    assert.deepEqual(await drone.exited, { code: EXIT_CHILD_CRASHED, signal: null });
    assert.match(
      drone.output(),
      /the data channel no longer carries frames \(a frame's header is not JSON\): exiting to be replaced/,
    );
    assert.match(drone.output(), /service childExit ran/);
  });

  it("a data channel the master closes (it closes it only by dying): the drone exits 0", async (t) => {
    const drone = await readyDrone(t, { fixture: "echo-service.ts" });
    (drone.child.stdio as unknown as NodeJS.WritableStream[])[5]?.end();
    assert.deepEqual(await drone.exited, { code: 0, signal: null });
    assert.match(drone.output(), /the master is gone: the drone exits/);
  });
});
