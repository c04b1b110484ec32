// The NATS client's requests: one inbox subscription for all of them (`_INBOX.<nuid>.*`, each request
// a token of it), so that a request's reply subject is known here: a cancel names the call by it. Each
// request settles once: its reply, its deadline (the caller's budget plus a grace, for a host that died
// holding it), its caller's signal (a cancel goes out), or the client closing.
import {
  createInbox,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  headers as natsHeaders,
} from "@nats-io/transport-node";
import { MAX_DURATION_MS } from "../../config/duration.ts";
import { ErrorCode } from "../../errors.ts";
import { CALL_HEADER } from "../../transports/nats/headers.ts";
import { CANCEL_SUBJECT } from "../../transports/nats/subjects.ts";
import { DispatchError } from "../errors.ts";
import { streamAckOf } from "./answers.ts";

/**
 * How long past its budget a request is given up on here when no host answered (the host died): the
 * master's own timeout, sent at the deadline, says more and usually arrives first.
 */
export const GRACE_MS = 250;

/** Sends a request some other way than a core publish (through JetStream); rejects when it could not. */
export type Publish = (
  reply: string,
  subject: string,
  data: Uint8Array,
  headers: MsgHdrs,
  timeoutMs: number,
) => Promise<void>;

interface Pending {
  readonly resolve: (message: Msg) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: (() => void) | undefined;
  /** A JetStream stream stored the call too (its ack came): said if no answer does. */
  storedIn?: string;
  /** The client's connection dropped while it was pending: said if no answer comes. */
  linkLost?: boolean;
}

export class Requests {
  readonly #connection: NatsConnection;
  readonly #prefix = `${createInbox()}.`;
  readonly #pending = new Map<string, Pending>();
  #next = 0;

  constructor(connection: NatsConnection) {
    this.#connection = connection;
    connection.subscribe(`${this.#prefix}*`, {
      callback: (error, message) => {
        if (error) return;
        const token = message.subject.slice(this.#prefix.length);
        const pending = this.#pending.get(token);
        if (!pending) return; // Answered already (a late result after a timeout): dropped.
        const stream = streamAckOf(message);
        if (stream !== undefined) {
          pending.storedIn = stream;
          return;
        }
        this.#settle(token, pending);
        pending.resolve(message);
      },
    });
  }

  /** Sends `data` to `subject` and settles with the first reply; `what` names the call in errors. */
  request(
    subject: string,
    data: Uint8Array,
    headers: MsgHdrs | undefined,
    budgetMs: number,
    signal: AbortSignal | undefined,
    what: string,
    publish?: Publish,
  ): Promise<Msg> {
    if (signal?.aborted) return Promise.reject(cancelled(what));
    const token = String(++this.#next);
    const reply = this.#prefix + token;
    // No Node timer waits longer (a longer one fires at once); a budget itself is at most this.
    const waitMs = Math.min(budgetMs + GRACE_MS, MAX_DURATION_MS);
    return new Promise<Msg>((resolve, reject) => {
      const timer = setTimeout(() => {
        const pending = this.#pending.get(token);
        if (!pending) return;
        this.#settle(token, pending);
        const stored = pending.storedIn;
        const why = pending.linkLost
          ? "this client's connection to NATS dropped while it waited, and its answer may have been lost with it"
          : "the host that took it may have stopped or died";
        reject(
          new DispatchError(
            ErrorCode.DISPATCH_TIMEOUT,
            `${what}: no answer within ${budgetMs / 1000} s (its budget): ${why}; it may or may not have run` +
              (stored === undefined
                ? ""
                : ` (JetStream stream ${stored} also stored a copy of it: if the service takes calls at least once, ` +
                  'give it delivery "at-least-once" in the client\'s services option too; if no host does any more, delete the stream)'),
          ),
        );
      }, waitMs);
      const onAbort = signal
        ? () => {
            const pending = this.#pending.get(token);
            if (!pending) return;
            this.#settle(token, pending);
            this.#cancel(reply);
            reject(cancelled(what));
          }
        : undefined;
      if (signal && onAbort) signal.addEventListener("abort", onAbort, { once: true });
      this.#pending.set(token, { resolve, reject, timer, signal, onAbort });
      const unsent = (error: unknown) => {
        const pending = this.#pending.get(token);
        if (!pending) return;
        this.#settle(token, pending);
        reject(
          error instanceof DispatchError
            ? error
            : new DispatchError(
                ErrorCode.NATS_UNAVAILABLE,
                `${what} was not sent: ${(error as Error).message}`,
                {
                  cause: error,
                },
              ),
        );
      };
      try {
        if (publish) publish(reply, subject, data, headers ?? natsHeaders(), budgetMs).catch(unsent);
        else this.#connection.publish(subject, data, headers ? { reply, headers } : { reply });
      } catch (error) {
        unsent(error);
      }
    });
  }

  /** The connection dropped: a request pending now that gets no answer says so. */
  lost(): void {
    for (const pending of this.#pending.values()) pending.linkLost = true;
  }

  /** Fails every pending request with `error` (the client closes). */
  failAll(error: () => Error): void {
    for (const [token, pending] of [...this.#pending]) {
      this.#settle(token, pending);
      pending.reject(error());
    }
  }

  #settle(token: string, pending: Pending): void {
    this.#pending.delete(token);
    clearTimeout(pending.timer);
    if (pending.onAbort) pending.signal?.removeEventListener("abort", pending.onAbort);
  }

  #cancel(reply: string): void {
    const h = natsHeaders();
    h.set(CALL_HEADER, reply);
    try {
      this.#connection.publish(CANCEL_SUBJECT, new Uint8Array(0), { headers: h });
    } catch {}
  }
}

function cancelled(what: string): DispatchError {
  return new DispatchError(
    ErrorCode.DISPATCH_CANCELLED,
    `${what} was cancelled by its caller (its signal aborted)`,
  );
}
