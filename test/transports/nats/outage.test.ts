// One drover master over a real nats-server that goes away and comes back, whose service answers the
// NATS services protocol, and whose reload moves it to another subject.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { connect as connectRaw } from "@nats-io/transport-node";
import { type Client, connect } from "../../../src/client/index.ts";
import { rejection } from "../../dispatch/support.ts";
import { waitFor } from "../../harness/wait.ts";
import { type RunningNats, startNats } from "../../support/nats-server.ts";
import { type RunningServices, startServices } from "../../support/services.ts";
import { natsClient, startNatsHost } from "./support.ts";

describe("NATS outages, discovery and subjects", { timeout: 120_000 }, () => {
  let nats: RunningNats;
  let host: RunningServices;
  let client: Client;
  const cleanups: (() => Promise<void>)[] = [];
  const dronePids = async () =>
    (await host.status()).services.flatMap((s) => s.droneProcesses.map((d) => d.pid)).sort();

  before(async () => {
    nats = await startNats();
    host = await startNatsHost(nats, { minDrones: 2, maxDrones: 2 });
    client = await natsClient(nats, (fn) => cleanups.push(fn));
  });
  after(async () => {
    for (const cleanup of cleanups) await cleanup();
    await host?.stop();
    await nats?.stop();
  });

  it("answers $SRV.PING, INFO and STATS for the service, with its subject, methods and counts", async () => {
    for (let i = 0; i < 3; i++) await client.service("math").call("add", { a: i, b: i });
    const raw = await connectRaw({ servers: nats.url });
    try {
      const ask = async (subject: string) =>
        (await raw.request(subject, "", { timeout: 5_000 })).json<Record<string, unknown>>();
      const ping = await ask("$SRV.PING");
      assert.equal(ping.type, "io.nats.micro.v1.ping_response");
      assert.equal(ping.name, "math");
      const info = await ask("$SRV.INFO.math");
      assert.equal(info.type, "io.nats.micro.v1.info_response");
      const [endpoint] = info.endpoints as {
        subject: string;
        queue_group: string;
        metadata: { methods: string };
      }[];
      assert.equal(endpoint?.subject, "drover.math.>");
      assert.equal(endpoint?.queue_group, "drover.math");
      assert.match(endpoint?.metadata.methods ?? "", /\badd\b/);
      const stats = await ask(`$SRV.STATS.math.${info.id as string}`);
      assert.equal(stats.type, "io.nats.micro.v1.stats_response");
      const [counts] = stats.endpoints as { num_requests: number; num_errors: number }[];
      assert.ok((counts?.num_requests ?? 0) >= 3, "the calls are counted");
    } finally {
      await raw.close();
    }
  });

  /** After NATS came back: calls are served again, by the same drones, under the same master. */
  async function servesAgainWithTheSameDrones(pids: number[]): Promise<void> {
    await waitFor("a call served after NATS came back", async () => {
      try {
        return (await client.service("math").call("add", { a: 2, b: 2 }, { timeout: 1_000 })) === 4;
      } catch {
        return false;
      }
    });
    assert.deepEqual(await dronePids(), pids, "no drone was restarted");
    assert.equal(host.proc.child.exitCode, null, "the master lived through it");
  }

  it("fails calls at once while NATS is down, and serves again once it is back, with the same drones", async () => {
    const pids = await dronePids();
    const masterPid = host.proc.pid;
    await nats.halt();
    const down = await waitFor("a call refused while NATS is down", async () => {
      const error = await rejection(client.service("math").call("add", { a: 1, b: 1 }, { timeout: 500 }));
      return error.code === "DROVER_ERR_NATS_UNAVAILABLE" ? error : undefined;
    });
    assert.match(down.message, /not sent.*down/);
    const natsState = async () => (await host.status()).services[0]?.nats;
    await waitFor(
      "drover status to say the connection is lost",
      async () => (await natsState()) === "disconnected",
    );
    await nats.restart();
    await servesAgainWithTheSameDrones(pids);
    await waitFor("drover status to say it takes calls again", async () => (await natsState()) === "taking");
    assert.equal(host.proc.pid, masterPid);
    assert.match(host.proc.output(), /reached NATS at .* again/);
  });

  it("answers a call whose drone finished it while NATS was down once NATS is back, and serves on after", async () => {
    const pids = await dronePids();
    const counters = async () => (await host.status()).services[0]?.counters;
    const before = await counters();
    const outcome = client
      .service("math")
      .call("sleep", { ms: 1_500, dir: host.marks, tag: "outage" }, { timeout: 20_000 })
      .then(
        (pid) => ({ pid }),
        (error: { code?: string }) => ({ code: error.code }),
      );
    await waitFor("the call to run", () => existsSync(join(host.marks, "started")));
    await nats.halt();
    await waitFor(
      "the drone's answer",
      async () => (await counters())?.completed === (before?.completed ?? 0) + 1,
    );
    assert.equal((await counters())?.failed, before?.failed, "answered, not failed");
    await nats.restart();
    // Its result went to the master, whose NATS connection was down too: the master held the answer
    // (nats.js drops what is published while it reconnects) and sent it once NATS was back.
    const settled = await outcome;
    assert.ok(pids.includes((settled as { pid?: number }).pid ?? -1), JSON.stringify(settled));
    await waitFor("the held answer's line", () =>
      host.proc.output().includes("sent 1 answer held while NATS was down"),
    );
    assert.match(
      host.proc.output(),
      /the drone lost NATS: reconnecting \(its results go back through the master/,
    );
    await servesAgainWithTheSameDrones(pids);
  });

  it("tells a caller whose answer NATS was down for past its budget that the client's connection dropped", async () => {
    const pids = await dronePids();
    const stranded = rejection(
      client.service("math").call("sleep", { ms: 300, dir: host.marks, tag: "stranded" }, { timeout: 1_500 }),
    );
    await waitFor("the call to run", () =>
      readFileSync(join(host.marks, "started"), "utf8").includes("stranded"),
    );
    await nats.halt();
    try {
      const error = await stranded;
      assert.equal(error.code, "DROVER_ERR_DISPATCH_TIMEOUT");
      assert.match(error.message, /this client's connection to NATS dropped while it waited/);
    } finally {
      await nats.restart();
    }
    await servesAgainWithTheSameDrones(pids);
  });

  it("starts and stops a master whose NATS cannot be reached, serving its own socket meanwhile", async () => {
    const lonely = await startServices({
      math: { minDrones: 1, maxDrones: 1, transport: { nats: { servers: "127.0.0.1:1" } } },
      ready: /cannot connect to NATS at .*is nats-server running there\?\); still trying/,
    });
    try {
      const local = await lonely.client();
      assert.equal(await local.service("math").call("add", { a: 1, b: 1 }), 2);
    } finally {
      const exit = await lonely.proc.stop();
      await lonely.stop();
      assert.deepEqual(
        exit,
        { code: 0, signal: null },
        "the master exited by itself, not held by a connection still tried",
      );
    }
  });

  it("moves to a new subject on a reload: the new one serves, the old one has no responders", async () => {
    host.writeConfig({
      minDrones: 2,
      maxDrones: 2,
      transport: { nats: { servers: nats.url, subject: "acme.math" } },
    });
    const reloaded = await host.cli("reload");
    assert.equal(reloaded.status, 0, reloaded.stderr);
    const moved = await connect({
      nats: { servers: nats.url, services: { math: { subject: "acme.math" } } },
    });
    cleanups.push(() => moved.close());
    await waitFor("the new subject to serve", async () => {
      try {
        return (await moved.service("math").call("add", { a: 3, b: 3 })) === 6;
      } catch {
        return false;
      }
    });
    const old = await waitFor("the old subject to be given up", async () => {
      const error = await rejection(client.service("math").call("add", { a: 1, b: 1 }));
      return error.code === "DROVER_ERR_NO_RESPONDERS" ? error : undefined;
    });
    assert.equal(old.code, "DROVER_ERR_NO_RESPONDERS");
  });
});
