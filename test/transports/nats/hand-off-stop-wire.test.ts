// A host stopping gracefully hands what waits in its backlog to a peer that says it has room; the test
// plays that peer, which got busy meanwhile and answers "busy". The call comes back to the stopping
// host, which had it before it stopped: it is not refused as a new call would be, the answer is heard
// though it was the last call handed on, and the host's drone, done with its own calls by then, has
// stayed to run it.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, it } from "node:test";
import { deserialize } from "node:v8";
import type { Client } from "../../../src/client/index.ts";
import { waitFor } from "../../harness/wait.ts";
import type { RunningServices } from "../../support/services.ts";
import { WirePeer } from "./wire-peer.ts";
import { startWireScene, type WireScene } from "./wire-scene.ts";

let scene: WireScene | undefined;
let host: RunningServices;
let peer: WirePeer;
let client: Client;

before(async () => {
  scene = await startWireScene({ minDrones: 1, maxDrones: 1 });
  ({ host, peer, client } = scene);
});
after(async () => {
  await scene?.close();
});

it("runs a waiting call a busy peer sent back during a graceful stop, on its own draining drone", {
  timeout: 90_000,
}, async () => {
  const release = join(host.dir.path, "release");
  const held = client.service("math").call("waitFor", { file: release }, { timeout: "60s" });
  try {
    await waitFor("its drone busy", async () => (await host.status()).services[0]?.idleDrones === 0);
    peer.callService("add", { a: 1, b: 2 }, "waiting", 30_000);
    await waitFor("the call waiting", async () => (await host.status()).services[0]?.backlog === 1);
    const stopped = host.proc.stop(30_000);
    await waitFor("the graceful stop under way", () => /graceful stop/.test(host.proc.output()));
    await peer.say(1);
    const handOff = await peer.handedOff();
    // The host's drone is done with all it had before the peer's word comes: it stays for the call.
    writeFileSync(release, "");
    await held;
    await waitFor("the drone idle", async () => (await host.status()).services[0]?.idleDrones === 1);
    WirePeer.answer(handOff, "busy");
    const answer = await peer.oneReply("waiting");
    assert.equal(answer.headers?.get("Drover-Error"), undefined, answer.headers?.get("Nats-Service-Error"));
    assert.equal(deserialize(answer.data), 3);
    assert.equal((await stopped).code, 0);
  } finally {
    writeFileSync(release, "");
  }
});
