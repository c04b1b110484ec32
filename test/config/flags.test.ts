import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseArgs } from "node:util";
import {
  CONFIG_FLAGS,
  checkConfig,
  flagsToConfig,
  jittered,
  mergeFlags,
  resolveConfig,
} from "../../src/config/index.ts";
import { ErrorCode } from "../../src/errors.ts";
import { problemsOf, throwsCode, withDir, write } from "./support.ts";

function parse(args: string[]) {
  return parseArgs({ args, options: CONFIG_FLAGS, strict: true }).values;
}

describe("command-line flags", () => {
  it("turn into config fields, with numbers, durations and absolute paths", () => {
    const values = parse([
      "--listen=8080",
      "--listen",
      "[::1]:9000",
      "--listen=sock/app.sock",
      "--app=server.js",
      "--start-servers=3",
      "--min-spare-workers=5",
      "--max-spare-workers=50",
      "--workers-per-child=16",
      "--max-request-workers=64",
      "--max-connections-per-child=1000",
      "--graceful-shutdown-timeout=10s",
      "--heartbeat-timeout=2500",
      "--slow-request-threshold=20ms",
      "--slow-lane-max-wait=0.5s",
      "--user=nobody",
      "--group=0",
      "--run-dir=run",
      "--log-level=debug",
      "--config=other.json",
    ]);
    assert.deepEqual(flagsToConfig(values, "/work/site"), {
      listen: [
        { host: "0.0.0.0", port: 8080 },
        { host: "::1", port: 9000 },
        { path: "/work/site/sock/app.sock" },
      ],
      app: "/work/site/server.js",
      startServers: 3,
      minSpareWorkers: 5,
      maxSpareWorkers: 50,
      workersPerChild: 16,
      maxRequestWorkers: 64,
      maxConnectionsPerChild: 1000,
      gracefulShutdownTimeout: 10_000,
      heartbeatTimeout: 2500,
      slowRequestThreshold: 20,
      slowLaneMaxWait: 500,
      user: "nobody",
      group: 0,
      runDir: "/work/site/run",
      logLevel: "debug",
    });
    assert.equal(values.config, "other.json", "--config is for the caller, not a field");
  });

  it("give nothing when none is passed", () => {
    assert.deepEqual(flagsToConfig(parse([]), "/"), {});
  });

  it("refuse unreadable values, naming every flag at once", async () => {
    const values = parse([
      "--workers-per-child=many",
      "--start-servers=1.5",
      "--heartbeat-timeout=soon",
      "--listen=host:",
      "--listen=8080",
      "--listen=0.0.0.0:8080",
      "--app=",
    ]);
    const error = await throwsCode(() => flagsToConfig(values, "/"), ErrorCode.CONFIG_INVALID);
    assert.equal(
      error.message.split("\n")[0],
      "the config has 6 problems; fix them all, nothing was applied:",
    );
    assert.deepEqual(await problemsOf(() => flagsToConfig(values, "/")), [
      "--app: must be a path, got an empty value",
      '--start-servers: must be a whole number, got "1.5"',
      '--workers-per-child: must be a whole number, got "many"',
      '--heartbeat-timeout: is not a duration, got "soon" (string): use milliseconds as a number, or a number ' +
        'with a unit: "500ms", "30s", "2m", "1h"',
      '--listen: has no port after the host, got "host:" (string): write "host:8080"',
      '--listen: repeats --listen ("0.0.0.0:8080"): remove one of them',
    ]);
    const single = await throwsCode(
      () => flagsToConfig(parse(["--workers-per-child=x"]), "/"),
      ErrorCode.CONFIG_INVALID,
    );
    assert.equal(single.message, 'flag --workers-per-child must be a whole number, got "x"');
  });

  it("override the file's fields; --listen replaces the whole list", async () => {
    await withDir((dir) => {
      const file = {
        app: "app.js",
        listen: [80, 81],
        workersPerChild: 64,
        startServers: 4,
        logLevel: "warn",
      };
      const flags = flagsToConfig(
        parse(["--listen=9000", "--workers-per-child=32", "--log-level=error"]),
        dir,
      );
      const merged = mergeFlags(file, flags);
      assert.deepEqual(file.listen, [80, 81], "the file's config is left as it was");
      const { config } = checkConfig(merged, { baseDir: dir });
      assert.deepEqual(config.listen, [{ kind: "tcp", host: "0.0.0.0", port: 9000 }]);
      assert.equal(config.workersPerChild, 32);
      assert.equal(config.startServers, 4, "fields without a flag keep the file's value");
      assert.equal(config.logLevel, "error");
      assert.equal(mergeFlags("not an object", flags), "not an object");
    });
  });

  it("start relative paths from cwd, the file's from its own folder", async () => {
    await withDir(async (dir) => {
      write(dir, "etc/drover.config.json", JSON.stringify({ app: "../app.js", listen: ["unix:file.sock"] }));
      write(dir, "work/other.js", "export default () => {};\n");
      const cwd = join(dir, "work");
      const fromFile = await resolveConfig({ cwd, file: "../etc/drover.config.json" });
      assert.deepEqual(fromFile.config.listen, [{ kind: "unix", path: join(dir, "etc/file.sock") }]);
      const flags = flagsToConfig(parse(["--app=other.js", "--listen=unix:flag.sock", "--run-dir=run"]), cwd);
      const { config } = await resolveConfig({ cwd, file: "../etc/drover.config.json", flags });
      assert.equal(config.app, join(dir, "work/other.js"));
      assert.deepEqual(config.listen, [{ kind: "unix", path: join(dir, "work/flag.sock") }]);
      assert.equal(config.runDir, join(dir, "work/run"));
    });
  });

  it("a flag value of the right kind but out of range is checked with the config", async () => {
    await withDir(async (dir) => {
      const flags = flagsToConfig(parse(["--log-level=loud", "--user=drover-no-such-user"]), dir);
      assert.deepEqual(
        await problemsOf(() => checkConfig(mergeFlags({ app: "app.js" }, flags), { baseDir: dir })),
        [
          'user: names no user account on this machine, got "drover-no-such-user" (string): check the name, or give a numeric id',
          'logLevel: must be one of fatal, error, warn, info, debug, trace, silent, got "loud" (string)',
        ],
      );
      const { config, warnings } = checkConfig(
        mergeFlags({ app: "app.js" }, flagsToConfig(parse(["--start-servers=0"]), dir)),
        { baseDir: dir },
      );
      assert.equal(config.startServers, 1);
      assert.deepEqual(warnings, ["startServers of 0 is not allowed; raising it to 1."]);
    });
  });
});

describe("jittered", () => {
  it("spreads each child's limit by the jitter, and 0 stays never", () => {
    assert.equal(
      jittered(0, 0.1, () => 0.5),
      0,
    );
    assert.equal(jittered(1000, 0, Math.random), 1000);
    assert.equal(
      jittered(1000, 0.1, () => 0),
      900,
    );
    assert.equal(
      jittered(1000, 0.1, () => 0.5),
      1000,
    );
    assert.equal(
      jittered(1000, 0.1, () => 0.999_999),
      1100,
    );
    assert.equal(
      jittered(1, 1, () => 0),
      1,
      "never below one connection",
    );
    for (let i = 0; i < 1000; i++) {
      const limit = jittered(500, 0.2);
      assert.ok(limit >= 400 && limit <= 600, String(limit));
    }
  });
});
