// Reading a listen() call as net.Server reads its arguments: what drover captures (a TCP port, any
// host; a unix socket path) and what it leaves to Node (a handle, a descriptor, arguments Node refuses).
import assert from "node:assert/strict";
import { it } from "node:test";
import { readListenCall } from "../../../src/child/listen/listen-call.ts";

it("reads ports, hosts, paths and callbacks as Node does, and leaves handles and bad arguments to Node", () => {
  const callback = () => {};
  const read = (...args: unknown[]) => {
    const call = readListenCall(args);
    return { target: call.target, text: call.text, callback: call.callback === callback };
  };
  assert.deepEqual(read(3000), {
    target: { kind: "tcp", port: 3000, host: undefined },
    text: "listen(3000)",
    callback: false,
  });
  assert.deepEqual(read("3000", "0.0.0.0", 511, callback), {
    target: { kind: "tcp", port: 3000, host: "0.0.0.0" },
    text: 'listen(3000, "0.0.0.0")',
    callback: true,
  });
  assert.deepEqual(read(callback), {
    target: { kind: "tcp", port: 0, host: undefined },
    text: "listen(0)",
    callback: true,
  });
  assert.deepEqual(read(), {
    target: { kind: "tcp", port: 0, host: undefined },
    text: "listen(0)",
    callback: false,
  });
  assert.deepEqual(read({ port: 8080, host: "::" }, callback), {
    target: { kind: "tcp", port: 8080, host: "::" },
    text: 'listen(8080, "::")',
    callback: true,
  });
  assert.deepEqual(read({ port: undefined }).target, { kind: "tcp", port: 0, host: undefined });
  assert.deepEqual(read("/run/app.sock").target, { kind: "path", path: "/run/app.sock" });
  assert.deepEqual(read({ path: "/run/app.sock" }).text, 'listen("/run/app.sock")');
  for (const args of [[{ fd: 3 }], [{ _handle: {} }], [{ handle: {} }], [70_000], [-1], [{}], [""]]) {
    assert.equal(readListenCall(args).target.kind, "other", JSON.stringify(args));
  }
});
