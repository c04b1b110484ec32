// A call that reaches a master with no idle drone, handed to a host of its queue group that has one
// (idle-peers.ts), rather than left behind a busy drone while that host's drones idle: the master
// chooses the drone across hosts, as it does within one. A call (or a session's opening) is handed on
// as it arrives when a peer is known to be idle, and from the backlog when a peer says it is idle
// while calls wait here.
// A call is with one peer at a time: it goes to the peer's own subject, `_DROVER.handoff.<id>.<method>`,
// with the caller's inbox in Drover-Reply and this master's inbox as its reply. The peer answers that
// inbox at once: taken (it answers the caller from then on), or busy (its drones got busy since it
// spoke), and then this master takes the call back; so does a bounce, the server's no-responders
// for a peer that is gone (it died since it spoke). Until one of them comes, the call is kept here.
import {
  createInbox,
  type Msg,
  type NatsConnection,
  headers as natsHeaders,
  type Subscription,
} from "@nats-io/transport-node";
import type { ResolvedNats } from "../../config/types/nats.ts";
import { SUBJECT } from "../../dispatch/wire/messages.ts";
import { ErrorCode } from "../../errors.ts";
import type { Logger } from "../../log/logger.ts";
import type { Dispatcher, HandedCall } from "../seam.ts";
import { guarded } from "./guarded.ts";
import { headersOf, REPLY_HEADER, TIMEOUT_HEADER } from "./headers.ts";
import { heldAnswers } from "./held-answers.ts";
import { IdlePeers } from "./idle-peers.ts";
import { respondError } from "./nats-reply.ts";
import { OPEN_TOKEN } from "./subjects.ts";

// A handed call its peer said nothing of by then (it died holding it: its caller hears its timeout)
// is forgotten here.
const UNANSWERED_MS = 30_000;
// How long a leaving master waits for its peers' word on the calls it handed them.
const LEAVE_WAIT_MS = 1_000;
const NO_RESPONDERS = 503;
/** The peer's answer to a hand-off, on the handing master's inbox: "taken" or "busy". */
const HAND_OFF_HEADER = "Drover-Hand-Off";

export function handOffSubject(id: string): string {
  return `_DROVER.handoff.${id}`;
}

export interface HandOffParts {
  readonly service: string;
  readonly dispatcher: Dispatcher;
  /** A call another host handed here: answered to `caller`, never handed on again. */
  readonly handedIn: (message: Msg, method: string, caller: string) => void;
  /** A call handed to a host that was gone or busy: this master takes it after all. */
  readonly takeBack: (call: HandedCall) => void;
  readonly log: Logger;
}

interface Handed {
  readonly call: HandedCall;
  readonly peer: string;
  readonly at: number;
}

export class HandOff {
  readonly #connection: NatsConnection;
  readonly #peers: IdlePeers;
  readonly #parts: HandOffParts;
  readonly #inbox = createInbox();
  readonly #handed = new Map<string, Handed>();
  readonly #direct: Subscription;
  readonly #bounces: Subscription;
  readonly #forget: NodeJS.Timeout;
  readonly #unwatch: () => void;
  #next = 0;
  // Once closing, nothing more is handed on: its answer could come after the inbox is gone.
  #closing = false;

