import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { startDrover } from "../support/drover.ts";

const INDEX = join(import.meta.dirname, "..", "..", "src", "index.ts");

/** A module that appends one JSON line per hook call to hooks.log. */
function recordingModule(name: string, order = "") {
  return `
import { appendFileSync } from "node:fs";
import { defineModule } from ${JSON.stringify(INDEX)};
const record = (ctx: any) => {
  const calls = (ctx.retained.get("calls") ?? 0) + 1;
  ctx.retained.set("calls", calls);
  appendFileSync(${JSON.stringify("hooks.log")}, JSON.stringify({
    module: ctx.module, phase: ctx.phase, generation: ctx.generation, restart: ctx.restart,
    pid: process.pid, calls, status: ctx.status,
  }) + "\\n");
};
const phases = ["preConfig", "checkConfig", "openLogs", "postConfig", "childInit", "childExit", "childStatus"];
export default defineModule({
  name: ${JSON.stringify(name)},
  hooks: Object.fromEntries(phases.map((phase) => [phase, record])),
  ${order}
});`;
}

interface Call {
  module: string;
  phase: string;
  generation: number;
  restart: string;
  pid: number;
  calls: number;
  status?: string;
}

it("runs every phase in order, per generation, with ordering and a retained store", {
  timeout: 60_000,
}, async () => {
  const app = `import { defineApp } from ${JSON.stringify(INDEX)};
import { appendFileSync } from "node:fs";
export default defineApp({
  handler: (_req, res) => res.end("ok"),
  childInit: () => appendFileSync("hooks.log", JSON.stringify({ module: "app", phase: "childInit", pid: process.pid }) + "\\n"),
});`;
  const drover = await startDrover({
    app,
    config: { startServers: 1, workersPerChild: 2, modules: [{ use: "./a.ts" }, { use: "./b.ts" }] },
    files: {
      "a.ts": recordingModule("a"),
      "b.ts": recordingModule("b", 'order: { position: "first" },'),
      "c.ts": recordingModule("c"),
    },
  });
  const read = (): Call[] =>
    readFileSync(join(drover.dir.path, "hooks.log"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Call);
  try {
    const masterPid = (await drover.status()).masterPid;
    // A module added to the config becomes active on the next graceful restart.
    drover.writeConfig({
      startServers: 1,
      workersPerChild: 2,
      modules: [{ use: "./a.ts" }, { use: "./b.ts" }, { use: "./c.ts" }],
    });
    const reload = await drover.cli("reload");
    assert.equal(reload.status, 0, reload.stderr);
    const stop = await drover.cli("stop");
    assert.equal(stop.status, 0, stop.stderr);
    await drover.proc.waitForExit();

    const calls = read();
    const master = calls.filter((c) => c.pid === masterPid && c.phase !== "childStatus");
    const phasesOf = (generation: number) =>
      master.filter((c) => c.generation === generation).map((c) => `${c.module}.${c.phase}`);
    assert.deepEqual(phasesOf(0), [
      "b.preConfig",
      "a.preConfig",
      "b.checkConfig",
      "a.checkConfig",
      "b.openLogs",
      "a.openLogs",
      "b.postConfig",
      "a.postConfig",
    ]);
    assert.deepEqual(phasesOf(1), [
      "b.preConfig",
      "a.preConfig",
      "c.preConfig",
      "b.checkConfig",
      "a.checkConfig",
      "c.checkConfig",
      "b.openLogs",
      "a.openLogs",
      "c.openLogs",
      "b.postConfig",
      "a.postConfig",
      "c.postConfig",
    ]);
    assert.deepEqual(
      [...new Set(master.map((c) => `${c.generation}:${c.restart}`))],
      ["0:first", "1:graceful"],
    );
    // The retained store survives the restart: a's count goes on; c, new, starts from one.
    const aPost = master.filter((c) => c.module === "a" && c.phase === "postConfig");
    // (Between them a's childStatus hook also counted the first child's start.)
    assert.equal(aPost[0]?.calls, 4);
    assert.ok((aPost[1]?.calls ?? 0) >= 8, `a's count went on across the restart: ${aPost[1]?.calls}`);
    assert.equal(master.find((c) => c.module === "c" && c.phase === "postConfig")?.calls, 4);

    // childInit runs in each child, modules first and the app last; c's only after its postConfig.
    const inits = calls.filter((c) => c.phase === "childInit" && c.pid !== masterPid);
    const firstChild = inits[0]?.pid;
    assert.deepEqual(
      inits.filter((c) => c.pid === firstChild).map((c) => c.module),
      ["b", "a", "app"],
    );
    const cPost = calls.findIndex((c) => c.module === "c" && c.phase === "postConfig");
    const cInit = calls.findIndex((c) => c.module === "c" && c.phase === "childInit");
    assert.ok(cPost >= 0 && cInit > cPost, "c's childInit runs after its postConfig");
    assert.ok(calls.some((c) => c.phase === "childExit" && c.module === "a"));
    assert.ok(calls.some((c) => c.phase === "childStatus" && c.status === "started" && c.pid === masterPid));
  } finally {
    await drover.stop();
  }
});

it("refuses a reload whose module fails, keeping the running generation", { timeout: 60_000 }, async () => {
  const failing = `import { defineModule } from ${JSON.stringify(INDEX)};
export default defineModule({ name: "broken", hooks: { postConfig: () => { throw new Error("no database"); } } });`;
  const drover = await startDrover({
    app: `export default (_req: any, res: any) => res.end("ok " + process.pid);`,
    config: { startServers: 1, workersPerChild: 2 },
    files: { "broken.ts": failing },
  });
  try {
    const before = await drover.status();
    drover.writeConfig({ startServers: 1, workersPerChild: 2, modules: [{ use: "./broken.ts" }] });
    const reload = await drover.cli("reload");
    assert.notEqual(reload.status, 0);
    assert.match(reload.stderr, /module "broken" failed in its postConfig hook: no database/);
    const after = await drover.status();
    assert.equal(after.generation, before.generation);
    assert.deepEqual(
      after.children.map((c) => c.pid),
      before.children.map((c) => c.pid),
    );
    assert.equal((await drover.request()).status, 200);
  } finally {
    await drover.stop();
  }
});
