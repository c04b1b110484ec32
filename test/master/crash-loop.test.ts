// Children that crash soon after they start, one after another, are a crash loop (review M1): past
// the first three, each is replaced after a wait that doubles, and the log says so. Before, the
// master forked a replacement at every crash, as fast as the app could die.
import assert from "node:assert/strict";
import { it } from "node:test";
import { waitFor } from "../harness/wait.ts";
import { startControlled } from "../support/pool.ts";

it("children that keep crashing soon after they are ready are replaced after a doubling wait", {
  timeout: 90_000,
}, async (t) => {
  const controlled = await startControlled({ startServers: 1, workersPerChild: 2, minSpareWorkers: 1 });
  t.after(() => controlled.stop());
  const { drover } = controlled;
  controlled.set("crash-ready", true, "1");
  const reload = await drover.cli("reload");
  assert.equal(reload.status, 0, reload.stderr);
  const output = () => drover.proc.output();
  await waitFor(
    "the fourth crash in a row delayed",
    () => /\(4 in a row\): the next is forked in 0\.5 s/.test(output()),
    60_000,
  );
  await waitFor(
    "the fifth delayed twice as long",
    () => /\(5 in a row\): the next is forked in 1 s/.test(output()),
    60_000,
  );
  assert.doesNotMatch(output(), /\(3 in a row\)/, "the first three are replaced at once");
  const started = (await drover.status()).counters.childrenStarted;
  assert.ok(started <= 1 + 6, `one child forked per crash, no more: ${started}`);
  // The fix: the crash loop's count starts afresh with the new generation, which serves.
  controlled.set("crash-ready", false);
  const fixed = await drover.cli("reload");
  assert.equal(fixed.status, 0, fixed.stderr);
  assert.equal((await drover.request("/")).status, 200);
});
