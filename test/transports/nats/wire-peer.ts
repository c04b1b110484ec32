// The test playing another master of the math service's queue group, on the wire: it announces itself
// on the peers' subject (so the real master learns of it and answers with its own id), hands calls to
// the master, gets the hand-offs the master sends it, and, as a caller, hears every reply on its inbox.

import { serialize } from "node:v8";
import { connect, createInbox, headers, type Msg, type NatsConnection } from "@nats-io/transport-node";
import { waitFor } from "../../harness/wait.ts";
import type { RunningNats } from "../../support/nats-server.ts";

const PEERS = "_DROVER.peers.drover.math";
const ID = "TestPeer";

export class WirePeer {
  readonly raw: NatsConnection;
  readonly inbox = createInbox();
  /** The real master's id, from its announcement. */
  hostId = "";
  /** The names replied to, in the order the replies came. */
  readonly answered: string[] = [];
  readonly #replies = new Map<string, Msg[]>();
  readonly #handOffs: Msg[] = [];

  private constructor(raw: NatsConnection) {
    this.raw = raw;
  }

  /** Joins as a peer with no idle drone; resolves once the master has told it its id. */
  static async join(nats: RunningNats): Promise<WirePeer> {
    const peer = new WirePeer(await connect({ servers: nats.url }));
    const { raw, inbox } = peer;
    raw.subscribe(`${inbox}.*`, {
      callback: (_error, message) => {
        const name = message.subject.slice(inbox.length + 1);
        peer.#replies.set(name, [...peer.repliesTo(name), message]);
        peer.answered.push(name);
      },
    });
    raw.subscribe(`_DROVER.handoff.${ID}.>`, {
      callback: (_error, message) => {
        peer.#handOffs.push(message);
      },
    });
    // A master answers a peer it did not know with its own announcement: its id and idle drones.
    raw.subscribe(PEERS, {
      callback: (_error, message) => {
        const said = JSON.parse(message.string()) as { id: string; idle: number };
        // The peer hears its own announcements too.
        if (said.idle > 0 && said.id !== ID) peer.hostId = said.id;
      },
    });
    await raw.flush();
    await peer.say(0);
    await waitFor("the master's announcement", () => peer.hostId !== "");
    return peer;
  }

  /** Announces `idle` drones (or a goodbye). */
  async say(idle: number, bye?: true): Promise<void> {
    this.raw.publish(PEERS, JSON.stringify({ id: ID, queue: "drover.math", idle, bye }));
    await this.raw.flush();
  }

  repliesTo(name: string): Msg[] {
    return this.#replies.get(name) ?? [];
  }

  async oneReply(name: string): Promise<Msg> {
    await waitFor(`a reply on ${name}`, () => this.repliesTo(name).length > 0);
    return this.repliesTo(name)[0] as Msg;
  }

  /** Hands `token` to the master as a peer would: the caller's inbox `caller`, the master's word on `word`. */
  handOver(token: string, params: unknown, caller: string | undefined, word: string): void {
    const h = headers();
    if (caller !== undefined) h.set("Drover-Reply", `${this.inbox}.${caller}`);
    h.set("Drover-Timeout", "10000");
    this.raw.publish(`_DROVER.handoff.${this.hostId}.${token}`, serialize(params), {
      reply: `${this.inbox}.${word}`,
      headers: h,
    });
  }

  /** A call (or with "$open", an opening) from a caller, through the queue group; replied to on `name`. */
  callService(token: string, params: unknown, name: string, timeoutMs = 10_000): void {
    const h = headers();
    h.set("Drover-Timeout", String(timeoutMs));
    this.raw.publish(`drover.math.${token}`, serialize(params), {
      reply: `${this.inbox}.${name}`,
      headers: h,
    });
  }

  /** The caller of `name` cancels it. */
  async cancel(name: string): Promise<void> {
    const h = headers();
    h.set("Drover-Call", `${this.inbox}.${name}`);
    this.raw.publish("_DROVER.cancel", new Uint8Array(0), { headers: h });
    await this.raw.flush();
  }

  /** The next hand-off the master sent this peer. */
  async handedOff(): Promise<Msg> {
    await waitFor("a hand-off to the test's peer", () => this.#handOffs.length > 0);
    return this.#handOffs.shift() as Msg;
  }

  /** How many hand-offs came that no test took yet. */
  get handOffsWaiting(): number {
    return this.#handOffs.length;
  }

  /** Answers a hand-off as the master it went to: "taken" or "busy". */
  static answer(handOff: Msg, word: "taken" | "busy"): void {
    const h = headers();
    h.set("Drover-Hand-Off", word);
    handOff.respond(new Uint8Array(0), { headers: h });
  }

  async close(): Promise<void> {
    await this.raw.close();
  }
}
