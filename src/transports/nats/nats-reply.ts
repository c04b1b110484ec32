// The master's answer to one call that came over NATS: a result (only when its drone could not
// publish it itself), a session's opening, or an error in the NATS services convention. Answering
// is best effort: while the connection is down the answer is held until it is back
// (held-answers.ts); one that closed loses it, as the caller's own timeout then says; nothing throws
// into the dispatcher.
import { headers, type Msg, type MsgHdrs, type NatsConnection } from "@nats-io/transport-node";
import { SUBJECT } from "../../dispatch/wire/messages.ts";
import type { ErrorCode } from "../../errors.ts";
import { ErrorCode as Code } from "../../errors.ts";
import type { FailureDetails, Reply } from "../seam.ts";
import { ERROR_HEADER, SERVICE_ERROR, SERVICE_ERROR_CODE, SESSION_HEADER, statusOf } from "./headers.ts";
import { type HeldAnswers, heldAnswers } from "./held-answers.ts";

const EMPTY = new Uint8Array(0);
const MAX_ERROR_TEXT = 1024;

/**
 * The subject a drone may publish a call's result to: the caller's reply subject when it is one the
 * drones' wire carries (printable ASCII, no wildcard); otherwise none, and the master answers.
 */
export function droneReplyTo(reply: string): string | undefined {
  return SUBJECT.test(reply) ? reply : undefined;
}

/** Sends an answer to the caller; false when it could not be sent. */
export type Answer = (body: Uint8Array, headers?: MsgHdrs) => boolean;

/** Answers on the message's own reply subject (a core request), held while its connection is down. */
export function answerTo(message: Msg, held: HeldAnswers): Answer {
  return (body, h) => {
    if (held.down) return message.reply ? held.hold(message.reply, body, h) : false;
    try {
      return message.respond(body, h ? { headers: h } : undefined);
    } catch {
      return false;
    }
  };
}

/** Answers by publishing to `subject` (a call that came through JetStream names its caller's inbox). */
export function publishTo(connection: NatsConnection, subject: string): Answer {
  const held = heldAnswers(connection);
  return (body, h) => {
    if (held.down) return held.hold(subject, body, h);
    try {
      connection.publish(subject, body, h ? { headers: h } : undefined);
      return true;
    } catch {
      return false;
    }
  };
}

export class NatsReply implements Reply {
  readonly #answer: Answer;
  readonly #settled: () => void;
  /** Runs with the session id once a session's opening succeeded, before the caller hears of it. */
  readonly #opened: ((session: string) => void) | undefined;

  constructor(answer: Answer, settled: () => void, opened?: (session: string) => void) {
    this.#answer = answer;
    this.#settled = settled;
    this.#opened = opened;
  }

  ok(body: Buffer, session?: string): void {
    this.#settled();
    if (session !== undefined) {
      this.#opened?.(session);
      const h = headers();
      h.set(SESSION_HEADER, session);
      this.#answer(EMPTY, h);
      return;
    }
    if (!this.#answer(body)) {
      respondError(
        this.#answer,
        Code.MESSAGE_TOO_LARGE,
        `the result is ${body.byteLength} bytes, more than NATS carries in one message (the server's max_payload): return less, or raise max_payload`,
      );
    }
  }

  fail(code: ErrorCode, message: string, details?: FailureDetails): void {
    this.#settled();
    respondError(this.#answer, code, message, details);
  }

  delivered(): void {
    this.#settled();
  }
}

/** Answers with an error: the services convention's headers, and the details as JSON. */
export function respondError(answer: Answer, code: ErrorCode, text: string, details?: FailureDetails): void {
  const h = headers();
  h.set(SERVICE_ERROR_CODE, String(statusOf(code)));
  // Header values carry no line breaks; the whole text is in the body.
  h.set(SERVICE_ERROR, `${code}: ${text}`.replace(/[\r\n]+/g, " ").slice(0, MAX_ERROR_TEXT));
  h.set(ERROR_HEADER, code);
  // Too large (a huge remote stack) or the connection is gone: the headers alone still say it.
  if (!answer(Buffer.from(JSON.stringify({ code, message: text, ...details })), h)) answer(EMPTY, h);
}
