// A draining child (here, the old generation of a reload) answers a request that arrives on an idle
// keep-alive connection, within the keep-alive timeout the server announced, with `Connection: close`,
// even when the child is busy at that moment (review T6). The busy request holds the child's event loop
// from the moment its drain begins; the idle connection's request is sent then, and the spin ends only
// once that request waits in the child's socket: the order is proven, not hoped for.
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { waitFor } from "../harness/wait.ts";
import { board } from "../support/lifecycle.ts";
import { RawConnection } from "../support/load.ts";
import { pids, servedBy, serving, startFixture } from "../support/pool.ts";
import { unreadAtServer } from "../support/tcp-queue.ts";

// As src/child/drain.ts has it.
const IDLE_GRACE_MS = 1_000;
// Longer than a reload takes on a loaded machine, so the idle connection is still open when it drains.
const KEEPALIVE_MS = 30_000;

it("answers a request that arrives on an idle keep-alive connection while the draining child is busy", {
  timeout: 90_000,
}, async (t) => {
  const drover = await startFixture(
    { startServers: 1, workersPerChild: 4, minSpareWorkers: 1 },
    { env: { KEEPALIVE_MS: String(KEEPALIVE_MS) } },
  );
  t.after(() => drover.stop());
  const [child] = pids(serving(await drover.status()));

  // Two keep-alive connections to the child, each with a request done.
  const idle = await RawConnection.open(drover.port);
  const busy = await RawConnection.open(drover.port);
  t.after(() => {
    idle.close();
    busy.close();
  });
  const first = await idle.get("/");
  assert.match(first.headers["keep-alive"] ?? "", /timeout=30/, "the server announces 30 s");
  assert.equal(servedBy(first.body).pid, child);
  assert.equal(servedBy((await busy.get("/")).body).pid, child);

  // The busy connection's request waits in the child for the drain, then holds its loop.
  const file = (name: string) => join(drover.dir.path, name);
  const query = ["received", "spinning", "until"].map((n) => `${n}=${encodeURIComponent(file(n))}`);
  // It spins longer than a draining child leaves a silent connection open (IDLE_GRACE_MS, 1 s): when
  // its loop turns again, the idle connection is due to be closed, and its request must win.
  const spun = busy.get(`/spin-on-drain?${query.join("&")}&ms=${IDLE_GRACE_MS + 500}`, 60_000);
  await waitFor("the busy request to reach the child", () => existsSync(file("received")));

  // A reload: the child drains once the new generation is ready, and spins from that moment.
  const reload = drover.cli("reload");
  // The file is created, then written: wait for its content.
  const spinner = () => (existsSync(file("spinning")) ? readFileSync(file("spinning"), "utf8") : "");
  await waitFor("the old child to drain, spinning", () => spinner() !== "", 60_000);
  assert.equal(Number(spinner()), child);
  assert.ok(
    board(drover.runDir).children.some((c) => c.pid === child && c.quiescing),
    "the child is draining",
  );

  // The idle connection's next request, while the draining child is busy; the spin ends once the
  // request waits, unread, in the child's socket.
  const next = idle.get("/", 60_000).catch((error: Error) => error);
  await waitFor("the request in the busy child's socket", () => {
    const unread = unreadAtServer(drover.port, idle.socket.localPort ?? 0);
    return unread !== undefined && unread > 0;
  });
  writeFileSync(file("until"), "");
  const spinReply = await spun;
  assert.equal(spinReply.headers.connection, "close");
  assert.equal(servedBy(spinReply.body).pid, child);

  const reply = await next;
  assert.ok(!(reply instanceof Error), `the request on the idle connection was lost: ${String(reply)}`);
  assert.equal(reply.status, 200);
  assert.equal(reply.headers.connection, "close");
  assert.equal(servedBy(reply.body).pid, child, "the draining child answered it");
  assert.equal((await reload).status, 0);
});
