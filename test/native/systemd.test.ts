// The addon's systemd calls (native/notify.c, native/activation.c): sd_notify's datagram to a path or
// an abstract socket, errors that say why and leave no descriptor open, and what a passed socket is.
import assert from "node:assert/strict";
import { closeSync, openSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { describeSocket, sendNotify, setCloexec } from "../../src/native/systemd.ts";
import { sockets } from "../../src/net/sockets.ts";
import { makeTempDir } from "../harness/temp.ts";
import { abstractNotifyName, startNotifyReceiver } from "../support/notify-receiver.ts";

const openFds = () => readdirSync("/proc/self/fd").length;

function errorCode(fn: () => void): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as NodeJS.ErrnoException).code;
  }
  return undefined;
}

describe("sd_notify through the addon", { timeout: 60_000 }, () => {
  it("delivers each message whole and in order, to an abstract name and to a path", async (t) => {
    const dir = makeTempDir("drover-test-notify-");
    t.after(() => dir.remove());
    for (const address of [abstractNotifyName(), join(dir.path, "notify.sock")]) {
      const receiver = await startNotifyReceiver(address, (fn) => t.after(fn));
      sendNotify(address, "READY=1\nSTATUS=serving: 2 children ready");
      sendNotify(address, "WATCHDOG=1");
      const { index } = await receiver.next("the second message", (m) => m.text === "WATCHDOG=1");
      const [first] = receiver.messages();
      assert.equal(index, 1, address);
      assert.deepEqual(first?.fields, { READY: "1", STATUS: "serving: 2 children ready" });
      assert.equal(first?.pid, process.pid, "the kernel names this process as the sender");
      await receiver.process.stop();
    }
  });

  it("says why it cannot send, and leaves no descriptor open", () => {
    const before = openFds();
    for (let i = 0; i < 20; i++) {
      assert.equal(
        errorCode(() => sendNotify(abstractNotifyName(), "READY=1")),
        "ECONNREFUSED",
      );
      assert.equal(
        errorCode(() => sendNotify("/nonexistent/drover/notify.sock", "READY=1")),
        "ENOENT",
      );
    }
    assert.equal(openFds(), before, "every failed send closed its socket");
    assert.equal(
      errorCode(() => sendNotify("notify.sock", "READY=1")),
      "EINVAL",
      "relative",
    );
    assert.equal(
      errorCode(() => sendNotify("@", "READY=1")),
      "EINVAL",
      "an empty abstract name",
    );
    assert.equal(
      errorCode(() => sendNotify(`/${"x".repeat(120)}`, "READY=1")),
      "ENAMETOOLONG",
    );
    assert.equal(
      errorCode(() => sendNotify("@x", "")),
      "EINVAL",
      "an empty message",
    );
  });
});

describe("describeSocket and setCloexec", () => {
  it("tell a listening TCP or unix socket from anything else", (t) => {
    const dir = makeTempDir("drover-test-describe-");
    t.after(() => dir.remove());
    const tcp = sockets().listenTcp("127.0.0.1", 0, 16, false);
    const unix = sockets().listenUnix(join(dir.path, "app.sock"), 16);
    t.after(() => {
      sockets().closeFd(tcp);
      sockets().closeFd(unix);
    });
    assert.deepEqual(describeSocket(tcp), {
      socket: true,
      stream: true,
      listening: true,
      family: "inet",
      address: "127.0.0.1",
      port: sockets().localPort(tcp),
      v6only: false,
      path: "",
    });
    assert.equal(describeSocket(unix).path, join(dir.path, "app.sock"));
    assert.equal(describeSocket(unix).family, "unix");
    const file = openSync(import.meta.filename, "r");
    t.after(() => closeSync(file));
    assert.deepEqual(describeSocket(file), { socket: false });
    assert.equal(
      errorCode(() => describeSocket(1_000_000)),
      "EBADF",
    );
    setCloexec(tcp);
    assert.equal(
      errorCode(() => setCloexec(1_000_000)),
      "EBADF",
    );
  });
});
