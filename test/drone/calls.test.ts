// A drone's calls: each RUN is one method call answered by one DONE, whatever the method does: a
// result (up to maxMessageBytes, Buffers arriving whole), a throw or a rejection (the drone serves on),
// a result v8 cannot send, an unknown method.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deserialize } from "node:v8";
import { Kind } from "../../src/dispatch/wire/messages.ts";
import { errorOf, readyDrone, resultOf } from "./test-drone.ts";

const MiB = 1024 * 1024;

describe("a drone's calls", () => {
  it("answers each call with its result, and a method's throw or rejection with the error; it serves on", async (t) => {
    const drone = await readyDrone(t, { fixture: "echo-service.ts" });
    assert.equal(resultOf(await drone.call("add", { a: 4, b: 6 })), 10);
    assert.deepEqual(resultOf(await drone.call("echo", { list: [1, "two", null], when: new Date(0) })), {
      list: [1, "two", null],
      when: new Date(0),
    });
    assert.equal(resultOf(await drone.call("nothing")), undefined);

    const thrown = errorOf(await drone.call("throws"));
    assert.equal(thrown.name, "RangeError");
    assert.equal(thrown.message, "thrown on purpose");
    assert.equal(thrown.code, "E_ON_PURPOSE");
    assert.match(thrown.stack ?? "", /RangeError: thrown on purpose\n\s+at throws /);
    const rejected = errorOf(await drone.call("rejects"));
    assert.deepEqual([rejected.name, rejected.message], ["TypeError", "rejected on purpose"]);
    const odd = errorOf(await drone.call("throwsString"));
    assert.match(odd.message, /threw a value that is not an Error: 'a string'/);

    // Cut to fit a header (the harness's reader fails on one over MAX_HEADER_BYTES, or one the master would refuse).
    const huge = errorOf(await drone.call("throwsHuge"));
    assert.ok(huge.message.startsWith("huge \u0001") && huge.message.endsWith("…"), "its message is cut");
    assert.ok(huge.code && huge.code.length <= 256);

    assert.equal(resultOf(await drone.call("add", { a: 1, b: 2 })), 3, "the drone serves on");
    assert.equal(drone.child.exitCode, null);
  });

  it("carries a 16 MiB Buffer whole both ways, as a Buffer", { timeout: 60_000 }, async (t) => {
    const drone = await readyDrone(t, { fixture: "echo-service.ts" });
    const params = Buffer.alloc(16 * MiB);
    for (let i = 0; i < params.length; i += 4096) params[i] = (i / 4096) % 251;
    params[params.length - 1] = 42;
    const seen = resultOf(await drone.call("describe", params)) as Record<string, unknown>;
    assert.equal(seen.isBuffer, true, "the method gets a Buffer");
    assert.equal(seen.length, params.length);
    assert.equal(
      seen.sum,
      params.reduce((sum, byte) => (sum + byte) % 1_000_003, 0),
    );

    const echoed = resultOf(await drone.call("echo", params));
    assert.ok(Buffer.isBuffer(echoed), "the result arrives as a Buffer");
    assert.ok(params.equals(echoed as Buffer), "whole, byte for byte");
    const made = resultOf(await drone.call("bytes", { size: 16 * MiB, fill: 7 })) as Buffer;
    assert.ok(made instanceof Uint8Array);
    assert.equal(made.length, 16 * MiB);
    assert.equal(made[0], 7);
    assert.equal(made[made.length - 1], 7);
  });

  it("a result v8 cannot send: a DataCloneError saying what to return; the drone serves on", async (t) => {
    const drone = await readyDrone(t, { fixture: "echo-service.ts" });
    const error = errorOf(await drone.call("unclonable"));
    assert.equal(error.name, "DataCloneError");
    assert.equal(error.code, "DROVER_ERR_METHOD_FAILED");
    assert.match(
      error.message,
      /the result of unclonable cannot be sent \(.*could not be cloned.*\): return plain data/,
    );
    assert.equal(resultOf(await drone.call("add", { a: 2, b: 2 })), 4);
  });

  it("a result over maxMessageBytes: DROVER_ERR_MESSAGE_TOO_LARGE saying its size and the limit", async (t) => {
    const drone = await readyDrone(t, { fixture: "echo-service.ts", spec: { maxMessageBytes: 1024 } });
    const error = errorOf(await drone.call("bytes", { size: 2048, fill: 1 }));
    assert.equal(error.code, "DROVER_ERR_MESSAGE_TOO_LARGE");
    assert.match(
      error.message,
      /^the result of bytes is \d+ bytes, over maxMessageBytes 1024: return less or raise maxMessageBytes$/,
    );
    assert.equal((resultOf(await drone.call("bytes", { size: 512, fill: 1 })) as Buffer).length, 512);
  });

  it("an unknown method: DROVER_ERR_NO_SUCH_METHOD listing the service's methods", async (t) => {
    const drone = await readyDrone(t, { fixture: "echo-service.ts" });
    const error = errorOf(await drone.call("nope"));
    assert.equal(error.code, "DROVER_ERR_NO_SUCH_METHOD");
    assert.match(error.message, /service "test" has no method "nope": its methods are echo, add, nothing, /);
    const inherited = errorOf(await drone.call("toString"));
    assert.equal(inherited.code, "DROVER_ERR_NO_SUCH_METHOD", "an Object.prototype name is no method");
  });

  it("a method's ctx.log writes the drone's log, tagged with the service and the method", async (t) => {
    const drone = await readyDrone(t, { fixture: "echo-service.ts" });
    assert.equal(resultOf(await drone.call("log")), true);
    const line = drone
      .output()
      .split("\n")
      .find((l) => l.includes("logged by a method"));
    assert.ok(line, drone.output());
    const entry = JSON.parse(line) as Record<string, unknown>;
    assert.deepEqual(
      [entry.service, entry.method, entry.pid, entry.role],
      ["test", "log", drone.pid, "drone"],
    );
  });

  it("an empty body is undefined params", async (t) => {
    const drone = await readyDrone(t, { fixture: "echo-service.ts" });
    drone.send(Kind.RUN, { id: 900_002, method: "echo", timeoutMs: 1000 });
    assert.equal(resultOf(await drone.done(900_002)), undefined);
  });

  it("a body v8 cannot read: DROVER_ERR_DISPATCH_BAD_MESSAGE, the method never runs", async (t) => {
    const drone = await readyDrone(t, { fixture: "echo-service.ts" });
    const id = 900_001;
    drone.send(Kind.RUN, { id, method: "echo", timeoutMs: 1000 }, Buffer.from([1, 2, 3]));
    const error = errorOf(await drone.done(id));
    assert.equal(error.code, "DROVER_ERR_DISPATCH_BAD_MESSAGE");
    assert.match(error.message, /^the params of echo could not be decoded/);
    assert.deepEqual(deserialize((await drone.call("echo", "fine")).body), "fine");
  });
});
