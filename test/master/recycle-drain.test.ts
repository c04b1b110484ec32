// A retiring child drains: a keep-alive client that comes back on its idle connection, well within the
// keep-alive timeout the server announced, gets its reply (with `Connection: close`), even when the
// child happens to be busy at that moment.
import assert from "node:assert/strict";
import { it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { RawConnection } from "../support/load.ts";
import { servedBy, startFixture } from "../support/pool.ts";

it("answers a request that arrives on an idle keep-alive connection while the draining child is busy", {
  timeout: 60_000,
}, async (t) => {
  // One child; its second connection makes it retire.
  const drover = await startFixture({
    startServers: 1,
    workersPerChild: 4,
    minSpareWorkers: 1,
    maxConnectionsPerChild: 2,
    recycleJitter: 0,
  });
  t.after(() => drover.stop());

  const idle = await RawConnection.open(drover.port);
  t.after(() => idle.close());
  const first = await idle.get("/");
  assert.match(first.headers["keep-alive"] ?? "", /timeout=5/, "the server announces 5 s");
  const child = servedBy(first.body).pid;
  await delay(1_200);

  // The second connection starts the drain; its request keeps the child busy for a moment, during
  // which the idle connection's client sends its next request, 1.5 s after its last reply.
  const busy = await RawConnection.open(drover.port);
  t.after(() => busy.close());
  const spun = busy.get("/spin?ms=800");
  await delay(300);
  const next = idle.get("/").catch((error: Error) => error);
  const spinReply = await spun;
  assert.equal(spinReply.headers.connection, "close");
  assert.equal(servedBy(spinReply.body).pid, child);

  const reply = await next;
  assert.ok(!(reply instanceof Error), `the request on the idle connection was lost: ${String(reply)}`);
  assert.equal(reply.status, 200);
  assert.equal(reply.headers.connection, "close");
  assert.equal(servedBy(reply.body).pid, child);
});
