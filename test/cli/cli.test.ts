// The `drover` command without a master: exit codes (0 done, 1 failed, 2 usage or config, 3 no master)
// and messages that say what to do.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { makeRunDir } from "../../src/master/run/run-files.ts";
import { spawnNode } from "../harness/process.ts";
import { makeTempDir, type TempDir } from "../harness/temp.ts";
import { runCli } from "../support/drover.ts";

const APP = `export default (_req: any, res: any) => res.end("ok");\n`;

function folder(t: { after: (fn: () => void) => void }, config?: Record<string, unknown>): TempDir {
  const dir = makeTempDir("drover-test-cli-");
  t.after(() => dir.remove());
  writeFileSync(join(dir.path, "app.ts"), APP);
  if (config) writeFileSync(join(dir.path, "drover.config.json"), JSON.stringify(config));
  return dir;
}

describe("with no master running", () => {
  it("drover reload exits 3 and says how to start one", { timeout: 30_000 }, async (t) => {
    const dir = folder(t);
    const result = await runCli(["reload"], dir.path);
    assert.equal(result.status, 3, result.stderr);
    assert.match(result.stderr, /DROVER_ERR_NOT_RUNNING/);
    assert.match(result.stderr, /drover start/);
  });

  it("drover restart exits 3 and says how to start one", { timeout: 30_000 }, async (t) => {
    const dir = folder(t);
    const result = await runCli(["restart", "--run-dir", join(dir.path, "elsewhere")], dir.path);
    assert.equal(result.status, 3, result.stderr);
    assert.match(result.stderr, /drover start/);
  });

  it("drover status exits 3 and says how to start one", {
    timeout: 30_000,
  }, async (t) => {
    const dir = folder(t);
    const result = await runCli(["status"], dir.path);
    assert.equal(result.status, 3, result.stderr);
    assert.match(result.stderr, /no drover master/);
    assert.match(result.stderr, /drover start/);
  });

  it("drover status --json exits 3 too", { timeout: 30_000 }, async (t) => {
    const dir = folder(t);
    const result = await runCli(["status", "--json"], dir.path);
    assert.equal(result.status, 3, result.stderr);
    assert.equal(result.stdout, "");
  });

  it("drover stop exits 3 and says how to start one", {
    timeout: 30_000,
  }, async (t) => {
    const dir = folder(t);
    const result = await runCli(["stop"], dir.path);
    assert.equal(result.status, 3, result.stderr);
    assert.match(result.stderr, /no drover master runs/);
    assert.match(result.stderr, /drover start/);
  });

  it("drover stop with a stale pid file (its master is gone) exits 3", { timeout: 30_000 }, async (t) => {
    const dir = folder(t);
    const runDir = join(dir.path, "run");
    makeRunDir(runDir);
    // A pid that cannot be a running process.
    writeFileSync(join(runDir, "drover.pid"), "4194304\n");
    const result = await runCli(["stop", "--run-dir", runDir], dir.path);
    assert.equal(result.status, 3, result.stderr);
  });
});

describe("with a stale pid file naming a live process that is no master", () => {
  it("drover status exits 3: the pid file is not locked, so no master runs", {
    timeout: 30_000,
  }, async (t) => {
    const dir = folder(t);
    const runDir = join(dir.path, "run");
    makeRunDir(runDir);
    // Stands for a process that reused a dead master's pid after a crash and a reboot.
    const unrelated = await spawnNode("-e", ["setInterval(() => {}, 60000); console.log('up')"], {
      ready: /up/,
    });
    t.after(() => unrelated.stop());
    writeFileSync(join(runDir, "drover.pid"), `${unrelated.pid}\n`);
    const result = await runCli(["status", "--run-dir", runDir], dir.path);
    assert.equal(result.status, 3, result.stderr);
    // Nobody holds the pid file's lock: whatever pid the file names, no master runs.
    assert.match(result.stderr, /no drover master runs in/);
    assert.doesNotMatch(result.stderr, new RegExp(String(unrelated.pid)));
    assert.match(result.stderr, /DROVER_ERR_NOT_RUNNING/);
  });
});

describe("usage", () => {
  it("an unknown command exits 2 with the usage", { timeout: 30_000 }, async (t) => {
    const dir = folder(t);
    const result = await runCli(["frobnicate"], dir.path);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /unknown command "frobnicate"/);
    assert.match(result.stderr, /Usage: drover <command>/);
  });

  it("no command exits 2 with the usage", { timeout: 30_000 }, async (t) => {
    const result = await runCli([], folder(t).path);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /no command given/);
    assert.match(result.stderr, /Usage: drover <command>/);
  });

  it("an unknown option exits 2 with the command's usage", { timeout: 30_000 }, async (t) => {
    const result = await runCli(["status", "--bogus"], folder(t).path);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /--bogus/);
    assert.match(result.stderr, /Usage: drover status/);
  });

  it("a bad --timeout is bad usage: exit 2 and a message, not a stack trace", {
    timeout: 30_000,
  }, async (t) => {
    const result = await runCli(["stop", "--timeout", "soon"], folder(t).path);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /--timeout/);
    assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  });

  it("--version and -v print the package version; --help prints the usage", {
    timeout: 30_000,
  }, async (t) => {
    const dir = folder(t);
    const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      version: string;
    };
    for (const flag of ["--version", "-v"]) {
      const result = await runCli([flag], dir.path);
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stdout.trim(), version);
    }
    const help = await runCli(["--help"], dir.path);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /Usage: drover <command>/);
    assert.match(help.stdout, /Exit codes:/);
  });
});

describe("drover configtest", () => {
  it("a good config exits 0 and names the app", { timeout: 30_000 }, async (t) => {
    const dir = folder(t, { app: "./app.ts", listen: ["127.0.0.1:8999"], workersPerChild: 12 });
    const result = await runCli(["configtest"], dir.path);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /the config is valid/);
    assert.ok(result.stdout.includes(join(dir.path, "app.ts")));
  });

  it('workersPerChild: "12" exits 2 naming the field', { timeout: 30_000 }, async (t) => {
    const dir = folder(t, { app: "./app.ts", workersPerChild: "12" });
    const result = await runCli(["configtest"], dir.path);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /workersPerChild/);
    assert.match(result.stderr, /whole number/);
    assert.match(result.stderr, /DROVER_ERR_CONFIG_INVALID/);
  });

  it("an unknown field exits 2 naming it and the field it resembles", { timeout: 30_000 }, async (t) => {
    const dir = folder(t, { app: "./app.ts", maxSpareWorker: 10 });
    const result = await runCli(["configtest"], dir.path);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /"maxSpareWorker" is not a drover setting/);
    assert.match(result.stderr, /maxSpareWorkers/);
  });

  it("checks the modules' options too, naming the module and the field", { timeout: 30_000 }, async (t) => {
    const good = folder(t, { app: "./app.ts", modules: [{ use: "shmCounter" }] });
    const ok = await runCli(["configtest"], good.path);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /modules: shmCounter/);
    const bad = folder(t, { app: "./app.ts", modules: [{ use: "shmCounter", path: "counter" }] });
    const refused = await runCli(["configtest"], bad.path);
    assert.equal(refused.status, 2, refused.stderr);
    assert.match(
      refused.stderr,
      /modules\[0\] \("shmCounter"\): module "shmCounter" is invalid: path must be a URL path/,
    );
  });

  it("a config file given with -c that does not exist exits 2", { timeout: 30_000 }, async (t) => {
    const dir = folder(t);
    const result = await runCli(["configtest", "-c", "missing.json"], dir.path);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /missing\.json/);
  });
});
