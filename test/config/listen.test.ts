import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkConfig, formatListener, type Listener, parseListen } from "../../src/config/index.ts";
import { readListen } from "../../src/config/listen.ts";
import type { ConfigProblem } from "../../src/config/types/problem.ts";
import { problemsOf, withDir } from "./support.ts";

const BASE = "/srv/site";

function problems(spec: unknown): string[] {
  const found: ConfigProblem[] = [];
  assert.equal(readListen(spec, "listen[0]", BASE, found), undefined, JSON.stringify(spec));
  return found.map((problem) => `${problem.field}: ${problem.reason}`);
}

describe("listen specs", () => {
  it("reads ports, host:port, IPv6, wildcards and objects", () => {
    const cases: [unknown, Listener][] = [
      [8080, { kind: "tcp", host: "0.0.0.0", port: 8080 }],
      ["8080", { kind: "tcp", host: "0.0.0.0", port: 8080 }],
      ["127.0.0.1:8080", { kind: "tcp", host: "127.0.0.1", port: 8080 }],
      ["LocalHost:3000", { kind: "tcp", host: "localhost", port: 3000 }],
      ["api.example.com:443", { kind: "tcp", host: "api.example.com", port: 443 }],
      ["*:80", { kind: "tcp", host: "0.0.0.0", port: 80 }],
      ["[::1]:8080", { kind: "tcp", host: "::1", port: 8080 }],
      ["[::]:65535", { kind: "tcp", host: "::", port: 65535 }],
      [{ port: 1 }, { kind: "tcp", host: "0.0.0.0", port: 1 }],
      [
        { port: 80, host: "::1" },
        { kind: "tcp", host: "::1", port: 80 },
      ],
      [
        { port: 80, host: "[::1]" },
        { kind: "tcp", host: "::1", port: 80 },
      ],
    ];
    for (const [spec, listener] of cases)
      assert.deepEqual(parseListen(spec, BASE), listener, JSON.stringify(spec));
  });

  it("reads unix socket paths, relative ones from the base folder", () => {
    const cases: [unknown, string][] = [
      ["/run/app.sock", "/run/app.sock"],
      ["/run/app", "/run/app"],
      ["./run/app.sock", `${BASE}/run/app.sock`],
      ["../app.sock", "/srv/app.sock"],
      ["app.sock", `${BASE}/app.sock`],
      ["unix:app", `${BASE}/app`],
      ["unix:/tmp/x.sock", "/tmp/x.sock"],
      [{ path: "sockets/a.sock" }, `${BASE}/sockets/a.sock`],
    ];
    for (const [spec, path] of cases) {
      assert.deepEqual(parseListen(spec, BASE), { kind: "unix", path }, JSON.stringify(spec));
    }
  });

  it("formats listeners for messages", () => {
    assert.equal(formatListener({ kind: "tcp", host: "0.0.0.0", port: 80 }), "0.0.0.0:80");
    assert.equal(formatListener({ kind: "tcp", host: "::1", port: 80 }), "[::1]:80");
    assert.equal(formatListener({ kind: "unix", path: "/run/a.sock" }), "unix:/run/a.sock");
  });

  it("refuses bad ports", () => {
    assert.deepEqual(problems(0), ["listen[0]: must be a port from 1 to 65535, got 0"]);
    assert.deepEqual(problems(70000), ["listen[0]: must be a port from 1 to 65535, got 70000"]);
    assert.deepEqual(problems(80.5), ["listen[0]: must be a port from 1 to 65535, got 80.5"]);
    assert.match(problems("0")[0] ?? "", /^listen\[0\]: has port 0, outside 1 to 65535, got "0" \(string\)/);
    assert.match(problems("70000")[0] ?? "", /has port 70000, outside 1 to 65535/);
    assert.match(problems("host:99999")[0] ?? "", /has port "99999", not a number from 1 to 65535/);
    assert.match(problems("host:http")[0] ?? "", /has port "http", not a number from 1 to 65535/);
  });

  it("refuses malformed addresses, saying what to write", () => {
    const cases: [unknown, string][] = [
      ["host:", 'has no port after the host, got "host:" (string): write "host:8080"'],
      ["[::1]", 'has no port after the host, got "[::1]" (string): write "[::1]:8080"'],
      [":8080", 'has no host before the port, got ":8080" (string): write just 8080 for every interface'],
      ["localhost", 'has no port, got "localhost" (string): write "localhost:8080", or a bare port'],
      [
        "::1",
        'is an IPv6 address with no port, got "::1" (string): put the address in brackets, "[::1]:8080"',
      ],
      [
        "fe80::1:8080",
        'put the address in brackets, "[fe80::1:8080]:8080" (or "[fe80::1]:8080" if 8080 is the port)',
      ],
      ["[nothost]:80", 'has "nothost" in brackets, which is not an IPv6 address'],
      ["bad host!:80", 'has host "bad host!", which is not an IP address or a host name'],
      ["", "is empty: use a port (8080)"],
      ["unix:", 'names no socket path, got "unix:" (string): write "unix:app.sock" or "./app.sock"'],
      [true, "must be a port, an address or a socket path, got true (boolean)"],
      [null, "must be a port, an address or a socket path, got null"],
    ];
    for (const [spec, reason] of cases) {
      const found = problems(spec);
      assert.equal(found.length, 1, JSON.stringify(found));
      assert.ok(found[0]?.includes(reason), `${JSON.stringify(spec)}: ${found[0]} lacks ${reason}`);
    }
  });

  it("refuses socket paths longer than the system allows", () => {
    const [problem] = problems(`/run/${"s".repeat(120)}.sock`);
    assert.match(
      problem ?? "",
      /names a socket path of 130 bytes .* longer than the 10[37] the system allows/,
    );
  });

  it("refuses unknown and conflicting fields of listen objects, by their own path", () => {
    assert.deepEqual(problems({ port: 80, prot: 81 }), [
      "listen[0].prot: is not a listen setting: use port and host for TCP, or path for a unix socket",
    ]);
    assert.deepEqual(problems({ port: "80" }), [
      'listen[0].port: must be a port from 1 to 65535, got "80" (string)',
    ]);
    assert.deepEqual(problems({ port: 80, host: 7 }), [
      "listen[0].host: must be an IP address or a host name, got 7",
    ]);
    assert.deepEqual(problems({ path: 5 }), ["listen[0].path: must be a socket path, got 5"]);
    assert.deepEqual(problems({ path: "a.sock", port: 80 }), [
      "listen[0]: has both path and port/host: a listener is TCP or a unix socket, not both",
    ]);
    assert.deepEqual(problems({}), [
      "listen[0]: needs a port (TCP) or a path (unix socket): e.g. { port: 8080 }",
    ]);
  });

  it("refuses duplicates and overlapping wildcards in a config, naming both", async () => {
    await withDir(async (dir) => {
      const check = (listen: unknown) => () => checkConfig({ app: "app.js", listen }, { baseDir: dir });
      assert.deepEqual(await problemsOf(check([8080, "8080"])), [
        'listen[1]: repeats listen[0] ("0.0.0.0:8080"): remove one of them',
      ]);
      assert.deepEqual(await problemsOf(check(["a.sock", `${dir}/a.sock`])), [
        `listen[1]: repeats listen[0] ("unix:${dir}/a.sock"): remove one of them`,
      ]);
      assert.deepEqual(await problemsOf(check([80, "127.0.0.1:80"])), [
        'listen[1]: overlaps listen[0] ("0.0.0.0:80"), which takes port 80 on every IPv4 address: remove one of them',
      ]);
      assert.deepEqual(await problemsOf(check(["[::1]:80", "[::]:80"])), [
        'listen[1]: takes port 80 on every address, so it overlaps listen[0] ("[::1]:80"): remove one of them',
      ]);
      assert.deepEqual(await problemsOf(check(["[::]:80", 80])), [
        'listen[1]: overlaps listen[0] ("[::]:80"), which takes port 80 on every address: remove one of them',
      ]);
      assert.deepEqual(await problemsOf(check([])), [
        "listen: is empty: give at least one port, address or socket path",
      ]);
      // Different addresses or ports do not clash.
      const { config } = checkConfig(
        { app: "app.js", listen: ["127.0.0.1:80", "127.0.0.2:80", "[::1]:80", 8080, 8081, "x.sock"] },
        { baseDir: dir },
      );
      assert.equal(config.listen.length, 6);
      // 0.0.0.0 takes IPv4 addresses only, so an IPv6 address may share its port.
      assert.equal(
        checkConfig({ app: "app.js", listen: [80, "[::1]:80"] }, { baseDir: dir }).config.listen.length,
        2,
      );
    });
  });

  it("takes one spec or a list; the default is port 8080 on every interface", async () => {
    await withDir((dir) => {
      const one = checkConfig({ app: "app.js", listen: "[::1]:9000" }, { baseDir: dir }).config;
      assert.deepEqual(one.listen, [{ kind: "tcp", host: "::1", port: 9000 }]);
      const none = checkConfig({ app: "app.js" }, { baseDir: dir }).config;
      assert.deepEqual(none.listen, [{ kind: "tcp", host: "0.0.0.0", port: 8080 }]);
    });
  });
});
