// One service's place in its NATS queue group: `<subject>.<method>` calls and `<subject>.$open`
// sessions arrive here, from any caller, shared with every other host's master in the group. While the
// service's backlog is full this master leaves the group (its subscription drained, so messages
// already on their way are still answered, with the full error), and NATS routes to the hosts that
// have room; it joins again once the backlog is down to half (hysteresis against flapping). With
// every host full, callers get NATS's no-responders at once instead of waiting for a timeout. A call
// that finds no idle drone here goes to a host of the group that has one, if any (hand-off.ts).
import type { Msg, NatsConnection, Subscription } from "@nats-io/transport-node";
import type { ResolvedNats } from "../../config/types/nats.ts";
import { isWireName } from "../../dispatch/wire/messages.ts";
import { ErrorCode } from "../../errors.ts";
import type { Logger } from "../../log/logger.ts";
import type { Dispatcher, HandedCall } from "../seam.ts";
import { guarded } from "./guarded.ts";
import { HandOff } from "./hand-off.ts";
import { headersOf, readTimeout, TIMEOUT_HEADER } from "./headers.ts";
import { type HeldAnswers, heldAnswers } from "./held-answers.ts";
import type { InFlight } from "./in-flight.ts";
import { type Answer, answerTo, droneReplyTo, NatsReply, publishTo, respondError } from "./nats-reply.ts";
import { callParams } from "./params.ts";
import { OPEN_TOKEN } from "./subjects.ts";

// How often a paused service looks whether it has room again.
const ROOM_CHECK_MS = 20;
const NO_PARAMS = Buffer.alloc(0);

/**
 * Where a call or a session's opening comes from: its caller through the queue group (it may be handed
 * on), another host that handed it here (it goes no further), or back from a host it was handed to
 * (it takes its first place in the backlog, and is handed on from there only when a peer next says it
 * has a drone free: no back and forth).
 */
type Origin = "caller" | "peer" | "back";
/** A call or an opening as read, before it is handed on (when it first arrived, if it came back). */
type Arrived = Omit<HandedCall, "replyTo" | "arrivedAt" | "deadline"> & {
  readonly arrivedAt?: number;
  readonly deadline?: number;
};

export interface SubscriptionParts {
  readonly dispatcher: Dispatcher;
  readonly inFlight: InFlight;
  /** A session opened here: its subject must be listened on before the caller hears of it. */
  readonly opened: (session: string) => void;
  /** It left or joined its queue group again. */
  readonly changed: () => void;
  /** Aborted when the transport closes: whatever still waits is no longer handed on. */
  readonly closing: AbortSignal;
  readonly log: Logger;
}

export class ServiceSubscription {
  readonly service: string;
  readonly nats: ResolvedNats;
  readonly #connection: NatsConnection;
  readonly #held: HeldAnswers;
  readonly #parts: SubscriptionParts;
  /** Hands calls to other hosts and takes theirs, unless the service's handOff is false. */
  readonly #handOff: HandOff | undefined;
  #subscription: Subscription | undefined;
  #roomCheck: NodeJS.Timeout | undefined;
  #state: "taking" | "full" | "left" = "taking";

  constructor(service: string, nats: ResolvedNats, connection: NatsConnection, parts: SubscriptionParts) {
    this.service = service;
    this.nats = nats;
    this.#connection = connection;
    this.#held = heldAnswers(connection);
    this.#parts = parts;
    this.#handOff = !nats.handOff
      ? undefined
      : new HandOff(connection, nats, {
          service,
          dispatcher: parts.dispatcher,
          handedIn: (message, method, caller) =>
            this.#take(message, method, caller, publishTo(connection, caller), "peer"),
          takeBack: (call) => {
            const answer = publishTo(connection, call.replyTo);
            if (call.opens) this.#open(call, call.replyTo, answer, "back");
            else this.#call(call, call.replyTo, answer, "back");
          },
          log: parts.log,
        });
    this.#subscribe();
  }

  /** Its connection is back after an outage. */
  reconnected(): void {
    this.#handOff?.reconnected();
  }

