// Sessions over a real nats-server that end other than by a plain close: a close answered once the
// drone dies under the session's running call.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
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
    host = await startNatsHost(nats, { minDrones: 1, maxDrones: 1 });
    client = await natsClient(nats, (fn) => cleanups.push(fn));
  });
  after(async () => {
    for (const cleanup of cleanups) await cleanup();
    await host?.stop();
    await nats?.stop();
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
