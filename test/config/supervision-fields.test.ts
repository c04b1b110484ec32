// The config fields of supervision: recycling limits (sizes with units), deadlines, the signal mapping
// and the server timeouts; each refused with the field, the reason and what to write instead.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkConfig, flagsToConfig } from "../../src/config/index.ts";
import { readSize } from "../../src/config/size.ts";
import { problemsOf, withDir } from "./support.ts";

async function resolved(input: Record<string, unknown>) {
  return withDir((dir) => checkConfig({ app: "app.js", ...input }, { baseDir: dir }).config);
}

async function refused(input: Record<string, unknown>): Promise<string[]> {
  return withDir((dir) => problemsOf(() => checkConfig({ app: "app.js", ...input }, { baseDir: dir })));
}

describe("supervision fields", () => {
  it("default to what a production pool wants", async () => {
    const config = await resolved({});
    assert.deepEqual(
      {
        maxRequestsPerChild: config.maxRequestsPerChild,
        maxChildMemory: config.maxChildMemory,
        maxChildAge: config.maxChildAge,
        recycleJitter: config.recycleJitter,
        shutdownDelay: config.shutdownDelay,
        drainTimeout: config.drainTimeout,
        childStartTimeout: config.childStartTimeout,
        hookTimeout: config.hookTimeout,
        signals: config.signals,
        headersTimeout: config.headersTimeout,
        keepAliveTimeout: config.keepAliveTimeout,
        requestTimeout: config.requestTimeout,
      },
      {
        maxRequestsPerChild: 0,
        maxChildMemory: 0,
        maxChildAge: 0,
        recycleJitter: 0.1,
        shutdownDelay: 0,
        drainTimeout: 30_000,
        childStartTimeout: 60_000,
        hookTimeout: 30_000,
        signals: "drover",
        headersTimeout: undefined,
        keepAliveTimeout: undefined,
        requestTimeout: undefined,
      },
    );
  });

  it("read sizes with units, durations, and the Apache mapping", async () => {
    const config = await resolved({
      maxChildMemory: "1.5GiB",
      maxChildAge: "2h",
      maxRequestsPerChild: 10_000,
      shutdownDelay: "5s",
      drainTimeout: "1m",
      signals: "apache",
      headersTimeout: "10s",
    });
    assert.equal(config.maxChildMemory, 1.5 * 2 ** 30);
    assert.equal(config.maxChildAge, 7_200_000);
    assert.equal(config.maxRequestsPerChild, 10_000);
    assert.equal(config.shutdownDelay, 5_000);
    assert.equal(config.drainTimeout, 60_000);
    assert.equal(config.signals, "apache");
    assert.equal(config.headersTimeout, 10_000);
  });

  it("refuse what cannot be used, each with what to write", async () => {
    assert.deepEqual(await refused({ maxChildMemory: "512" }), [
      'maxChildMemory: has no unit, got "512" (string): write "512MB", or the number for bytes',
    ]);
    assert.match((await refused({ maxChildMemory: "lots" }))[0] ?? "", /^maxChildMemory: is not a size/);
    assert.match(
      (await refused({ maxChildMemory: -1 }))[0] ?? "",
      /^maxChildMemory: must be a size of 0 or more/,
    );
    assert.deepEqual(await refused({ signals: "nginx" }), [
      'signals: must be one of drover, apache, got "nginx" (string)',
    ]);
    for (const field of ["drainTimeout", "childStartTimeout", "hookTimeout"]) {
      assert.deepEqual(await refused({ [field]: 0 }), [
        `${field}: must be more than 0: a deadline of 0 could never be met`,
      ]);
    }
    assert.match(
      (await refused({ recycleJitter: 2 }))[0] ?? "",
      /^recycleJitter: must be a fraction from 0 to 1/,
    );
    assert.match(
      (await refused({ maxRequestsPerChild: -5 }))[0] ?? "",
      /^maxRequestsPerChild: must be 0 or more/,
    );
    assert.match((await refused({ maxConnectionsPerChildJitter: 0.1 }))[0] ?? "", /is not a drover setting/);
  });

  it("sizes: decimal and binary units, case-insensitive, a bare number is bytes", () => {
    assert.deepEqual(readSize(1024), { ok: true, value: 1024 });
    assert.deepEqual(readSize("64kB"), { ok: true, value: 64_000 });
    assert.deepEqual(readSize("64KiB"), { ok: true, value: 65_536 });
    assert.deepEqual(readSize("2gb"), { ok: true, value: 2e9 });
    assert.equal(readSize("1e3MB").ok, false);
  });

  it("flags for the new fields", () => {
    assert.deepEqual(
      flagsToConfig({
        "max-requests-per-child": "500",
        "max-child-memory": "256MiB",
        "max-child-age": "1h",
        "drain-timeout": "10s",
        "shutdown-delay": "3000",
        "child-start-timeout": "90s",
      }),
      {
        maxRequestsPerChild: 500,
        maxChildMemory: 256 * 2 ** 20,
        maxChildAge: 3_600_000,
        drainTimeout: 10_000,
        shutdownDelay: 3_000,
        childStartTimeout: 90_000,
      },
    );
    assert.throws(
      () => flagsToConfig({ "max-child-memory": "much" }),
      /flag --max-child-memory is not a size/,
    );
  });

  it("a run directory too deep for its sockets is refused, with the path's length", async () => {
    const deep = `/tmp/${"d".repeat(89)}`;
    const [problem] = await refused({ runDir: deep });
    assert.match(
      problem ?? "",
      /^runDir: is too deep: its dispatch socket's path \(\/tmp\/d+\/dispatch\.sock\) would be 108 bytes, past the 107/,
    );
    // One byte shorter fits.
    assert.equal((await resolved({ runDir: deep.slice(0, -1) })).runDir, deep.slice(0, -1));
  });
});
