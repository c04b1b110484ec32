// A draining child (here, the old generation of a reload) answers a request that arrives on an idle
// keep-alive connection, well within the keep-alive timeout the server announced, with `Connection:
// close`, even when the child is busy at that moment (review T6: the busy spin is proven to have begun
// before the idle connection's request is sent).
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { waitFor } from "../harness/wait.ts";
import { RawConnection } from "../support/load.ts";
import { pids, servedBy, serving, startFixture } from "../support/pool.ts";

it("answers a request that arrives on an idle keep-alive connection while the draining child is busy", {
  timeout: 60_000,
}, async (t) => {
  const drover = await startFixture({ startServers: 1, workersPerChild: 4, minSpareWorkers: 1 });
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
  assert.match(first.headers["keep-alive"] ?? "", /timeout=5/, "the server announces 5 s");
  assert.equal(servedBy(first.body).pid, child);
  assert.equal(servedBy((await busy.get("/")).body).pid, child);

  // A reload: the child drains once the new generation is ready.
  const reload = drover.cli("reload");
  await waitFor("the old child to drain", async () =>
    (await drover.status()).children.some((c) => c.pid === child && c.quiescing),
  );

  // The busy connection's request holds the child's loop; only once it has begun does the idle
  // connection's client send its next request, seconds within the announced keep-alive timeout.
  const mark = join(drover.dir.path, "spinning");
  const spun = busy.get(`/spin?ms=800&mark=${encodeURIComponent(mark)}`);
  await waitFor("the spin to begin", () => existsSync(mark));
  assert.equal(Number(readFileSync(mark, "utf8")), child);
  const next = idle.get("/").catch((error: Error) => error);
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
