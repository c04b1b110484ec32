// The hand-off as another host sees it on the wire, with the test playing that host: it announces
// itself on the peers' subject, learns the master's id, and hands it calls. What two real hosts can
// race into but not be made to show: a cancel that overtakes its call on the way is kept, and the call
// is never run; a master whose drones got busy answers "busy" and leaves the call to the sender; a
// malformed hand-off is refused.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { deserialize, serialize } from "node:v8";
import { headers } from "@nats-io/transport-node";
import type { Client } from "../../../src/client/index.ts";
import { waitFor } from "../../harness/wait.ts";
import type { RunningServices } from "../../support/services.ts";
import { WirePeer } from "./wire-peer.ts";
import { startWireScene, type WireScene } from "./wire-scene.ts";

describe("a hand-off from a peer the test plays", { timeout: 120_000 }, () => {
  let scene: WireScene | undefined;
  let host: RunningServices;
  let peer: WirePeer;
  let client: Client;

  before(async () => {
    // A backlog of 2: a call that comes back into a full backlog keeps its place.
    scene = await startWireScene({ minDrones: 1, maxDrones: 1, maxBacklog: 2 });
    ({ host, peer, client } = scene);
  });
  after(async () => {
    await scene?.close();
  });

  const calls = async () => (await host.status()).services[0]?.counters.calls ?? 0;
  const backlog = async () => (await host.status()).services[0]?.backlog ?? 0;
  /** The master's only drone held by a call until the returned release. */
  const holdDrone = async (name: string) => {
    const file = join(host.dir.path, name);
    const held = client.service("math").call("waitFor", { file }, { timeout: "30s" });
    await waitFor("its drone busy", async () => (await host.status()).services[0]?.idleDrones === 0);
    return async () => {
      writeFileSync(file, "");
      await held;
    };
  };
  it("runs a call handed over and answers its caller, telling the peer it took it", async () => {
    peer.handOver("add", { a: 2, b: 3 }, "sum", "sum-word");
    assert.equal((await peer.oneReply("sum-word")).headers?.get("Drover-Hand-Off"), "taken");
    assert.equal(deserialize((await peer.oneReply("sum")).data), 5);
  });

  it("never runs a call whose cancel overtook it on the way, and tells its caller it was cancelled", async () => {
    const before = await calls();
    await peer.cancel("overtaken");
    peer.handOver("add", { a: 1, b: 1 }, "overtaken", "overtaken-word");
    assert.equal((await peer.oneReply("overtaken-word")).headers?.get("Drover-Hand-Off"), "taken");
    const answer = await peer.oneReply("overtaken");
    assert.equal(answer.headers?.get("Drover-Error"), "DROVER_ERR_DISPATCH_CANCELLED");
    // A probe handed over after it runs: had the cancelled one reached the dispatcher, it would count.
    peer.handOver("add", { a: 1, b: 2 }, "after-overtaken", "after-overtaken-word");
    assert.equal(deserialize((await peer.oneReply("after-overtaken")).data), 3);
    assert.equal(await calls(), before + 1, "only the probe reached the dispatcher");
    assert.equal(peer.repliesTo("overtaken").length, 1, "its caller heard once");
  });

  it('answers "busy" for a call handed over once its drone got busy, and leaves it to the peer', async () => {
    const file = join(host.dir.path, "release-busy");
    const held = client.service("math").call("waitFor", { file }, { timeout: "30s" });
    try {
      await waitFor("its drone busy", async () => (await host.status()).services[0]?.idleDrones === 0);
      const before = await calls();
      peer.handOver("add", { a: 1, b: 1 }, "declined", "declined-word");
      assert.equal((await peer.oneReply("declined-word")).headers?.get("Drover-Hand-Off"), "busy");
      assert.equal(await calls(), before, "the master did not take it");
    } finally {
      writeFileSync(file, "");
    }
    await held;
    // The drone answers its caller before it tells the master it is free.
    await waitFor("its drone idle", async () => (await host.status()).services[0]?.idleDrones === 1);
    // Its drone free again, the master would have run it by now had it kept it.
    peer.handOver("add", { a: 2, b: 2 }, "after-declined", "after-declined-word");
    assert.equal(deserialize((await peer.oneReply("after-declined")).data), 4);
    assert.equal(
      peer.repliesTo("declined").length,
      0,
      "the declined call's caller heard nothing from this master",
    );
  });

  it("never hands on a call that killed a drone, however often a peer says it is idle: its second death here makes it poison", async () => {
    // From before the call runs until it settles, a peer has room; the call waits here only for the
    // drone started in place of the one it killed.
    let settled = false;
    const saying = (async () => {
      while (!settled) {
        await peer.say(1);
        await delay(20);
      }
      await peer.say(0);
    })();
    const dir = host.dir.path;
    const error = await client
      .service("math")
      .call("poison", { dir }, { timeout: "10s" })
      .then(
        () => undefined,
        (failure: unknown) => failure as { code?: string },
      )
      .finally(() => {
        settled = true;
      });
    await saying;
    assert.equal(error?.code, "DROVER_ERR_POISON_MESSAGE");
    assert.equal(
      readFileSync(join(dir, "died"), "utf8").trim().split("\n").length,
      2,
      "it killed both drones here",
    );
    assert.equal(peer.handOffsWaiting, 0, "the call was never handed to the peer");
  });

  it("refuses a hand-off that names no caller, and runs nothing", async () => {
    const before = await calls();
    peer.handOver("add", { a: 1, b: 1 }, undefined, "nameless-word");
    const refusal = await peer.oneReply("nameless-word");
    assert.equal(refusal.headers?.get("Drover-Error"), "DROVER_ERR_DISPATCH_BAD_MESSAGE");
    assert.match(refusal.headers?.get("Nats-Service-Error") ?? "", /Drover-Reply/);
    assert.equal(await calls(), before);
  });

  it("opens a session handed over, and answers its caller with the session, which then takes calls here", async () => {
    peer.handOver("$open", undefined, "opened", "opened-word");
    assert.equal((await peer.oneReply("opened-word")).headers?.get("Drover-Hand-Off"), "taken");
    const session = (await peer.oneReply("opened")).headers?.get("Drover-Session");
    assert.ok(session, "the caller heard of its session");
    const h = headers();
    h.set("Drover-Timeout", "10000");
    const inSession = await peer.raw.request(`_DROVER.session.${session}.add`, serialize({ a: 4, b: 5 }), {
      timeout: 10_000,
      headers: h,
    });
    assert.equal(inSession.headers?.get("Drover-Error"), undefined);
    assert.equal(deserialize(inSession.data), 9, "the session takes calls on this master");
    await peer.raw.request(`_DROVER.session.${session}.$close`, new Uint8Array(0), { timeout: 10_000 });
  });

  it("takes back an opening a peer declined, and opens the session once its drone is free", async () => {
    const release = await holdDrone("release-open");
    await peer.say(1);
    try {
      peer.callService("$open", undefined, "back-open");
      const handOff = await peer.handedOff();
      assert.match(handOff.subject, /^_DROVER\.handoff\.[A-Za-z0-9]+\.\$open$/);
      WirePeer.answer(handOff, "busy");
      await waitFor("the opening back in the backlog", async () => (await backlog()) === 1);
    } finally {
      await release();
      await peer.say(0, true);
    }
    const session = (await peer.oneReply("back-open")).headers?.get("Drover-Session");
    assert.ok(session, "the caller heard of its session");
    await peer.raw.request(`_DROVER.session.${session}.$close`, new Uint8Array(0), { timeout: 10_000 });
  });

  it("answers an opening cancelled while a peer had it as cancelled once it comes back", async () => {
    const release = await holdDrone("release-cancelled-open");
    await peer.say(1);
    try {
      peer.callService("$open", undefined, "cancelled-open");
      const handOff = await peer.handedOff();
      await peer.cancel("cancelled-open");
      WirePeer.answer(handOff, "busy");
      const answer = await peer.oneReply("cancelled-open");
      assert.equal(answer.headers?.get("Drover-Error"), "DROVER_ERR_DISPATCH_CANCELLED");
    } finally {
      await release();
      await peer.say(0, true);
    }
    assert.equal(peer.repliesTo("cancelled-open").length, 1);
    assert.equal((await host.status()).services[0]?.sessionsOpen, 0, "no session was opened for it");
  });

  it("keeps a call's deadline however often peers send it back, and answers its caller with the timeout then", async () => {
    const release = await holdDrone("release-bounced");
    let bounces = 0;
    try {
      await peer.say(1);
      peer.callService("add", { a: 1, b: 2 }, "bounced", 800);
      // Each time the master hands it over, the peer got busy meanwhile, and then says it has room again.
      await waitFor("the caller's answer", async () => {
        while (peer.handOffsWaiting > 0) {
          WirePeer.answer(await peer.handedOff(), "busy");
          bounces++;
          await peer.say(1);
        }
        return peer.repliesTo("bounced").length > 0;
      });
    } finally {
      await peer.say(0, true);
      await release();
    }
    assert.ok(bounces > 0, "the peer had it at least once");
    const answer = await peer.oneReply("bounced");
    assert.equal(answer.headers?.get("Drover-Error"), "DROVER_ERR_DISPATCH_TIMEOUT");
  });

  it("puts a call a peer declined back at its first place, though the backlog filled meanwhile", async () => {
    const release = await holdDrone("release-full");
    await peer.say(1);
    try {
      peer.callService("add", { a: 1, b: 0 }, "first");
      const handOff = await peer.handedOff();
      // No idle peer left: these two wait here, and fill the backlog (maxBacklog 2).
      peer.callService("add", { a: 2, b: 0 }, "second");
      peer.callService("add", { a: 3, b: 0 }, "third");
      await waitFor("the backlog full", async () => (await backlog()) === 2);
      WirePeer.answer(handOff, "busy");
      await waitFor("the first call back in the backlog", async () => (await backlog()) === 3);
    } finally {
      await release();
      await peer.say(0, true);
    }
    const results = await Promise.all(["first", "second", "third"].map((name) => peer.oneReply(name)));
    assert.deepEqual(
      results.map((reply) => deserialize(reply.data)),
      [1, 2, 3],
    );
    const order = peer.answered.filter((name) => ["first", "second", "third"].includes(name));
    assert.deepEqual(order, ["first", "second", "third"], "the first call ran first");
  });
});
