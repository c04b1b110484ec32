// A drone's own NATS connection, for the results of calls that came over NATS: the drone publishes each
// straight to its caller's reply subject, so the master is off the return path (research 4.2). While
// the connection is not up (at start, during an outage) the result goes back through the master
// instead, which answers it over its own connection (when that is down too, the caller's timeout
// says it): a result is never left here. nats.js takes a publish while it reconnects and drops it at
// its next dial, so "up" is what its status events said last, not "not closed". A result written
// before the client notices a broken link is lost, as any message in flight then.
import type { NatsConnection } from "@nats-io/transport-node";
import type { ResolvedNats } from "../config/types/nats.ts";
import type { RemoteError } from "../dispatch/wire/messages.ts";
import { ErrorCode } from "../errors.ts";
import type { Logger } from "../log/logger.ts";
import type { FailureDetails } from "../transports/seam.ts";
import { droverFailure } from "./failures.ts";

/** A call's failure as its caller hears it. */
export interface Failure {
  readonly code: ErrorCode;
  readonly message: string;
  readonly details?: FailureDetails;
}

export type Published = { readonly sent: true } | { readonly sent: false; readonly error?: RemoteError };

type ReplyModule = typeof import("../transports/nats/nats-reply.ts");

export class NatsReplies {
  #connection: NatsConnection | undefined;
  #reply: ReplyModule | undefined;
  // Between a disconnect and the reconnect that follows it.
  #down = false;
  readonly #opening: Promise<void>;
  readonly #stop = new AbortController();

  constructor(nats: ResolvedNats, name: string, log: Logger) {
    // Loaded here, so that a drone of a service without NATS never loads the NATS client.
    this.#opening = Promise.all([
      import("../transports/nats/options.ts"),
      import("../transports/nats/nats-reply.ts"),
    ])
      .then(([{ connectUntil, natsConnectionOptions }, reply]) => {
        this.#reply = reply;
        // A drone runs as the service's user, which may not read a file the master could (creds, TLS).
        const failedFor = (error: unknown, why: string) =>
          log.warn(
            { err: error },
            `the drone cannot connect to NATS: ${why}; its results go back through the master meanwhile`,
          );
        return connectUntil(natsConnectionOptions(nats, name), this.#stop.signal, failedFor);
      })
      .then(
        (connection) => {
          if (this.#stop.signal.aborted) {
            void connection.close();
            return;
          }
          this.#connection = connection;
          void this.#follow(connection, log);
        },
        (error: unknown) => {
          if (!this.#stop.signal.aborted)
            log.warn({ err: error }, "the drone cannot reach NATS: its results go back through the master");
        },
      );
  }

  /** Publishes `body` to `subject`; when it cannot, says why (or, with no error, to send it through the master). */
  publish(subject: string, body: Uint8Array, method: string): Published {
    const connection = this.#connection;
    if (!connection || this.#down || connection.isClosed() || connection.isDraining()) return { sent: false };
    const max = connection.info?.max_payload ?? Number.POSITIVE_INFINITY;
    if (body.byteLength > max) {
      return {
        sent: false,
        error: droverFailure(
          ErrorCode.MESSAGE_TOO_LARGE,
          `the result of ${method} is ${body.byteLength} bytes, over the NATS server's max_payload of ${max}: return less, or raise max_payload in the nats-server config`,
        ),
      };
    }
    try {
      connection.publish(subject, body);
      return { sent: true };
    } catch {
      return { sent: false };
    }
  }

  /**
   * Answers `subject` with a call's failure, as the master would have (its master is gone, so nobody
   * else can); best effort: false when NATS is not up.
   */
  publishFailure(subject: string, { code, message, details }: Failure): boolean {
    const connection = this.#connection;
    const reply = this.#reply;
    if (!connection || !reply || this.#down || connection.isClosed() || connection.isDraining()) return false;
    let sent = false;
    reply.respondError(
      (body, h) => {
        try {
          connection.publish(subject, body, h ? { headers: h } : undefined);
          sent = true;
        } catch {
          // Too large with the remote stack: respondError tries again with the headers alone.
        }
        return sent;
      },
      code,
      message,
      details,
    );
    return sent;
  }

  /** Sends what was published, then closes the connection. */
  async close(): Promise<void> {
    this.#stop.abort();
    await this.#opening;
    await this.#connection?.drain().catch(() => {});
  }

  async #follow(connection: NatsConnection, log: Logger): Promise<void> {
    for await (const status of connection.status()) {
      if (status.type === "disconnect") {
        this.#down = true;
        log.warn("the drone lost NATS: reconnecting (its results go back through the master meanwhile)");
      } else if (status.type === "reconnect") {
        this.#down = false;
        log.info("the drone reached NATS again");
      }
    }
  }
}
