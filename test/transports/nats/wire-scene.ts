// What the wire tests share: a real master of the math service on a nats-server of its own, a NATS
// client, and the test playing another master of its queue group on the wire (wire-peer.ts). close()
// ends them all and proves the master's pid gone.
import assert from "node:assert/strict";
import type { Client } from "../../../src/client/index.ts";
import { isAlive } from "../../harness/process.ts";
import { type RunningNats, startNats } from "../../support/nats-server.ts";
import type { RunningServices } from "../../support/services.ts";
import { natsClient, startNatsHost } from "./support.ts";
import { WirePeer } from "./wire-peer.ts";

export interface WireScene {
  readonly nats: RunningNats;
  readonly host: RunningServices;
  readonly client: Client;
  readonly peer: WirePeer;
  close(): Promise<void>;
}

/** The scene, its master's math service with `math` fields. */
export async function startWireScene(math: Record<string, unknown>): Promise<WireScene> {
  const nats = await startNats();
  const closers: (() => Promise<void>)[] = [];
  let host: RunningServices | undefined;
  let peer: WirePeer | undefined;
  const close = async () => {
    for (const closeOne of closers.splice(0)) await closeOne();
    await peer?.close();
    await host?.stop();
    assert.equal(host && isAlive(host.proc.pid), false);
    await nats.stop();
  };
  try {
    host = await startNatsHost(nats, math);
    const client = await natsClient(nats, (closeOne) => closers.push(closeOne));
    peer = await WirePeer.join(nats);
    return { nats, host, client, peer, close };
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
}
