// What the master reads from systemd's environment: NOTIFY_SOCKET and the watchdog's variables
// (sd_watchdog_enabled's rules), LISTEN_FDS and LISTEN_PID (sd_listen_fds's), each removed once read
// so that no child sees them; and which passed socket serves which listen entry.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Listener } from "../../src/config/types/resolved-config.ts";
import { type PassedSocket, passedFor, takePassedSockets } from "../../src/systemd/activation.ts";
import { readNotifyEnvironment, takeNotifyEnvironment } from "../../src/systemd/notify-environment.ts";

describe("the notify environment", () => {
  it("takes a path or an @abstract socket, and half of WATCHDOG_USEC when the watchdog is ours", () => {
    const env = { NOTIFY_SOCKET: "@sd", WATCHDOG_USEC: "30000000", WATCHDOG_PID: "42", KEEP: "1" };
    assert.deepEqual(takeNotifyEnvironment(env, 42), { socket: "@sd", watchdogEveryMs: 15_000, notes: [] });
    assert.deepEqual(env, { KEEP: "1" }, "the variables are gone, the rest stays");
    const path = readNotifyEnvironment({ NOTIFY_SOCKET: "/run/systemd/notify", WATCHDOG_USEC: "400000" }, 7);
    assert.deepEqual(path, { socket: "/run/systemd/notify", watchdogEveryMs: 200, notes: [] });
  });

  it("sends no watchdog ping for another process's watchdog, and says what is malformed", () => {
    const other = readNotifyEnvironment(
      { NOTIFY_SOCKET: "@sd", WATCHDOG_USEC: "1000000", WATCHDOG_PID: "1" },
      42,
    );
    assert.equal(other.watchdogEveryMs, undefined);
    assert.deepEqual(other.notes, []);
    const bad = readNotifyEnvironment({ NOTIFY_SOCKET: "notify.sock", WATCHDOG_USEC: "10s" }, 42);
    assert.equal(bad.socket, undefined);
    assert.equal(bad.watchdogEveryMs, undefined);
    assert.match(bad.notes.join("\n"), /NOTIFY_SOCKET is "notify\.sock"/);
    assert.match(bad.notes.join("\n"), /WATCHDOG_USEC is "10s"/);
    assert.deepEqual(readNotifyEnvironment({}, 42), {
      socket: undefined,
      watchdogEveryMs: undefined,
      notes: [],
    });
  });
});

describe("the sockets systemd passes", () => {
  it("are not this process's when LISTEN_PID names another: none taken, a note says why", () => {
    const env: NodeJS.ProcessEnv = { LISTEN_FDS: "2", LISTEN_PID: "1", LISTEN_FDNAMES: "a:b" };
    const activation = takePassedSockets(env, 42);
    assert.deepEqual(activation.sockets, []);
    assert.match(activation.notes[0] ?? "", /LISTEN_FDS is set for process 1, not this one \(pid 42\).*npx/);
    assert.deepEqual(env, {}, "removed all the same, so that no child takes them for its own");
    assert.deepEqual(takePassedSockets({}, 42), { sockets: [], notes: [] });
  });

  it("serve the listen entry of their address; a dual-stack [::] serves 0.0.0.0 of its port", () => {
    const passed = (bound: Listener, dualStack = false): PassedSocket => ({
      fd: 3,
      name: "web",
      bound,
      dualStack,
    });
    const local = passed({ kind: "tcp", host: "127.0.0.1", port: 8080 });
    const any6 = passed({ kind: "tcp", host: "::", port: 8080 }, true);
    const only6 = passed({ kind: "tcp", host: "::", port: 8080 });
    const unix = passed({ kind: "unix", path: "/run/app.sock" });
    const tcp = (host: string, port = 8080): Listener => ({ kind: "tcp", host, port });
    assert.equal(passedFor(tcp("localhost"), "127.0.0.1", [local]), local, "by its numeric host");
    assert.equal(passedFor(tcp("127.0.0.1", 8081), "127.0.0.1", [local]), undefined, "another port");
    assert.equal(passedFor(tcp("0.0.0.0"), "0.0.0.0", [local, any6]), any6);
    assert.equal(passedFor(tcp("0.0.0.0"), "0.0.0.0", [only6]), undefined, "IPv6 only takes no IPv4");
    assert.equal(passedFor(tcp("::"), "::", [only6]), only6);
    assert.equal(passedFor({ kind: "unix", path: "/run/app.sock" }, undefined, [local, unix]), unix);
    assert.equal(passedFor({ kind: "unix", path: "/run/other.sock" }, undefined, [unix]), undefined);
  });
});
