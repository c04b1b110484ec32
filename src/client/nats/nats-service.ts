// One service as a client calls it over NATS: `<subject>.<method>` for a call (any host's master in
// the service's queue group takes it), `<subject>.$open` for a session, then the session's own subject.
// The caller's budget travels in Drover-Timeout; a call is refused here, nothing sent, when its params
// cannot be cloned, exceed what the NATS server carries, or the connection to NATS is down.
import { serialize } from "node:v8";
import { jetstream } from "@nats-io/jetstream";
import { type NatsConnection, headers as natsHeaders } from "@nats-io/transport-node";
import { ErrorCode } from "../../errors.ts";
import type { ServiceShape } from "../../service/define.ts";
import { REPLY_HEADER, TIMEOUT_HEADER } from "../../transports/nats/headers.ts";
import { CLOSE_TOKEN, OPEN_TOKEN, sessionSubject } from "../../transports/nats/subjects.ts";
import { readCall, unsendableParams } from "../call-options.ts";
import { DispatchError } from "../errors.ts";
import { ServiceBase } from "../service-base.ts";
import type { CallOptions, Session, SessionOptions } from "../types.ts";
import { checkReply, resultOf, sessionOf } from "./answers.ts";
import type { Publish, Requests } from "./requests.ts";

/** A call's budget over NATS when neither the call nor the client gives one: the services' default requestTimeout. */
export const DEFAULT_BUDGET_MS = 30_000;

/** Sends a call through JetStream: stored in the service's stream first, its answer to `reply`. */
function throughStream(connection: NatsConnection, subject: string): Publish {
  const js = jetstream(connection);
  return async (reply, target, data, h, timeoutMs) => {
    h.set(REPLY_HEADER, reply);
    try {
      // The reply subject is unique: JetStream drops a duplicate of a publish retried after a lost ack.
      await js.publish(target, data, { headers: h, msgID: reply, timeout: timeoutMs });
    } catch (error) {
      throw new DispatchError(
        ErrorCode.NO_RESPONDERS,
        `no JetStream stream took the call on ${target} (nats.js: ${(error as Error).message}): no stream captures ${subject}.>, or the nats-server runs without -js; check the service's name (and a subject of its own in the client's services option), and that a master serves it with delivery "at-least-once" (it makes the stream); nothing ran`,
        { cause: error },
      );
    }
  };
}
const NOTHING = new Uint8Array(0);

export interface NatsLink {
  readonly connection: NatsConnection;
  readonly requests: Requests;
  /** Why calls cannot go out now (the connection is down), or undefined. */
  readonly down: () => string | undefined;
}

export interface NatsServiceSettings {
  readonly subject: string;
  /** Calls go through the service's JetStream stream (its config has delivery "at-least-once"). */
  readonly atLeastOnce: boolean;
  readonly defaultTimeoutMs: number | undefined;
}

export class NatsService<D extends ServiceShape> extends ServiceBase<D> {
  readonly #subject: string;
  readonly #link: NatsLink;
  readonly #publish: Publish | undefined;

  constructor(link: NatsLink, name: string, settings: NatsServiceSettings) {
    super(name, settings.defaultTimeoutMs);
    this.#link = link;
    this.#subject = settings.subject;
    this.#publish = settings.atLeastOnce ? throughStream(link.connection, settings.subject) : undefined;
  }

  override async session(options: SessionOptions = {}): Promise<Session<D>> {
    if (this.#publish) {
      throw new DispatchError(
        ErrorCode.DISPATCH_BAD_MESSAGE,
        `${this.name} takes calls at least once, through JetStream, which cannot keep a session on one drone: call it without a session`,
      );
    }
    return super.session(options);
  }

  async send(
    method: string,
    params: unknown,
    options: CallOptions | undefined,
    session: string | undefined,
    defaultTimeoutMs: number | undefined,
  ): Promise<unknown> {
    const { budget, signal } = readCall(this.name, method, options, defaultTimeoutMs);
    let body: Buffer;
    try {
      body = serialize(params);
    } catch (error) {
      throw unsendableParams(this.name, method, error);
    }
    const what = `${this.name}.${method}`;
    this.#checkSendable(what, body.byteLength);
    const subject =
      session === undefined ? `${this.#subject}.${method}` : `${sessionSubject(session)}.${method}`;
    const reply = await this.#request(subject, body, budget, signal, what);
    return resultOf(reply, what, session !== undefined);
  }

  async openSession(budget: number | undefined): Promise<string> {
    const what = `opening a session of ${this.name}`;
    this.#checkSendable(what, 0);
    const reply = await this.#request(`${this.#subject}.${OPEN_TOKEN}`, NOTHING, budget, undefined, what);
    return sessionOf(reply, what);
  }

  async closeSession(session: string, budget: number | undefined): Promise<void> {
    const what = `closing session ${session} of ${this.name}`;
    this.#checkSendable(what, 0);
    const reply = await this.#request(
      `${sessionSubject(session)}.${CLOSE_TOKEN}`,
      NOTHING,
      budget,
      undefined,
      what,
    );
    checkReply(reply, what, true);
  }

  #request(
    subject: string,
    body: Uint8Array,
    budget: number | undefined,
    signal: AbortSignal | undefined,
    what: string,
  ) {
    const ms = budget ?? DEFAULT_BUDGET_MS;
    const h = natsHeaders();
    h.set(TIMEOUT_HEADER, String(Math.ceil(ms)));
    return this.#link.requests.request(subject, body, h, ms, signal, what, this.#publish);
  }

  #checkSendable(what: string, bytes: number): void {
    const down = this.#link.down();
    if (down) throw new DispatchError(ErrorCode.NATS_UNAVAILABLE, `${what} was not sent: ${down}`);
    const max = this.#link.connection.info?.max_payload ?? Number.POSITIVE_INFINITY;
    if (bytes > max) {
      throw new DispatchError(
        ErrorCode.MESSAGE_TOO_LARGE,
        `the params of ${what} are ${bytes} bytes, over the NATS server's max_payload of ${max}: send less in one call (or raise max_payload in nats-server's config); nothing was sent`,
      );
    }
  }
}
