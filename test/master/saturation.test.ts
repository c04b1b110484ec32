// A child takes connections only while it has a worker slot to give. A slot held by a request in
// flight is taken; one held by a connection that is not running a request (still sending its
// headers, or idle between requests) is not kept from a new connection: when every slot is taken, the
// one that waited longest is closed to make room (chaos D2: 256 slow connections made every new
// request wait 110 s).
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { waitFor } from "../harness/wait.ts";
import { httpGet } from "../support/drover.ts";
import { holdWorkers } from "../support/load.ts";
import { servedBy, serving, startFixture } from "../support/pool.ts";

it("a child whose every slot runs a request takes no new connection until one frees", {
  timeout: 60_000,
}, async (t) => {
  const drover = await startFixture({
    startServers: 2,
    workersPerChild: 2,
    minSpareWorkers: 1,
    maxSpareWorkers: 4,
    serverLimit: 2,
  });
  t.after(() => drover.stop());
  // Three requests in flight over two children of two slots: one child has both its slots running one.
  const held = await holdWorkers(drover.port, 3, drover.dir.path);
  t.after(() => held.close());
  const full = await waitFor("a child with both slots busy", async () => {
    const child = serving(await drover.status()).find((c) => c.busyWorkers === 2);
    return child?.pid;
  });
  for (let i = 0; i < 20; i++) {
    const { body } = await httpGet(drover.port, "/");
    assert.notEqual(servedBy(body).pid, full, `probe ${i} reached the child with no slot to give`);
  }
  // Its requests finish: it accepts again.
  await held.release();
  let reached = false;
  for (let i = 0; i < 60 && !reached; i++)
    reached = servedBy((await httpGet(drover.port, "/")).body).pid === full;
  assert.ok(reached, "the child never accepted again after its slots freed");
});

/** A connection that never sends, or sends a header byte every 200 ms; it opens again when closed. */
function attacker(port: number, slow: boolean, running: () => boolean, cuts: { count: number }): void {
  const open = () => {
    if (!running()) return;
    const socket: Socket = connect({ port, host: "127.0.0.1" });
    let timer: NodeJS.Timeout | undefined;
    socket.on("connect", () => {
      if (!slow) return;
      socket.write("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ");
      timer = setInterval(() => socket.write("a"), 200);
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      clearInterval(timer);
      cuts.count++;
      setTimeout(open, 5);
    });
    sockets.add(socket);
  };
  open();
}
const sockets = new Set<Socket>();

it("slow and idle connections four times the worker slots do not keep other clients out", {
  timeout: 120_000,
}, async (t) => {
  // 16 worker slots in all: two children of eight, and no more children.
  const drover = await startFixture({
    startServers: 2,
    workersPerChild: 8,
    serverLimit: 2,
    maxRequestWorkers: 16,
    minSpareWorkers: 1,
  });
  let running = true;
  t.after(async () => {
    running = false;
    for (const socket of sockets) socket.destroy();
    await drover.stop();
  });
  const cuts = { count: 0 };
  for (let i = 0; i < 64; i++) attacker(drover.port, i % 2 === 0, () => running, cuts);
  await waitFor("the attack to fill every slot", async () => {
    const status = await drover.status();
    return serving(status).every((child) => child.busyWorkers === 8);
  });

  // Other clients, one fresh connection each, 1 s to be answered.
  const latencies: number[] = [];
  for (let i = 0; i < 100; i++) {
    const started = Date.now();
    const answered = await Promise.race([
      httpGet(drover.port, "/").then(
        (reply) => reply.status === 200,
        () => false,
      ),
      delay(1_000, false),
    ]);
    latencies.push(answered ? Date.now() - started : Number.POSITIVE_INFINITY);
  }
  const late = latencies.filter((ms) => ms > 1_000).length;
  t.diagnostic(
    `answered within 1 s: ${100 - late} of 100; slowest ${Math.max(...latencies.filter(Number.isFinite))} ms`,
  );
  assert.ok(late <= 1, `${late} of 100 requests were not answered within 1 s`);
  const evicted = (await drover.status()).children.reduce((sum, child) => sum + child.evictedConnections, 0);
  assert.ok(evicted >= 100, `the children made room by closing waiting connections (${evicted})`);
  assert.ok(cuts.count >= 100, "the attackers' connections were the ones closed");
});
