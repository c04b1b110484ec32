// The sessions this master holds for callers over NATS, each with a subject of its own that only this
// master listens on. A session's calls arrive there and go to its drone; `$close` ends it. Once the
// session ends (closed, idle, at its lifetime, moved by a reload) its subject is kept a while longer,
// so that a later call hears how it ended (SESSION_EXPIRED, from the dispatcher), then given up: a call
// after that (or after this master is gone) meets NATS's no-responders, and the client says the
// session expired without knowing how.
import type { Msg, NatsConnection, Subscription } from "@nats-io/transport-node";
import { isWireName } from "../../dispatch/wire/messages.ts";
import { ErrorCode } from "../../errors.ts";
import type { Logger } from "../../log/logger.ts";
import type { Dispatcher } from "../seam.ts";
import { guarded } from "./guarded.ts";
import { headersOf, readTimeout, TIMEOUT_HEADER } from "./headers.ts";
import { type HeldAnswers, heldAnswers } from "./held-answers.ts";
import type { InFlight } from "./in-flight.ts";
import { answerTo, droneReplyTo, NatsReply, respondError } from "./nats-reply.ts";
import { callParams } from "./params.ts";
import { CLOSE_TOKEN, sessionSubject } from "./subjects.ts";

// How often the subjects of sessions that ended are looked at.
const SWEEP_MS = 1_000;
// How long an ended session's subject is kept to answer how it ended, and for how many sessions at most.
const ENDED_KEPT_MS = 60_000;
const ENDED_KEPT = 1_024;

export class SessionSubscriptions {
  readonly #dispatcher: Dispatcher;
  readonly #inFlight: InFlight;
  readonly #log: Logger;
  readonly #subscriptions = new Map<string, Subscription>();
  /** Sessions that ended, oldest first, with when their subject is given up. */
  readonly #ended = new Map<string, number>();
  readonly #sweep: NodeJS.Timeout;

  constructor(dispatcher: Dispatcher, inFlight: InFlight, log: Logger) {
    this.#dispatcher = dispatcher;
    this.#inFlight = inFlight;
    this.#log = log;
    this.#sweep = setInterval(() => this.#forgetEnded(), SWEEP_MS);
    this.#sweep.unref();
  }

  /** Session `session` of `service` opened here: listen on its subject (before its caller hears of it). */
  listen(connection: NatsConnection, service: string, session: string): void {
    const prefix = `${sessionSubject(session)}.`;
    const held = heldAnswers(connection);
    const subscription = connection.subscribe(`${prefix}>`, {
      callback: guarded(
        (message) => this.#message(held, service, session, message, message.subject.slice(prefix.length)),
        (error, message) =>
          this.#log.error(
            { err: error, service, session, subject: message.subject },
            `session ${session}: a message on ${message.subject} could not be handled: ${(error as Error)?.message}`,
          ),
      ),
    });
    this.#subscriptions.set(session, subscription);
  }

  /** Gives every subject up (the master stops). */
  close(): void {
    clearInterval(this.#sweep);
    for (const subscription of this.#subscriptions.values()) subscription.unsubscribe();
    this.#subscriptions.clear();
    this.#ended.clear();
  }

  #message(held: HeldAnswers, service: string, session: string, message: Msg, token: string): void {
    if (!message.reply) return;
    const answer = answerTo(message, held);
    const h = headersOf(message);
    const timeoutMs = readTimeout(h);
    if (Number.isNaN(timeoutMs) || (token !== CLOSE_TOKEN && !isWireName(token))) {
      respondError(
        answer,
        ErrorCode.DISPATCH_BAD_MESSAGE,
        h === null
          ? `a bad call to session ${session}: its headers cannot be read (a malformed header line)`
          : `a bad call to session ${session}: "${token}" with Drover-Timeout "${h?.get(TIMEOUT_HEADER)}"`,
      );
      return;
    }
    const params =
      token === CLOSE_TOKEN ? undefined : callParams(message.data, answer, service, token, this.#dispatcher);
    if (token !== CLOSE_TOKEN && !params) return;
    const { signal, settled } = this.#inFlight.add(message.reply);
    const reply = new NatsReply(answer, () => {
      settled();
      if (!this.#dispatcher.hasSession(session)) this.#ending(session);
    });
    if (!params) {
      this.#dispatcher.close(session, reply);
      return;
    }
    this.#dispatcher.call(
      {
        service,
        method: token,
        params,
        timeoutMs,
        session,
        signal,
        replyTo: droneReplyTo(message.reply),
      },
      reply,
    );
  }

  #forgetEnded(): void {
    for (const session of this.#subscriptions.keys()) {
      if (!this.#dispatcher.hasSession(session)) this.#ending(session);
    }
    const now = performance.now();
    for (const [session, until] of this.#ended) {
      if (until > now) break;
      this.#forget(session);
    }
  }

  // It ended: its subject answers how, for a while (the oldest given up first past ENDED_KEPT).
  #ending(session: string): void {
    if (this.#ended.has(session) || !this.#subscriptions.has(session)) return;
    this.#ended.set(session, performance.now() + ENDED_KEPT_MS);
    if (this.#ended.size > ENDED_KEPT) {
      const [oldest] = this.#ended.keys();
      if (oldest !== undefined) this.#forget(oldest);
    }
  }

  #forget(session: string): void {
    this.#subscriptions.get(session)?.unsubscribe();
    this.#subscriptions.delete(session);
    this.#ended.delete(session);
  }
}
