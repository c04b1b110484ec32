// A reload with no free scoreboard slot: old children drain and hand their slots over to the new
// generation. A child busy in a long synchronous request answers late: it is waited for (its
// heartbeatTimeout), not killed with the request (review M3); and an answer that comes after the
// reload failed forks nothing for the failed generation (review H2).
import assert from "node:assert/strict";
import { it } from "node:test";
import { waitForPidsGone } from "../harness/process.ts";
import { waitFor } from "../harness/wait.ts";
import { RawConnection } from "../support/load.ts";
import { servedBy, startControlled } from "../support/pool.ts";

/** A keep-alive connection served by the child `pid` (tries fresh ones until the kernel picks it). */
async function connectionTo(port: number, pid: number): Promise<RawConnection> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const connection = await RawConnection.open(port);
    if (servedBy((await connection.get("/")).body).pid === pid) return connection;
    connection.close();
  }
  throw new Error(`no connection reached pid ${pid}`);
}

it("a reload waits for a child busy in a 4 s synchronous request to hand its only slot over", {
  timeout: 90_000,
}, async (t) => {
  const controlled = await startControlled({ startServers: 1, workersPerChild: 2, serverLimit: 1 });
  t.after(() => controlled.stop());
  const { drover } = controlled;
  const [old] = (await drover.status()).children;
  assert.ok(old);
  const connection = await connectionTo(drover.port, old.pid);
  try {
    connection.send("/spin?ms=4000");
    const reload = await drover.cli("reload");
    assert.equal(reload.status, 0, reload.stderr);
    const reply = await connection.reply(20_000);
    assert.equal(reply.status, 200);
    assert.equal(servedBy(reply.body).pid, old.pid, "the old child finished its request");
  } finally {
    connection.close();
  }
  const status = await drover.status();
  assert.deepEqual(
    status.children.map((c) => [c.slot, c.generation]),
    [[0, 1]],
  );
  assert.equal(status.counters.childrenFailed, 0, "nobody was killed");
});

it("a child that gave its only slot up drains on past heartbeatTimeout: its long request is answered", {
  timeout: 90_000,
}, async (t) => {
  const controlled = await startControlled({
    startServers: 1,
    workersPerChild: 2,
    serverLimit: 1,
    heartbeatTimeout: "3s",
    drainTimeout: "30s",
  });
  t.after(() => controlled.stop());
  const { drover } = controlled;
  const [old] = (await drover.status()).children;
  assert.ok(old);
  const connection = await connectionTo(drover.port, old.pid);
  try {
    // Not busy: it answers the detach at once, then finishes the request 7 s later, slotless.
    connection.send("/slow?ms=7000");
    const reload = await drover.cli("reload");
    assert.equal(reload.status, 0, reload.stderr);
    const reply = await connection.reply(20_000);
    assert.equal(reply.status, 200);
    assert.equal(servedBy(reply.body).pid, old.pid);
  } finally {
    connection.close();
  }
  await waitForPidsGone([old.pid], 10_000);
  assert.equal((await drover.status()).counters.childrenFailed, 0, "nobody was killed");
  assert.doesNotMatch(drover.proc.output(), /did not give its scoreboard slot up/);
});

it("a slot handed over after the reload failed goes back to the serving generation", {
  timeout: 90_000,
}, async (t) => {
  const controlled = await startControlled({
    startServers: 2,
    workersPerChild: 2,
    minSpareWorkers: 1,
    serverLimit: 2,
  });
  t.after(() => controlled.stop());
  const { drover } = controlled;
  const before = await drover.status();
  const busy = before.children.find((c) => c.slot === 1);
  assert.ok(busy);
  const connection = await connectionTo(drover.port, busy.pid);
  try {
    // Slot 1's child hands over only when its 6 s request is done; the new child in slot 0 fails at once.
    controlled.set("fail-init", true, "0 0");
    connection.send("/spin?ms=6000");
    const reload = await drover.cli("reload");
    assert.equal(reload.status, 1, reload.stderr);
    assert.match(reload.stderr, /graceful restart failed; generation 0 keeps serving/);
    controlled.set("fail-init", false);
    assert.equal((await connection.reply(20_000)).status, 200, "the busy child finished its request");
  } finally {
    connection.close();
  }
  await waitForPidsGone([busy.pid], 30_000);
  const whole = await waitFor("generation 0 in both slots again", async () => {
    const status = await drover.status();
    const ready = status.children.filter((c) => c.state === "ready");
    return ready.length === 2 && ready.every((c) => c.generation === 0) && status;
  });
  assert.ok(
    whole.children.every((c) => c.generation === 0),
    "no child of the failed generation 1 took the late slot",
  );
  assert.equal((await drover.request("/")).status, 200);
});
