// A session takes a whole drone, so with droneConcurrency above 1 a drone that runs a call but has room
// is idle for calls and not free for an opening. The hand-off tells them apart: a master whose one drone
// has room but is not free hands a session's opening to a peer (the test plays one on the wire), and
// answers "busy" to an opening handed to it, while it still takes a call.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { deserialize, serialize } from "node:v8";
import {
  connect as connectRaw,
  createInbox,
  headers,
  type Msg,
  type NatsConnection,
} from "@nats-io/transport-node";
import type { Client } from "../../../src/client/index.ts";
import { isAlive } from "../../harness/process.ts";
import { waitFor } from "../../harness/wait.ts";
import { type RunningNats, startNats } from "../../support/nats-server.ts";
import type { RunningServices } from "../../support/services.ts";
import { natsClient, startNatsHost } from "./support.ts";

const PEERS = "_DROVER.peers.drover.math";

describe("a hand-off with drones that take two calls at once", { timeout: 120_000 }, () => {
  let nats: RunningNats;
  let host: RunningServices;
  let raw: NatsConnection;
  let client: Client;
  let hostId = "";
  let release: () => Promise<unknown> = async () => {};
  const closers: (() => Promise<void>)[] = [];
  const inbox = createInbox();
  const replies = new Map<string, Msg>();
  const handOffs: Msg[] = [];
  const reply = async (name: string) => {
    await waitFor(`a reply on ${name}`, () => replies.has(`${inbox}.${name}`));
    return replies.get(`${inbox}.${name}`) as Msg;
  };

  before(async () => {
    nats = await startNats();
    host = await startNatsHost(nats, { minDrones: 1, maxDrones: 1, droneConcurrency: 2 });
    raw = await connectRaw({ servers: nats.url });
    client = await natsClient(nats, (close) => closers.push(close));
    raw.subscribe(`${inbox}.*`, {
      callback: (_error, message) => {
        replies.set(message.subject, message);
      },
    });
    raw.subscribe("_DROVER.handoff.TestPeer.>", {
      callback: (_error, message) => {
        handOffs.push(message);
      },
    });
    raw.subscribe(PEERS, {
      callback: (_error, message) => {
        const said = JSON.parse(message.string()) as { id: string; idle: number };
        if (said.idle > 0) hostId = said.id;
      },
    });
    await raw.flush();
    raw.publish(PEERS, JSON.stringify({ id: "TestPeer", queue: "drover.math", idle: 0 }));
    await waitFor("the master's announcement", () => hostId !== "");
    // One call runs on the only drone: it has room for one more, and runs something.
    const file = join(host.dir.path, "release");
    const held = client.service("math").call("waitFor", { file }, { timeout: "60s" });
    release = () => {
      writeFileSync(file, "");
      return held;
    };
    await waitFor(
      "the held call running",
      async () => (await host.status()).services[0]?.counters.calls === 1,
    );
  });
  after(async () => {
    await release();
    for (const close of closers) await close();
    await raw?.close();
    await host?.stop();
    assert.equal(host && isAlive(host.proc.pid), false);
    await nats?.stop();
  });

  const handOver = (token: string, params: unknown, name: string) => {
    const h = headers();
    h.set("Drover-Reply", `${inbox}.${name}`);
    h.set("Drover-Timeout", "10000");
    raw.publish(`_DROVER.handoff.${hostId}.${token}`, serialize(params), {
      reply: `${inbox}.${name}-word`,
      headers: h,
    });
  };

  it('answers "busy" to an opening handed to it, and "taken" to a call', async () => {
    handOver("$open", undefined, "opening");
    assert.equal((await reply("opening-word")).headers?.get("Drover-Hand-Off"), "busy");
    handOver("add", { a: 2, b: 2 }, "call");
    assert.equal((await reply("call-word")).headers?.get("Drover-Hand-Off"), "taken");
    assert.equal(deserialize((await reply("call")).data), 4);
  });

  it("hands a caller's opening to a peer with a free drone rather than wait for its own", async () => {
    raw.publish(PEERS, JSON.stringify({ id: "TestPeer", queue: "drover.math", idle: 1 }));
    await raw.flush();
    const h = headers();
    h.set("Drover-Timeout", "10000");
    raw.publish("drover.math.$open", new Uint8Array(0), { reply: `${inbox}.caller-opening`, headers: h });
    await waitFor("the opening handed to the test's peer", () => handOffs.length > 0);
    const [handOff] = handOffs;
    assert.match(handOff?.subject ?? "", /\.\$open$/);
    assert.equal(handOff?.headers?.get("Drover-Reply"), `${inbox}.caller-opening`);
    // The test's peer takes it (and would answer the caller); the master holds nothing of it.
    const word = headers();
    word.set("Drover-Hand-Off", "taken");
    handOff?.respond(new Uint8Array(0), { headers: word });
    raw.publish(PEERS, JSON.stringify({ id: "TestPeer", queue: "drover.math", idle: 0, bye: true }));
    await raw.flush();
    const [service] = (await host.status()).services;
    assert.equal(service?.backlog, 0);
    assert.equal(service?.sessionsOpen, 0);
  });
});
