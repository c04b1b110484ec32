// A reload that cannot work leaves generation N serving, untouched: a bad field in the config is
// refused before anything starts; an app that fails in the new generation is rolled back.
import assert from "node:assert/strict";
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { waitFor } from "../harness/wait.ts";
import { FIXTURE_APP, pids, servedBy, serving, startFixture } from "../support/pool.ts";
import { startServices } from "../support/services.ts";

const SIZES = { startServers: 2, workersPerChild: 2, minSpareWorkers: 2 };

it("refuses a reload whose config has a bad field, naming it, and keeps generation N", {
  timeout: 60_000,
}, async (t) => {
  const drover = await startFixture(SIZES);
  t.after(() => drover.stop());
  const before = pids(serving(await drover.status()));

  drover.writeConfig({ app: FIXTURE_APP, ...SIZES, workersPerChild: "four" });
  const reload = await drover.cli("reload");
  assert.notEqual(reload.status, 0);
  assert.match(reload.stderr, /workersPerChild/);

  const after = await drover.status();
  assert.equal(after.generation, 0);
  assert.equal(after.restarts.failed, 1, "the failed reload is counted");
  assert.ok(after.restarts.lastFailedSecondsAgo !== null && after.restarts.lastFailedSecondsAgo < 60);
  const text = await drover.cli("status");
  assert.match(text.stdout, /restarts: 0 graceful, 0 hard, 1 failed \(the last \d+s ago: see the log\)/);
  assert.deepEqual(pids(serving(after)), before);
  assert.deepEqual(pids(after.children), before, "no child of a new generation was started");
  const reply = await drover.request("/");
  assert.equal(reply.status, 200);
  assert.deepEqual(servedBy(reply.body).generation, 0);
});

it("refuses a reload whose config file is gone, naming the file, and keeps generation N", {
  timeout: 60_000,
}, async (t) => {
  const drover = await startFixture(SIZES);
  t.after(() => drover.stop());
  const file = join(drover.dir.path, "drover.config.json");
  const moved = `${file}.moved`;
  renameSync(file, moved);
  const reload = await drover.cli("reload");
  assert.notEqual(reload.status, 0);
  assert.ok(reload.stderr.includes(`config file ${file} was not found`), reload.stderr);
  assert.ok(drover.proc.output().includes(`config file ${file} was not found`), "the master says it");
  assert.equal((await drover.status()).generation, 0);
  renameSync(moved, file);
  assert.equal((await drover.cli("reload")).status, 0);
});

it("rolls back a reload whose app fails at import, then takes a good one", { timeout: 90_000 }, async (t) => {
  const drover = await startFixture(SIZES);
  t.after(() => drover.stop());
  const before = pids(serving(await drover.status()));

  writeFileSync(
    join(drover.dir.path, "broken-app.ts"),
    `throw new Error("the database is unreachable (broken on purpose)");\n`,
  );
  drover.writeConfig({ app: "./broken-app.ts", ...SIZES });
  const bad = await drover.cli("reload");
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /the database is unreachable \(broken on purpose\)/);
  assert.match(bad.stderr, /generation 0 keeps serving/);

  // The failed generation's children go; generation 0 keeps its children and serves.
  const kept = await waitFor("only generation 0 left", async () => {
    const status = await drover.status();
    return status.children.every((child) => before.includes(child.pid)) && status;
  });
  assert.equal(kept.generation, 0);
  assert.deepEqual(pids(serving(kept)), before);
  for (let i = 0; i < 5; i++) {
    const reply = await drover.request("/");
    assert.equal(reply.status, 200);
    assert.ok(before.includes(servedBy(reply.body).pid));
  }

  drover.writeConfig({ app: FIXTURE_APP, ...SIZES });
  const good = await drover.cli("reload");
  assert.equal(good.status, 0, good.stderr);
  const reply = await drover.request("/");
  assert.equal(reply.status, 200);
  const after = await drover.status();
  assert.ok((after.generation ?? 0) > 0);
  assert.equal(servedBy(reply.body).generation, after.generation);
  assert.deepEqual(
    pids(serving(after)).filter((pid) => before.includes(pid)),
    [],
  );
});

it("counts a failed reload once, however many callers joined it", { timeout: 90_000 }, async (t) => {
  const drover = await startServices({ math: { minDrones: 1, maxDrones: 1 } });
  t.after(() => drover.stop());
  // The bad module fails once the test lets it: until then the first reload runs, and the others join.
  const release = join(drover.dir.path, "release");
  const slow = join(drover.dir.path, "slow-bad.ts");
  writeFileSync(
    slow,
    [
      'import { existsSync } from "node:fs";',
      `while (!existsSync(${JSON.stringify(release)})) await new Promise((r) => setTimeout(r, 50));`,
      "throw new Error('bad module');",
    ].join("\n"),
  );
  drover.writeConfig({ minDrones: 1, maxDrones: 1, module: slow });
  const first = drover.cli("reload");
  await waitFor("the first reload runs", () => drover.proc.output().includes("graceful restart: starting"));
  const joined = [drover.cli("reload"), drover.cli("reload")];
  const asked = () => drover.proc.output().split("a reload was asked while a reload runs").length - 1;
  await waitFor("the second and third reloads are asked", () => asked() === 2, 30_000);
  writeFileSync(release, "");
  const results = await Promise.all([first, ...joined]);
  for (const result of results) assert.notEqual(result.status, 0);
  const runs = drover.proc.output().split("graceful restart: starting the new generation").length - 1;
  assert.equal(runs, 2, "the second and third joined one run");
  assert.equal((await drover.status()).restarts.failed, 2, "one failure counted per run, not per caller");
});
