// The master's NATS connections, one per set of servers, shared by the services that name them. Each
// is tried until it connects (or the master stops); one still being tried that no service of the
// serving generation wants is given up (a reload took away a transport whose servers were never
// reached), while one that connected is kept.
import type { NatsConnection } from "@nats-io/transport-node";
import type { ResolvedNats } from "../../config/types/nats.ts";
import type { ResolvedService } from "../../config/types/service.ts";
import type { Logger } from "../../log/logger.ts";
import { connectionKey, connectUntil, natsConnectionOptions } from "./options.ts";

export interface Link {
  readonly servers: string;
  readonly connection: Promise<NatsConnection>;
}

interface Tried extends Link {
  readonly giveUp: AbortController;
  connected: boolean;
}

export class NatsLinks {
  readonly #links = new Map<string, Tried>();
  readonly #log: Logger;
  readonly #closing: AbortSignal;
  readonly #connected: (connection: NatsConnection, servers: string) => void;

  constructor(
    log: Logger,
    closing: AbortSignal,
    connected: (connection: NatsConnection, servers: string) => void,
  ) {
    this.#log = log;
    this.#closing = closing;
    this.#connected = connected;
  }

  /** The connection to `nats`'s servers, tried from now on if nothing asked for it before. */
  get(nats: ResolvedNats): Link {
    const key = connectionKey(nats);
    const known = this.#links.get(key);
    if (known) return known;
    const servers = nats.servers.join(", ");
    const giveUp = new AbortController();
    // Each new reason once (a server not up yet, then refused credentials), not every attempt.
    let failed = false;
    const failedFor = (error: unknown, why: string) => {
      failed = true;
      this.#log.warn(
        { err: error, servers },
        `cannot connect to NATS at ${servers}: ${why}; still trying, and the services' NATS callers wait`,
      );
    };
    const connection = connectUntil(
      // No echo: a master has no use for its own messages (its idle counts, to the peers, above all).
      { ...natsConnectionOptions(nats, `drover master ${process.pid}`), noEcho: true },
      AbortSignal.any([this.#closing, giveUp.signal]),
      failedFor,
    );
    const link: Tried = { servers, connection, giveUp, connected: false };
    this.#links.set(key, link);
    connection.then(
      (connected) => {
        if (failed) this.#log.info({ servers }, `connected to NATS at ${servers}`);
        link.connected = true;
        this.#connected(connected, servers);
      },
      (error: unknown) => {
        // The master stopped, or a reload took the servers away, while it was still trying: no failure.
        if (this.#closing.aborted || giveUp.signal.aborted) return;
        this.#log.error(
          { err: error, servers },
          `cannot connect to NATS at ${servers}: ${(error as Error).message}`,
        );
      },
    );
    return link;
  }

  /** Gives up the connections still being tried that none of `services` names. */
  giveUpUnwanted(services: readonly ResolvedService[]): void {
    const wanted = new Set(
      services.flatMap((service) => (service.nats ? [connectionKey(service.nats)] : [])),
    );
    for (const [key, link] of this.#links) {
      if (wanted.has(key) || link.connected) continue;
      this.#links.delete(key);
      link.giveUp.abort();
      this.#log.info(
        { servers: link.servers },
        `no service uses NATS at ${link.servers} any more: stopped trying it`,
      );
    }
  }

  /** Every connection, forgotten here (the master stops). */
  takeAll(): Link[] {
    const links = [...this.#links.values()];
    this.#links.clear();
    return links;
  }
}
