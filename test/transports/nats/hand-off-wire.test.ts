// The hand-off as another host sees it on the wire, with the test playing that host: it announces
// itself on the peers' subject, learns the master's id, and hands it calls. What two real hosts can
// race into but not be made to show: a cancel that overtakes its call on the way is kept, and the call
// is never run; a master whose drones got busy answers "busy" and leaves the call to the sender; a
// malformed hand-off is refused.
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

describe("a hand-off from a peer the test plays", { timeout: 120_000 }, () => {
  let nats: RunningNats;
  let host: RunningServices;
  let raw: NatsConnection;
  let client: Client;
  let hostId = "";
  const closers: (() => Promise<void>)[] = [];
  const inbox = createInbox();
  const replies = new Map<string, Msg[]>();
  const repliesTo = (name: string) => replies.get(`${inbox}.${name}`) ?? [];
  const oneReply = async (name: string) => {
    await waitFor(`a reply on ${name}`, () => repliesTo(name).length > 0);
    return repliesTo(name)[0] as Msg;
  };

  before(async () => {
    nats = await startNats();
    host = await startNatsHost(nats, { minDrones: 1, maxDrones: 1 });
    raw = await connectRaw({ servers: nats.url });
    client = await natsClient(nats, (close) => closers.push(close));
    raw.subscribe(`${inbox}.*`, {
      callback: (_error, message) => {
        replies.set(message.subject, [...(replies.get(message.subject) ?? []), message]);
      },
    });
    // A master answers a peer it did not know with its own announcement: its id and idle drones.
    raw.subscribe(PEERS, {
      callback: (_error, message) => {
        const said = JSON.parse(message.string()) as { id: string; idle: number };
        if (said.idle > 0) hostId = said.id;
      },
    });
    await raw.flush();
    const announcement = { id: "TestPeer", queue: "drover.math", idle: 0 };
    raw.publish(PEERS, JSON.stringify(announcement));
    await waitFor("the master's announcement", () => hostId !== "");
  });
  after(async () => {
    for (const close of closers) await close();
    await raw?.close();
    await host?.stop();
    assert.equal(host && isAlive(host.proc.pid), false);
    await nats?.stop();
  });

  /** Hands `method` to the master as a peer would: the caller's inbox `caller`, the peer's word on `word`. */
  const handOver = (method: string, params: unknown, caller: string | undefined, word: string) => {
    const h = headers();
    if (caller !== undefined) h.set("Drover-Reply", `${inbox}.${caller}`);
    h.set("Drover-Timeout", "10000");
    raw.publish(`_DROVER.handoff.${hostId}.${method}`, serialize(params), {
      reply: `${inbox}.${word}`,
      headers: h,
    });
  };
  const calls = async () => (await host.status()).services[0]?.counters.calls ?? 0;

  it("runs a call handed over and answers its caller, telling the peer it took it", async () => {
    handOver("add", { a: 2, b: 3 }, "sum", "sum-word");
    assert.equal((await oneReply("sum-word")).headers?.get("Drover-Hand-Off"), "taken");
    assert.equal(deserialize((await oneReply("sum")).data), 5);
  });

  it("never runs a call whose cancel overtook it on the way, and tells its caller it was cancelled", async () => {
    const before = await calls();
    const h = headers();
    h.set("Drover-Call", `${inbox}.overtaken`);
    raw.publish("_DROVER.cancel", new Uint8Array(0), { headers: h });
    await raw.flush();
    handOver("add", { a: 1, b: 1 }, "overtaken", "overtaken-word");
    assert.equal((await oneReply("overtaken-word")).headers?.get("Drover-Hand-Off"), "taken");
    const answer = await oneReply("overtaken");
    assert.equal(answer.headers?.get("Drover-Error"), "DROVER_ERR_DISPATCH_CANCELLED");
    // A probe handed over after it runs: had the cancelled one reached the dispatcher, it would count.
    handOver("add", { a: 1, b: 2 }, "after-overtaken", "after-overtaken-word");
    assert.equal(deserialize((await oneReply("after-overtaken")).data), 3);
    assert.equal(await calls(), before + 1, "only the probe reached the dispatcher");
    assert.equal(repliesTo("overtaken").length, 1, "its caller heard once");
  });

  it('answers "busy" for a call handed over once its drone got busy, and leaves it to the peer', async () => {
    const file = join(host.dir.path, "release-busy");
    const held = client.service("math").call("waitFor", { file }, { timeout: "30s" });
    try {
      await waitFor("its drone busy", async () => (await host.status()).services[0]?.idleDrones === 0);
      const before = await calls();
      handOver("add", { a: 1, b: 1 }, "declined", "declined-word");
      assert.equal((await oneReply("declined-word")).headers?.get("Drover-Hand-Off"), "busy");
      assert.equal(await calls(), before, "the master did not take it");
    } finally {
      writeFileSync(file, "");
    }
    await held;
    // Its drone free again, the master would have run it by now had it kept it.
    handOver("add", { a: 2, b: 2 }, "after-declined", "after-declined-word");
    assert.equal(deserialize((await oneReply("after-declined")).data), 4);
    assert.equal(
      repliesTo("declined").length,
      0,
      "the declined call's caller heard nothing from this master",
    );
  });

  it("refuses a hand-off that names no caller, and runs nothing", async () => {
    const before = await calls();
    handOver("add", { a: 1, b: 1 }, undefined, "nameless-word");
    const refusal = await oneReply("nameless-word");
    assert.equal(refusal.headers?.get("Drover-Error"), "DROVER_ERR_DISPATCH_BAD_MESSAGE");
    assert.match(refusal.headers?.get("Nats-Service-Error") ?? "", /Drover-Reply/);
    assert.equal(await calls(), before);
  });

  it("opens a session handed over, and answers its caller with the session, which then takes calls here", async () => {
    handOver("$open", undefined, "opened", "opened-word");
    assert.equal((await oneReply("opened-word")).headers?.get("Drover-Hand-Off"), "taken");
    const session = (await oneReply("opened")).headers?.get("Drover-Session");
    assert.ok(session, "the caller heard of its session");
    const h = headers();
    h.set("Drover-Timeout", "10000");
    const inSession = await raw.request(`_DROVER.session.${session}.add`, serialize({ a: 4, b: 5 }), {
      timeout: 10_000,
      headers: h,
    });
    assert.equal(inSession.headers?.get("Drover-Error"), undefined);
    assert.equal(deserialize(inSession.data), 9, "the session takes calls on this master");
    await raw.request(`_DROVER.session.${session}.$close`, new Uint8Array(0), { timeout: 10_000 });
  });
});
