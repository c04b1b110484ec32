// The app shares the IPC channel with drover (review D26): what it sends with drover's tag counts only
// in the phase it belongs to. A "detached" from a child that was never asked to detach does not free
// its slot (two writers on one record), a second "ready" changes nothing, a malformed message nothing.
import assert from "node:assert/strict";
import { it } from "node:test";
import { waitFor } from "../harness/wait.ts";
import { startDrover } from "../support/drover.ts";
import { pids, serving } from "../support/pool.ts";

const APP = `export default (req: any, res: any) => {
  if (req.url === "/forge") {
    process.send?.({ drover: "ready" });
    process.send?.({ drover: "detached" });
    process.send?.({ drover: "retire", reason: "boredom" });
    process.send?.({ drover: "quiesce", deadlineMs: 10 });
    process.send?.({ drover: 42 });
    // A real request last: the channel keeps order, so once the master acts on it, it has seen the rest.
    process.send?.({ drover: "retire", reason: "connections" });
  }
  res.end(String(process.pid));
};`;

it("messages the app forges on drover's channel are ignored outside their phase", {
  timeout: 60_000,
}, async (t) => {
  const drover = await startDrover({
    app: APP,
    config: { startServers: 1, minSpareWorkers: 1, logLevel: "debug" },
  });
  t.after(() => drover.stop());
  const [child] = pids(serving(await drover.status()));
  const reply = await drover.request("/forge");
  assert.equal(reply.body, String(child));
  await waitFor("the master to act on the last message", () =>
    drover.proc.output().includes("a child asks to retire"),
  );
  const log = drover.proc.output();
  assert.equal(log.match(/a child asks to retire/g)?.length, 1, "the malformed retire was ignored");
  assert.doesNotMatch(log, /gives its scoreboard slot/, "a forged detached freed no slot");
  assert.doesNotMatch(log, /"level":50/);
});
