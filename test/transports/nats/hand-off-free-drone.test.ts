// A session takes a whole drone, so with droneConcurrency above 1 a drone that runs a call but has room
// is idle for calls and not free for an opening. The hand-off tells them apart: a master whose one drone
// has room but is not free hands a session's opening to a peer (the test plays one on the wire), and
// answers "busy" to an opening handed to it, while it still takes a call.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { deserialize } from "node:v8";
import type { Client } from "../../../src/client/index.ts";
import { waitFor } from "../../harness/wait.ts";
import type { RunningServices } from "../../support/services.ts";
import { WirePeer } from "./wire-peer.ts";
import { startWireScene, type WireScene } from "./wire-scene.ts";

describe("a hand-off with drones that take two calls at once", { timeout: 120_000 }, () => {
  let scene: WireScene | undefined;
  let host: RunningServices;
  let peer: WirePeer;
  let client: Client;
  let release: () => Promise<unknown> = async () => {};

  before(async () => {
    scene = await startWireScene({ minDrones: 1, maxDrones: 1, droneConcurrency: 2 });
    ({ host, peer, client } = scene);
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
    await scene?.close();
  });

  it('answers "busy" to an opening handed to it, and "taken" to a call', async () => {
    peer.handOver("$open", undefined, "opening", "opening-word");
    assert.equal((await peer.oneReply("opening-word")).headers?.get("Drover-Hand-Off"), "busy");
    peer.handOver("add", { a: 2, b: 2 }, "call", "call-word");
    assert.equal((await peer.oneReply("call-word")).headers?.get("Drover-Hand-Off"), "taken");
    assert.equal(deserialize((await peer.oneReply("call")).data), 4);
  });

  it("hands a caller's opening to a peer with a free drone rather than wait for its own", async () => {
    await peer.say(1);
    peer.callService("$open", undefined, "caller-opening");
    const handOff = await peer.handedOff();
    assert.match(handOff.subject, /\.\$open$/);
    assert.equal(handOff.headers?.get("Drover-Reply"), `${peer.inbox}.caller-opening`);
    // The test's peer takes it (and would answer the caller); the master holds nothing of it.
    WirePeer.answer(handOff, "taken");
    await peer.say(0, true);
    const [service] = (await host.status()).services;
    assert.equal(service?.backlog, 0);
    assert.equal(service?.sessionsOpen, 0);
  });
});