  constructor(connection: NatsConnection, nats: ResolvedNats, parts: HandOffParts) {
    this.#connection = connection;
    this.#parts = parts;
    this.#peers = new IdlePeers(connection, nats, {
      idleHere: () => this.#load()?.idle ?? 0,
      peerIdle: () => this.#handWaiting(),
    });
    const direct = handOffSubject(this.#peers.id);
    const failed = (error: unknown, message: Msg) =>
      parts.log.error(
        { err: error, subject: message.subject },
        `a call handed over on ${message.subject} could not be handled: ${(error as Error)?.message}`,
      );
    this.#direct = connection.subscribe(`${direct}.>`, {
      callback: guarded((message) => this.#in(message, message.subject.slice(direct.length + 1)), failed),
    });
    this.#bounces = connection.subscribe(`${this.#inbox}.*`, {
      callback: guarded((message) => this.#answered(message), failed),
    });
    this.#forget = setInterval(() => this.#forgetUnanswered(), UNANSWERED_MS / 10);
    this.#forget.unref();
    this.#unwatch = parts.dispatcher.watchLoad(parts.service, () => this.#peers.changed());
  }

  /** Its connection is back: the peers may have changed meanwhile. */
  reconnected(): void {
    this.#peers.announce();
  }

  /** Whether another master of the queue group is known: only then can a call be handed on. */
  get hasPeers(): boolean {
    return this.#peers.any;
  }

  /**
   * Hands a call that just arrived, with no idle drone here, to a host that has one; false when none
   * has (or it could not be sent): the call is this master's.
   */
  offer(call: HandedCall): boolean {
    // Down, nats.js would drop the publish without a word.
    if (this.#closing || heldAnswers(this.#connection).down) return false;
    const peer = this.#peers.takeIdle();
    return peer !== undefined && this.#send(peer, call);
  }

  /**
   * Takes no more calls from the peers (resolves once every one handed here was taken), and hands on
   * what waits here: to a peer with an idle drone now, then to each that says it has one, until close().
   */
  async leave(): Promise<void> {
    this.#unwatch();
    this.#peers.leave();
    await this.#direct.drain().catch(() => {});
    this.#handWaiting();
  }

  /** Once nothing is handed on any more: says goodbye, and stops listening to the peers' answers once they are in. */
  async close(): Promise<void> {
    this.#closing = true;
    this.#unwatch();
    this.#peers.close();
    clearInterval(this.#forget);
    const until = performance.now() + LEAVE_WAIT_MS;
    while (this.#handed.size > 0 && performance.now() < until && !this.#connection.isClosed()) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    this.#bounces.unsubscribe();
    this.#handed.clear();
  }

  // A peer has idle drones: calls waiting here, with none idle, go to it.
  #handWaiting(): void {
    const { dispatcher, service } = this.#parts;
    if (this.#closing || heldAnswers(this.#connection).down) return;
    for (;;) {
      const load = this.#load();
      // With drones idle here, what still waits can only be session openings, which need a free one.
      if (!load || load.free > 0 || load.waiting === 0) return;
      const peer = this.#peers.takeIdle();
      if (peer === undefined) return;
      const [call] = dispatcher.handOver(service, 1);
      if (!call) return;
      // Settled here as handed off already: one that cannot be sent is taken back at once.
      if (!this.#send(peer, call)) this.#parts.takeBack(call);
    }
  }

  #send(peer: string, call: HandedCall): boolean {
    const h = natsHeaders();
    h.set(REPLY_HEADER, call.replyTo);
    if (call.timeoutMs !== undefined) h.set(TIMEOUT_HEADER, String(call.timeoutMs));
    const token = String(this.#next++);
    try {
      const method = call.opens ? OPEN_TOKEN : call.method;
      this.#connection.publish(`${handOffSubject(peer)}.${method}`, call.params, {
        reply: `${this.#inbox}.${token}`,
        headers: h,
      });
    } catch {
      return false;
    }
    this.#handed.set(token, { call, peer, at: performance.now() });
    return true;
  }

  #load() {
    return this.#parts.dispatcher.load(this.#parts.service);
  }

  #in(message: Msg, method: string): void {
    const caller = headersOf(message)?.get(REPLY_HEADER);
    if (!caller || !SUBJECT.test(caller)) {
      if (message.reply) {
        respondError(
          (body, h) => message.respond(body, h ? { headers: h } : undefined),
          ErrorCode.DISPATCH_BAD_MESSAGE,
          `a call handed over needs the caller's inbox in its ${REPLY_HEADER} header`,
        );
      }
      return;
    }
    // Its drones got busy since it said otherwise: the call goes back rather than wait here.
    const load = this.#load();
    const taken = ((method === OPEN_TOKEN ? load?.free : load?.idle) ?? 0) > 0;
    if (message.reply) {
      const h = natsHeaders();
      h.set(HAND_OFF_HEADER, taken ? "taken" : "busy");
      try {
        message.respond(new Uint8Array(0), { headers: h });
      } catch {
        // Unanswered, the handing master keeps it until it hears of it no more; the caller times out.
      }
    }
    if (taken) this.#parts.handedIn(message, method, caller);
  }

  // The peer's word on a call handed to it, or the server's bounce.
  #answered(message: Msg): void {
    const token = message.subject.slice(this.#inbox.length + 1);
    const handed = this.#handed.get(token);
    if (!handed) return;
    this.#handed.delete(token);
    const h = headersOf(message);
    const word = h?.get(HAND_OFF_HEADER);
    if (word === "taken") return;
    if (word !== "busy") {
      if (h?.code !== NO_RESPONDERS) return;
      this.#peers.forget(handed.peer);
      this.#parts.log.warn(
        { service: this.#parts.service, method: handed.call.opens ? OPEN_TOKEN : handed.call.method },
        `service "${this.#parts.service}": a ${handed.call.opens ? "session's opening" : "call"} handed to another host found it gone; this host takes it back`,
      );
    }
    this.#parts.takeBack(handed.call);
  }

  #forgetUnanswered(): void {
    const before = performance.now() - UNANSWERED_MS;
    for (const [token, handed] of this.#handed) {
      if (handed.at >= before) break; // in the order they were handed
      this.#handed.delete(token);
    }
  }
}
