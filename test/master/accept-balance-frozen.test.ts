// Review D1: a child whose event loop is blocked neither accepts nor updates its count of open
// connections. Its peers must not hold back for it: once its heartbeat is stale, the others take every
// new connection at once, while it stays blocked.
import assert from "node:assert/strict";
import { it } from "node:test";
import { ProcessState, Scoreboard } from "../../src/scoreboard/index.ts";
import { waitFor } from "../harness/wait.ts";
import { startDrover } from "../support/drover.ts";
import { scoreboardFile } from "../support/lifecycle.ts";
import { holdConnections, RawConnection } from "../support/load.ts";

// /hold is never answered, so its connection holds a worker slot without going idle (the server would
// close an idle one after its keep-alive timeout); /spin blocks the child's loop for a while.
const APP = `export default (req: any, res: any) => {
  if (req.url === "/hold") return;
  if (req.url === "/spin") {
    const end = Date.now() + 12_000;
    while (Date.now() < end);
  }
  res.end(String(process.pid));
};`;

it("takes every new connection at once while a peer's loop is blocked", { timeout: 90_000 }, async (t) => {
  const drover = await startDrover({
    app: APP,
    config: { startServers: 2, workersPerChild: 64, minSpareWorkers: 1, maxSpareWorkers: 256 },
  });
  t.after(() => drover.stop());
  const board = Scoreboard.open(scoreboardFile(drover.runDir));
  t.after(() => board.close());
  const openConnections = () => board.snapshot().processes.map((p) => p.openConnections);
  await waitFor(
    "two ready children",
    () => board.snapshot().processes.filter((p) => p.state === ProcessState.Ready).length === 2,
  );

  // Both children hold connections, as balanced as they get; then one of them blocks.
  const holders = await Promise.all(Array.from({ length: 20 }, () => RawConnection.open(drover.port)));
  t.after(() => {
    for (const holder of holders) holder.close();
  });
  for (const holder of holders) holder.send("/hold");
  await waitFor("20 held connections over both children", () => {
    const open = openConnections();
    return open.length === 2 && open.every((n) => n > 0) && open.reduce((a, b) => a + b) === 20;
  });
  const spinner = await RawConnection.open(drover.port);
  t.after(() => spinner.close());
  const spin = spinner.get("/spin", 60_000);
  const frozen = await waitFor("a child's heartbeat to go stale", () =>
    board.snapshot().processes.find((p) => Date.now() - p.heartbeat > 2_500),
  );

  // Held back by the blocked peer, the other child would take a few, then pause until connections it
  // answered went idle and were closed by the server: each new connection would wait for that.
  const more = await holdConnections(drover.port, 20);
  t.after(() => more.close());
  assert.deepEqual(
    more.replies.filter((reply) => reply.body === String(frozen.pid)),
    [],
    "new connections waited for the blocked child, which answered them once it came back",
  );
  assert.equal(
    more.connections.filter((connection) => connection.closed).length,
    0,
    "new connections waited until answered ones were closed for idleness",
  );
  assert.equal((await spin).body, String(frozen.pid));
});
