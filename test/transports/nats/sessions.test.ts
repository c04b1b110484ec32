// Sessions over a real nats-server that end other than by a plain close: a close answered once the
// drone dies under the session's running call, and an opening its caller gave up on, which frees its
// drone at once instead of holding it (K) until sessionIdleTimeout.
import assert from "node:assert/strict";
import { existsSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Client } from "../../../src/client/index.ts";
import { type CallError, rejection } from "../../dispatch/support.ts";
import { waitFor } from "../../harness/wait.ts";
import { type RunningNats, startNats } from "../../support/nats-server.ts";
import type { RunningServices } from "../../support/services.ts";
import { natsClient, startNatsHost } from "./support.ts";

describe("sessions over NATS", { timeout: 120_000 }, () => {
  let nats: RunningNats;
  let host: RunningServices;
  let client: Client;
  const cleanups: (() => Promise<void>)[] = [];
  const marks = (name: string) => {
    const file = join(host.marks, name);
    return existsSync(file) ? readFileSync(file, "utf8").trim().split("\n") : [];
  };
  const sessionsOpen = async () => (await host.status()).services[0]?.sessionsOpen;

  before(async () => {
    nats = await startNats();
    // One drone, which a session left open would hold for all of sessionIdleTimeout.
    host = await startNatsHost(nats, { minDrones: 1, maxDrones: 1, sessionIdleTimeout: "5m" });
    client = await natsClient(nats, (fn) => cleanups.push(fn));
  });
  after(async () => {
    for (const cleanup of cleanups) await cleanup();
    await host?.stop();
    await nats?.stop();
  });

  it("an opening that passed its deadline before onConnect ended frees its drone at once", async () => {
    const math = client.service("math");
    const hold = join(host.marks, "hold-connect");
    writeFileSync(hold, "");
    try {
      const late = await rejection(math.session({ timeout: "1s" }));
      assert.equal(late.code, "DROVER_ERR_DISPATCH_TIMEOUT");
      const id = await waitFor("onConnect to be held", () => marks("holding").at(-1));
      // Let go within the 2 s a drone may run past a deadline before it counts as hung.
      unlinkSync(hold);
      await waitFor("onDisconnect for the unwanted session", () =>
        marks("sessions").includes(`disconnect ${id} gone`),
      );
    } finally {
      if (existsSync(hold)) unlinkSync(hold);
    }
    assert.equal(await math.call("add", { a: 1, b: 1 }, { timeout: "10s" }), 2, "the drone is free");
    assert.equal(await sessionsOpen(), 0);
  });

  it("a close waiting for the session's running call is answered once its drone dies under that call", async () => {
    const math = client.service("math");
    // The close used to be answered only at this budget's end (DROVER_ERR_DISPATCH_TIMEOUT, from the client).
    const session = await math.session({ timeout: "20s" });
    const pinned = await session.call("pid", undefined);
    const running = rejection(session.call("sleep", { ms: 60_000, dir: host.marks, tag: "held" }));
    await waitFor("the session's call to run", () => marks("started").includes("held"));
    const closing = session.close().then(
      () => "closed",
      (error: CallError) => error.code,
    );
    await waitFor("the master to take the close", async () => (await sessionsOpen()) === 0);
    process.kill(pinned as number, "SIGKILL");
    assert.equal((await running).code, "DROVER_ERR_DRONE_EXITED");
    assert.equal(await closing, "closed", "the session is over: its close succeeds");
    assert.notEqual(await math.call("pid", undefined, { timeout: "10s" }), pinned, "its replacement serves");
  });
});
