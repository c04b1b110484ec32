// What the masters of one service over core NATS tell each other: how many idle drones each has. NATS
// hands a queue group's call to a member at random, busy or not; a master that got a call with no
// idle drone of its own can then hand it to a host that has one (hand-off.ts) instead of queueing it.
//
// Each master says its count on `_DROVER.peers.<subject>` as it joins (and after a reconnect), and
// answers at once a master it had not heard of; while it knows a peer, it also says its count each
// time a drone comes free (at most every ANNOUNCE_MS, none missed) and every HEARTBEAT_MS. A master
// alone says nothing more. A count is what the peers may hand it: each hand-off spends one, so a
// master need not say when its drones get busy, which halves the talk. It says goodbye as it
// leaves; a peer not heard from for PEER_TTL_MS is forgotten. The counts are a hint, a few
// milliseconds old at best: a host that gets a call it has no drone for after all queues it.
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { nuid } from "@nats-io/transport-node";
import type { ResolvedNats } from "../../config/types/nats.ts";
import { guarded } from "./guarded.ts";

const ANNOUNCE_MS = 2;
// A nuid: what every master's id is.
const PEER_ID = /^[A-Za-z0-9]{1,64}$/;
const HEARTBEAT_MS = 1_000;
const PEER_TTL_MS = 3 * HEARTBEAT_MS;

interface Peer {
  /** Idle drones, as it last said, less the calls handed to it since. */
  idle: number;
  heardAt: number;
}

interface Announcement {
  readonly id: string;
  readonly queue: string;
  readonly idle: number;
  /** It leaves: forget it. */
  readonly bye?: true;
}

export function peersSubject(subject: string): string {
  return `_DROVER.peers.${subject}`;
}

export interface IdlePeersParts {
  /** This master's idle drones for the service now. */
  readonly idleHere: () => number;
  /** A peer said it has idle drones. */
  readonly peerIdle: () => void;
}

export class IdlePeers {
  /** This master's name among them (a hand-off to it goes to handOffSubject(id)). */
  readonly id = nuid.next();
  readonly #connection: NatsConnection;
  readonly #nats: ResolvedNats;
  readonly #parts: IdlePeersParts;
  readonly #peers = new Map<string, Peer>();
  readonly #subscription: Subscription;
  readonly #heartbeat: NodeJS.Timeout;
  #saidAt = 0;
  /** The fewest idle drones since the count was last said: more now, and a drone came free. */
  #lowSinceSaid = 0;
  #announcing: NodeJS.Timeout | NodeJS.Immediate | undefined;
  /**
   * "in" the queue group; "leaving": it takes no calls from the peers any more, but still hears which
   * of them have idle drones; "closed": gone.
   */
  #state: "in" | "leaving" | "closed" = "in";

  constructor(connection: NatsConnection, nats: ResolvedNats, parts: IdlePeersParts) {
    this.#connection = connection;
    this.#nats = nats;
    this.#parts = parts;
    this.#subscription = connection.subscribe(peersSubject(nats.subject), {
      callback: guarded(
        (message) => this.#heard(message.data),
        () => {},
      ),
    });
    this.#heartbeat = setInterval(() => this.#beat(), HEARTBEAT_MS);
    this.#heartbeat.unref();
    this.announce();
  }

  /** Says this master's count now (it joins, or its connection is back). */
  announce(): void {
    if (this.#state !== "closed") this.#announce(true);
  }

  /** This master's idle count may have changed: it is said soon if a drone came free and anyone listens. */
  changed(): void {
    if (this.#state !== "in" || this.#peers.size === 0) return;
    this.#lowSinceSaid = Math.min(this.#lowSinceSaid, this.#parts.idleHere());
    if (this.#announcing !== undefined) return;
    const wait = this.#saidAt + ANNOUNCE_MS - performance.now();
    const announce = () => {
      this.#announcing = undefined;
      this.#announce(false);
    };
    // After this turn's work in any case: the drone that just answered is back on the idle stack then.
    this.#announcing = wait > 0 ? setTimeout(announce, wait) : setImmediate(announce);
  }

  /** Whether it knows another master of the queue group. */
  get any(): boolean {
    return this.#peers.size > 0;
  }

  /** The peer with the most idle drones, counted as one fewer from now on; undefined: none has one. */
  takeIdle(): string | undefined {
    const now = performance.now();
    let best: [string, Peer] | undefined;
    for (const entry of this.#peers) {
      const [id, peer] = entry;
      if (now - peer.heardAt > PEER_TTL_MS) this.#peers.delete(id);
      else if (peer.idle > 0 && (!best || peer.idle > best[1].idle)) best = entry;
    }
    if (!best) return undefined;
    best[1].idle--;
    return best[0];
  }

  /** A call handed to `id` found it gone. */
  forget(id: string): void {
    this.#peers.delete(id);
  }

  /**
   * Says it has no idle drone from now on, for good, but stays among the peers (its heartbeat goes on),
   * so that they keep saying when theirs come free: what still waits here goes to them (a graceful stop).
   */
  leave(): void {
    if (this.#state !== "in") return;
    this.#state = "leaving";
    this.#cancelAnnouncing();
    this.#publish(0);
  }

  /** Says goodbye: the peers stop handing calls here, and forget it. */
  close(): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    clearInterval(this.#heartbeat);
    this.#cancelAnnouncing();
    this.#peers.clear();
    this.#publish(0, true);
    this.#subscription.unsubscribe();
  }

  #cancelAnnouncing(): void {
    clearTimeout(this.#announcing as NodeJS.Timeout);
    clearImmediate(this.#announcing as NodeJS.Immediate);
    this.#announcing = undefined;
  }

  #beat(): void {
    const now = performance.now();
    for (const [id, peer] of this.#peers) if (now - peer.heardAt > PEER_TTL_MS) this.#peers.delete(id);
    if (this.#peers.size > 0) this.#announce(true);
  }

  #announce(always: boolean): void {
    if (this.#state === "closed") return;
    const idle = this.#state === "leaving" ? 0 : this.#parts.idleHere();
    const freed = idle > this.#lowSinceSaid;
    this.#lowSinceSaid = Math.min(this.#lowSinceSaid, idle);
    if (!freed && !always) return;
    this.#publish(idle);
  }

  #publish(idle: number, bye?: true): void {
    this.#lowSinceSaid = idle;
    this.#saidAt = performance.now();
    const announcement: Announcement = { id: this.id, queue: this.#nats.queue, idle, bye };
    try {
      this.#connection.publish(peersSubject(this.#nats.subject), JSON.stringify(announcement));
    } catch {
      // The connection is closing: the peers forget this master once it stays silent.
    }
  }

  // Anyone may publish here: what is not an announcement of this queue group's is ignored.
  #heard(data: Uint8Array): void {
    let said: Partial<Announcement>;
    try {
      said = JSON.parse(Buffer.from(data).toString());
    } catch {
      return;
    }
    const { id, queue, idle, bye } = said ?? {};
    if (typeof id !== "string" || !PEER_ID.test(id) || id === this.id || queue !== this.#nats.queue) return;
    if (typeof idle !== "number" || !Number.isInteger(idle) || idle < 0) return;
    const known = this.#peers.has(id);
    if (bye === true) {
      this.#peers.delete(id);
      return;
    }
    this.#peers.set(id, { idle, heardAt: performance.now() });
    // A master that just joined hears this one's count at once, not at its next heartbeat.
    if (!known) this.#announce(true);
    if (idle > 0) this.#parts.peerIdle();
  }
}
