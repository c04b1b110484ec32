// The master's answer to one message that came over NATS: a result (only when its drone could not
// publish it itself), a session's opening, or an error in the NATS services convention. Answering
// is best effort: a connection that closed meanwhile loses the answer, as the caller's own timeout
// then says; nothing throws into the dispatcher.
import { headers, type Msg } from "@nats-io/transport-node";
import type { ErrorCode } from "../../errors.ts";
import { ErrorCode as Code } from "../../errors.ts";
import type { FailureDetails, Reply } from "../seam.ts";
import { ERROR_HEADER, SERVICE_ERROR, SERVICE_ERROR_CODE, SESSION_HEADER, statusOf } from "./headers.ts";

const EMPTY = new Uint8Array(0);
const MAX_ERROR_TEXT = 1024;

export class NatsReply implements Reply {
  readonly #message: Msg;
  readonly #settled: () => void;
  /** Runs with the session id once a session's opening succeeded, before the caller hears of it. */
  readonly #opened: ((session: string) => void) | undefined;

  constructor(message: Msg, settled: () => void, opened?: (session: string) => void) {
    this.#message = message;
    this.#settled = settled;
    this.#opened = opened;
  }

  ok(body: Buffer, session?: string): void {
    this.#settled();
    if (session !== undefined) {
      this.#opened?.(session);
      const h = headers();
      h.set(SESSION_HEADER, session);
      this.#respond(EMPTY, h);
      return;
    }
    if (!this.#respond(body)) {
      this.fail(
        Code.MESSAGE_TOO_LARGE,
        `the result is ${body.byteLength} bytes, more than NATS carries in one message (the server's max_payload): return less, or raise max_payload`,
      );
    }
  }

  fail(code: ErrorCode, message: string, details?: FailureDetails): void {
    this.#settled();
    respondError(this.#message, code, message, details);
  }

  delivered(): void {
    this.#settled();
  }

  #respond(body: Uint8Array, h?: ReturnType<typeof headers>): boolean {
    try {
      return this.#message.respond(body, h ? { headers: h } : undefined);
    } catch {
      return false;
    }
  }
}

/** Answers `message` with an error: the services convention's headers and the details as JSON. */
export function respondError(message: Msg, code: ErrorCode, text: string, details?: FailureDetails): void {
  const h = headers();
  h.set(SERVICE_ERROR_CODE, String(statusOf(code)));
  // Header values carry no line breaks; the whole text is in the body.
  h.set(SERVICE_ERROR, `${code}: ${text}`.replace(/[\r\n]+/g, " ").slice(0, MAX_ERROR_TEXT));
  h.set(ERROR_HEADER, code);
  const body = Buffer.from(JSON.stringify({ code, message: text, ...details }));
  try {
    message.respond(body, { headers: h });
  } catch {
    // Too large (a huge remote stack) or the connection is gone: the code alone still says it.
    try {
      message.respond(EMPTY, { headers: h });
    } catch {}
  }
}