  /** Whether it is out of the queue group because its backlog is full. */
  get full(): boolean {
    return this.#state === "full";
  }

  /**
   * Leaves the queue group for good; resolves once every message already delivered was handed on.
   * With `handOn` (the master stops), what waits in the backlog goes on to the peers as their drones
   * come free, while this host's drones drain it, until none waits or the transport closes (`handedOn`).
   */
  async leave(handOn = false): Promise<void> {
    this.#state = "left";
    clearInterval(this.#roomCheck);
    await Promise.all([this.#drain(), this.#handOff?.leave()]);
    const handOff = this.#handOff;
    if (!handOff) return;
    if (handOn) this.handedOn = this.#handOnWhileWaiting(handOff);
    else await handOff.close();
  }

  /** Resolves once leave() hands nothing on any more. */
  handedOn: Promise<void> = Promise.resolve();

  #handOnWhileWaiting(handOff: HandOff): Promise<void> {
    const { dispatcher, closing } = this.#parts;
    // A call handed on may come back (its peer got busy, or is gone): a drone is kept to run it.
    const release = dispatcher.holdDrones(this.service);
    return new Promise<void>((resolve) => {
      const check = () => {
        if (!closing.aborted && (dispatcher.load(this.service)?.waiting ?? 0) > 0) return;
        unwatch();
        closing.removeEventListener("abort", check);
        // A turn later: the last waiting call may be on its way to a peer right now (its handOver
        // emptied the backlog), and close() waits for the answer to what was sent.
        setImmediate(() => void handOff.close().then(resolve));
      };
      const unwatch = dispatcher.watchLoad(this.service, check);
      closing.addEventListener("abort", check);
      check();
    }).finally(release);
  }

  #subscribe(): void {
    const prefix = `${this.nats.subject}.`;
    this.#subscription = this.#connection.subscribe(`${prefix}>`, {
      queue: this.nats.queue,
      callback: guarded(
        (message) => this.#message(message, message.subject.slice(prefix.length)),
        (error, message) =>
          this.#parts.log.error(
            { err: error, service: this.service, subject: message.subject },
            `service "${this.service}": a message on ${message.subject} could not be handled: ${(error as Error)?.message}`,
          ),
      ),
    });
  }

  async #drain(): Promise<void> {
    const subscription = this.#subscription;
    this.#subscription = undefined;
    if (subscription && !subscription.isClosed()) await subscription.drain().catch(() => {});
  }

  #message(message: Msg, token: string): void {
    if (!message.reply) return; // Nobody to answer: a publish, not a request.
    this.#take(message, token, message.reply, answerTo(message, this.#held), "caller");
  }

  // A call or a session's opening whose caller waits on `reply`, answered through `answer`.
  #take(message: Msg, token: string, reply: string, answer: Answer, origin: "caller" | "peer"): void {
    const h = headersOf(message);
    const timeoutMs = readTimeout(h);
    if (Number.isNaN(timeoutMs)) {
      respondError(
        answer,
        ErrorCode.DISPATCH_BAD_MESSAGE,
        h === null
          ? "the call's headers cannot be read (a malformed header line): send well-formed NATS headers"
          : `the Drover-Timeout header must be a whole number of milliseconds from 1 to 2147483648, got "${h?.get(TIMEOUT_HEADER)}"`,
      );
      return;
    }
    if (token === OPEN_TOKEN) {
      this.#open({ method: token, params: NO_PARAMS, timeoutMs, opens: true }, reply, answer, origin);
      return;
    }
    if (!isWireName(token)) {
      respondError(
        answer,
        ErrorCode.DISPATCH_BAD_MESSAGE,
        `"${token}" is not a method name (1 to 128 letters, digits, or . _ : -): send to ${this.nats.subject}.<method>`,
      );
      return;
    }
    const params = callParams(message.data, answer, this.service, token, this.#parts.dispatcher);
    if (!params) return;
    this.#call({ method: token, params, timeoutMs, opens: false }, reply, answer, origin);
  }

  // A call, once read: offered to another host when none of this one's drones is idle and one of
  // theirs is, or this master's.
  #call(call: Arrived, reply: string, answer: Answer, origin: Origin): void {
    const { method, params, timeoutMs } = call;
    const { dispatcher, inFlight } = this.#parts;
    if (this.#cancelledBefore(reply, answer)) return;
    const replyTo = droneReplyTo(reply);
    if (origin === "caller" && replyTo !== undefined && this.#handedOn(call, replyTo)) return;
    const handle = dispatcher.call(
      {
        service: this.service,
        method,
        params,
        timeoutMs,
        session: undefined,
        replyTo,
        handedOver: origin === "peer",
        arrivedAt: origin === "back" ? call.arrivedAt : undefined,
        deadline: origin === "back" ? call.deadline : undefined,
      },
      new NatsReply(answer, () => inFlight.settled(reply)),
    );
    // A call answered at once (refused, or the backlog full) has no handle: it is not in flight.
    if (handle) inFlight.track(reply, handle);
    // The call that filled the backlog is the last this master takes until it has room.
    const load = dispatcher.load(this.service);
    if (load && load.waiting >= load.maxBacklog && load.idle === 0) this.#becameFull();
  }

  // A session's opening: offered to another host as a call is, or opened here.
  #open(opening: Arrived, reply: string, answer: Answer, origin: Origin): void {
    if (this.#cancelledBefore(reply, answer)) return;
    const replyTo = droneReplyTo(reply);
    if (origin === "caller" && replyTo !== undefined && this.#handedOn(opening, replyTo)) return;
    const { signal, settled } = this.#parts.inFlight.add(reply);
    const handing = {
      replyTo,
      handedOver: origin === "peer",
      arrivedAt: origin === "back" ? opening.arrivedAt : undefined,
      deadline: origin === "back" ? opening.deadline : undefined,
    };
    const opened = new NatsReply(answer, settled, this.#parts.opened);
    this.#parts.dispatcher.open(this.service, opening.timeoutMs, signal, opened, handing);
  }

  // A call handed from another host may come after its caller's cancel: it is answered, never run.
  #cancelledBefore(reply: string, answer: Answer): boolean {
    if (!this.#parts.inFlight.cancelledBefore(reply)) return false;
    respondError(
      answer,
      ErrorCode.DISPATCH_CANCELLED,
      "the caller cancelled the call before it reached this host",
    );
    return true;
  }

  // With no drone idle here (free, for an opening), it goes to a host that said it has one.
  #handedOn(call: Arrived, replyTo: string): boolean {
    const handOff = this.#handOff;
    if (!handOff?.hasPeers) return false;
    const load = this.#parts.dispatcher.load(this.service);
    if ((call.opens ? load?.free : load?.idle) !== 0) return false;
    const { timeoutMs } = call;
    return handOff.offer({
      ...call,
      replyTo,
      arrivedAt: call.arrivedAt ?? performance.now(),
      deadline: call.deadline ?? (timeoutMs === undefined ? undefined : Date.now() + timeoutMs),
    });
  }

  #becameFull(): void {
    if (this.#state !== "taking") return;
    this.#state = "full";
    this.#parts.changed();
    this.#parts.log.warn(
      { service: this.service },
      `service "${this.service}": backlog full, leaving the NATS queue group until it has room`,
    );
    void this.#drain();
    this.#roomCheck = setInterval(() => this.#checkRoom(), ROOM_CHECK_MS);
    this.#roomCheck.unref();
  }

  #checkRoom(): void {
    const load = this.#parts.dispatcher.load(this.service);
    if (!load) return;
    const room = load.waiting <= Math.floor(load.maxBacklog / 2) && (load.maxBacklog > 0 || load.idle > 0);
    if (!room || this.#state !== "full") return;
    clearInterval(this.#roomCheck);
    this.#state = "taking";
    this.#parts.changed();
    this.#parts.log.info(
      { service: this.service },
      `service "${this.service}": room again, back in the NATS queue group`,
    );
    this.#subscribe();
  }
}
