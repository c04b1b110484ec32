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
import { MATH_SERVICE } from "../support/services.ts";

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

describe("help and suggestions, from the command itself", () => {
  it("drover <command> --help and drover help <command> print its usage; typos exit 2 with a suggestion", {
    timeout: 30_000,
  }, async (t) => {
    const dir = folder(t).path;
    const [stopHelp, helpStatus, typo, flagTypo] = await Promise.all([
      runCli(["stop", "--help"], dir),
      runCli(["help", "status"], dir),
      runCli(["stats"], dir),
      runCli(["status", "--jsn"], dir),
    ]);
    assert.equal(stopHelp.status, 0, stopHelp.stderr);
    assert.match(stopHelp.stdout, /^Usage: drover stop \[options\]$/m);
    assert.match(stopHelp.stdout, /--graceful/);
    assert.equal(helpStatus.status, 0, helpStatus.stderr);
    assert.match(helpStatus.stdout, /^Usage: drover status \[options\]$/m);
    assert.match(helpStatus.stdout, /--json/);
    assert.equal(typo.status, 2);
    assert.match(typo.stderr, /unknown command "stats": did you mean "status"\?/);
    assert.match(typo.stderr, /Usage: drover <command>/);
    assert.equal(flagTypo.status, 2);
    assert.match(flagTypo.stderr, /unknown option --jsn: did you mean --json\?/);
    assert.match(flagTypo.stderr, /Usage: drover status/);
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

  it("imports the app and prints the sizing the master would run with, services too", {
    timeout: 30_000,
  }, async (t) => {
    const dir = folder(t, {
      app: "./app.ts",
      listen: ["127.0.0.1:8999"],
      startServers: 3,
      workersPerChild: 16,
      maxRequestWorkers: 100,
      maxConnectionsPerChild: 500,
      services: [{ name: "math", module: MATH_SERVICE, minDrones: 2, maxDrones: 4, droneConcurrency: 2 }],
    });
    // Its top-level code runs, and a timer it leaves does not keep configtest from exiting.
    writeFileSync(join(dir.path, "app.ts"), `setInterval(() => {}, 60_000);\n${APP}`);
    writeFileSync(join(dir.path, "wrong.ts"), "export default 42;\n");
    const [good, bad] = await Promise.all([
      runCli(["configtest"], dir.path),
      runCli(["configtest", "./wrong.ts"], dir.path),
    ]);
    assert.equal(good.status, 0, good.stderr);
    assert.match(good.stdout, /^the app loads: it exports a request handler$/m);
    assert.match(
      good.stdout,
      /^ {2}children: +3 at start \(startServers\), at most 6 \(maxRequestWorkers 96 \/ workersPerChild 16;/m,
    );
    assert.match(good.stdout, /^ {2}spare band: +\d+ to \d+ idle workers/m);
    assert.match(
      good.stdout,
      /^ {2}recycling: +500 connections, no request limit, no memory limit, no age limit \(each ±10%\)$/m,
    );
    assert.match(
      good.stdout,
      /^ {2}service "math" \(.*math\.ts\):\n {4}drones 2 to 4 \(minDrones, maxDrones\), .* 2 calls at once each$/m,
    );
    assert.match(good.stdout, /messages up to 64 MiB$/m, "in the units the config takes (the default 64MiB)");
    assert.match(good.stdout, /^warning: .*maxRequestWorkers/m, "the adjustment said as a warning");
    assert.equal(bad.status, 1, bad.stderr);
    assert.match(
      bad.stderr,
      /the app .*wrong\.ts could not be loaded: TypeError: .*must default-export a request handler/,
    );
  });

  it("imports each service's module, and fails naming the service when one cannot load", {
    timeout: 30_000,
  }, async (t) => {
    const dir = folder(t, {
      services: [
        { name: "math", module: MATH_SERVICE },
        { name: "broken", module: "./broken.ts" },
      ],
    });
    writeFileSync(join(dir.path, "broken.ts"), "export default { methods: {} };\n");
    const bad = await runCli(["configtest"], dir.path);
    assert.equal(bad.status, 1, bad.stderr);
    assert.match(bad.stdout, /^service "math" loads: its methods are add, /m);
    assert.match(
      bad.stderr,
      /the module of service "broken" \(.*broken\.ts\) must default-export `defineService\(\{ methods: \{ \.\.\. \} \}\)`, got object/,
    );
    writeFileSync(join(dir.path, "broken.ts"), "export default {{ syntax\n");
    const syntax = await runCli(["configtest"], dir.path);
    assert.equal(syntax.status, 1, syntax.stderr);
    assert.match(syntax.stderr, /the module of service "broken" \(.*broken\.ts\) could not be loaded/);
  });

  it("a config file given with -c that does not exist exits 2", { timeout: 30_000 }, async (t) => {
    const dir = folder(t);
    const result = await runCli(["configtest", "-c", "missing.json"], dir.path);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /missing\.json/);
    // So do the commands that find a master by it, rather than try ./.drover instead.
    for (const command of [["status"], ["call", "math", "add"]]) {
      const found = await runCli([...command, "-c", "missing.json"], dir.path);
      assert.equal(found.status, 2, found.stderr);
      assert.match(found.stderr, /config file .*missing\.json was not found/);
    }
  });
});
