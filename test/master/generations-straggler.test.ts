// After a failed reload, a child of the failed generation may still be on its way out when the operator
// reloads again with a fixed config. That straggler must not be taken for a child of the new generation.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { pathToFileURL } from "node:url";
import { waitFor } from "../harness/wait.ts";
import { FIXTURE_APP, pids, servedBy, serving, startFixture } from "../support/pool.ts";

const SIZES = { startServers: 2, workersPerChild: 2, minSpareWorkers: 2 };

// Of the two children of the bad generation, the first to load waits until the other spins, then throws,
// failing the reload. The other spins (deaf to SIGTERM) until the next generation's app has loaded, then
// throws too. Every wait is bounded.
const STRAGGLING_APP = `
import { closeSync, existsSync, openSync } from "node:fs";
const here = new URL(".", import.meta.url);
const waitFor = (name) => {
  const until = Date.now() + 10_000;
  while (!existsSync(new URL(name, here)) && Date.now() < until) {}
};
let first = true;
try { closeSync(openSync(new URL("first.lock", here), "wx")); } catch { first = false; }
if (first) waitFor("spinning");
else {
  closeSync(openSync(new URL("spinning", here), "w"));
  waitFor("go");
}
throw new Error(first ? "broken at once" : "broken late, as a straggler");
`;

const goodApp = (fixture: string) => `
import { writeFileSync } from "node:fs";
writeFileSync(new URL("go", import.meta.url), "");
export { default } from ${JSON.stringify(pathToFileURL(fixture).href)};
`;

it("does not let a straggler of a failed generation fail the next reload", {
  timeout: 90_000,
}, async (t) => {
  const drover = await startFixture(SIZES);
  t.after(() => drover.stop());
  const before = pids(serving(await drover.status()));
  writeFileSync(join(drover.dir.path, "straggling-app.ts"), STRAGGLING_APP);
  writeFileSync(join(drover.dir.path, "good-app.ts"), goodApp(FIXTURE_APP));

  drover.writeConfig({ ...SIZES, app: "./straggling-app.ts" });
  const bad = await drover.cli("reload");
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /broken at once/);

  // Right away, so the straggler is still there (the master SIGKILLs it 3 s after the failure): by
  // signal, which skips starting a drover command.
  const logged = drover.proc.output().length;
  drover.writeConfig({ ...SIZES, app: "./good-app.ts" });
  process.kill(drover.proc.pid, "SIGUSR1");
  const outcome = await waitFor("the second reload's outcome", () =>
    drover.proc
      .output()
      .slice(logged)
      .match(/graceful restart (done|failed[^"\\]*)/),
  );
  assert.equal(outcome[1], "done", `the fixed reload failed: ${outcome[0]}`);
  const status = await drover.status();
  const reply = await drover.request("/");
  assert.equal(servedBy(reply.body).generation, status.generation);
  assert.deepEqual(
    pids(serving(status)).filter((pid) => before.includes(pid)),
    [],
  );
});
