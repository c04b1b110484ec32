// The NATS transport, the master's side: one connection per set of servers, each service that has a
// NATS transport subscribed in its queue group, the sessions' own subjects, and the cancel subject.
// The dispatcher still chooses the drone (idle LIFO, backlog, deadlines), so every host stays
// idle-aware; the drone publishes the result to the caller's reply subject itself. A reload that keeps
// a service's subject keeps its subscription (no gap at all); one that changes it subscribes the new
// subject before it drains the old. A graceful stop drains every service subscription first, so that
// callers move to the other hosts, then the dispatcher drains.
import type { NatsConnection } from "@nats-io/transport-node";
import type { ResolvedNats } from "../../config/types/nats.ts";
import type { ResolvedService } from "../../config/types/service.ts";
import type { Logger } from "../../log/logger.ts";
import type { NatsState } from "../../scoreboard/index.ts";
import { plural } from "../../status/figures.ts";
import type { Dispatcher } from "../seam.ts";
import { Discovery } from "./discovery.ts";
import { guarded } from "./guarded.ts";
import { CALL_HEADER, headersOf } from "./headers.ts";
import { heldAnswers } from "./held-answers.ts";
import { InFlight } from "./in-flight.ts";
import { warnOfLeftoverStream } from "./leftover-stream.ts";
import { NatsLinks } from "./links.ts";
import { ServiceSubscription } from "./service-subscription.ts";
import { SessionSubscriptions } from "./session-subscriptions.ts";
import { CANCEL_SUBJECT } from "./subjects.ts";
import { WorkQueue } from "./work-queue.ts";

// How long a stop waits for subscriptions and connections to drain before it closes them anyway.
const DRAIN_MS = 2_000;

/** How one service's calls come in: a queue-group subscription, or a JetStream work queue. */
interface Intake {
  readonly service: string;
  readonly nats: ResolvedNats;
  /** Out of its queue group for a full backlog. */
  readonly full: boolean;
  /** Leaves for good; `handOn`: the master stops (see ServiceSubscription.leave). */
  leave(handOn: boolean): Promise<void>;
}

interface Served {
  readonly intake: Intake;
  readonly discovery: Discovery;
  readonly connection: NatsConnection;
}

export class NatsTransport {
  readonly #dispatcher: Dispatcher;
  readonly #log: Logger;
  readonly #links: NatsLinks;
  readonly #services = new Map<string, Served>();
  readonly #inFlight = new InFlight();
  /** Services that left their queue group and still hand their backlog on (ServiceSubscription.handedOn). */
  readonly #handingOn = new Set<Promise<void>>();
  readonly #sessions: SessionSubscriptions;
  #wanted: readonly ResolvedService[] = [];
  #closed = false;
  // Aborted at close(): calls off connections still being tried.
  readonly #closing = new AbortController();

  constructor(dispatcher: Dispatcher, log: Logger) {
    this.#dispatcher = dispatcher;
    this.#log = log.child({ transport: "nats" });
    this.#sessions = new SessionSubscriptions(dispatcher, this.#inFlight, this.#log);
    this.#links = new NatsLinks(this.#log, this.#closing.signal, (connection, servers) => {
      this.#listenForCancels(connection);
      void this.#follow(connection, servers);
    });
  }

  /** The serving generation's services: those with a NATS transport take calls from NATS from now on. */
  serve(services: readonly ResolvedService[]): void {
    if (this.#closed) return;
    this.#wanted = services;
    for (const service of services) {
      if (service.nats) void this.#serveOne(service);
      // One whose NATS transport was taken away before it ever connected was only "connecting".
      else this.#dispatcher.transportState(service.name, "none");
    }
    this.#links.giveUpUnwanted(services);
    const names = new Set(services.flatMap((service) => (service.nats ? [service.name] : [])));
    for (const [name, served] of this.#services) {
      if (names.has(name)) continue;
      this.#services.delete(name);
      this.#dispatcher.transportState(name, "none");
      void this.#leave(served, false);
    }
  }

  /** A graceful stop's first step: leave every queue group; resolves once what was delivered is handed on. */
  async leave(): Promise<void> {
    this.#wanted = [];
    const leaving = [...this.#services.values()].map((served) => this.#leave(served, true));
    for (const name of this.#services.keys()) this.#dispatcher.transportState(name, "none");
    this.#services.clear();
    await withinDrain(Promise.all(leaving));
  }

  /** Gives up everything: subscriptions, connections. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing.abort();
    await this.leave();
    await withinDrain(Promise.all(this.#handingOn));
    this.#sessions.close();
    this.#inFlight.cancelAll();
    await Promise.all(
      this.#links.takeAll().map(async (link) => {
        const connection = await withinDrain(link.connection.catch(() => undefined));
        if (!connection) return;
        await withinDrain(connection.drain().catch(() => {}));
        if (!connection.isClosed()) await connection.close().catch(() => {});
      }),
    );
  }

  async #serveOne(service: ResolvedService): Promise<void> {
    const nats = service.nats;
    if (!nats) return;
    const current = this.#services.get(service.name);
    if (current && JSON.stringify(current.intake.nats) === JSON.stringify(nats)) return;
    if (!current) this.#dispatcher.transportState(service.name, "connecting");
    const connection = await this.#links.get(nats).connection.catch(() => undefined);
    // Meanwhile the master may have stopped, or another generation may want something else.
    const wanted = this.#wanted.find((entry) => entry.name === service.name);
    if (!connection || this.#closed || wanted?.nats !== nats) return;
    const before = this.#services.get(service.name);
    if (before && JSON.stringify(before.intake.nats) === JSON.stringify(nats)) return;
    // The new subject first, then the old one drained: no moment without a subscription.
    const parts = { dispatcher: this.#dispatcher, inFlight: this.#inFlight, log: this.#log };
    const closing = this.#closing.signal;
    const intake: Intake =
      nats.delivery === "at-least-once"
        ? new WorkQueue(service.name, nats, connection, parts)
        : new ServiceSubscription(service.name, nats, connection, {
            ...parts,
            opened: (session) => this.#sessions.listen(connection, service.name, session),
            changed: () => this.#report(service.name),
            closing,
          });
    const discovery = new Discovery(connection, service.name, nats, this.#dispatcher);
    this.#services.set(service.name, { intake, discovery, connection });
    // The server has the subscription once it answers a PING sent after it: only then say so, and
    // only then drain the old one.
    await connection.flush().catch(() => {});
    if (before) void this.#leave(before, false);
    this.#report(service.name);
    if (intake instanceof ServiceSubscription && this.#services.get(service.name)?.intake === intake) {
      this.#log.info(
        { service: service.name, subject: nats.subject, queue: nats.queue, servers: nats.servers },
        `service "${service.name}" takes calls from NATS on ${nats.subject}.<method> (queue group ${nats.queue})`,
      );
      void warnOfLeftoverStream(service.name, nats, connection, this.#log);
    }
  }

  #listenForCancels(connection: NatsConnection): void {
    connection.subscribe(CANCEL_SUBJECT, {
      // Anyone may publish here: a cancel whose headers cannot be read names no call.
      callback: guarded(
        (message) => {
          const call = headersOf(message)?.get(CALL_HEADER);
          if (call) this.#inFlight.cancel(call);
        },
        (error) =>
          this.#log.error({ err: error }, `a cancel could not be handled: ${(error as Error)?.message}`),
      ),
    });
  }

  // Where a service's transport is, for drover status.
  #report(name: string): void {
    const served = this.#services.get(name);
    if (!served) return;
    const { intake, connection } = served;
    let state: NatsState = intake.full ? "full" : "taking";
    if (heldAnswers(connection).down) state = "disconnected";
    else if (intake instanceof WorkQueue) state = "pulling";
    this.#dispatcher.transportState(name, state);
  }

  #reportAll(connection: NatsConnection): void {
    for (const [name, served] of this.#services) if (served.connection === connection) this.#report(name);
  }

  // `handOn`: the master stops, and its backlog goes on to the peers as they come free meanwhile.
  async #leave({ intake, discovery }: Served, handOn: boolean): Promise<void> {
    discovery.close();
    await intake.leave(handOn);
    if (!handOn || !(intake instanceof ServiceSubscription)) return;
    const handing = intake.handedOn;
    this.#handingOn.add(handing);
    void handing.then(() => this.#handingOn.delete(handing));
  }

  async #follow(connection: NatsConnection, servers: string): Promise<void> {
    const held = heldAnswers(connection);
    for await (const status of connection.status()) {
      if (status.type === "disconnect") {
        held.lost();
        this.#reportAll(connection);
        this.#log.warn({ servers }, `lost NATS at ${servers}: reconnecting (answers are held meanwhile)`);
      } else if (status.type === "reconnect") {
        this.#log.info({ servers }, `reached NATS at ${servers} again`);
        const back = held.back();
        this.#reportAll(connection);
        for (const { intake, connection: its } of this.#services.values()) {
          if (its === connection && intake instanceof ServiceSubscription) intake.reconnected();
        }
        void back.then((sent) => {
          if (sent > 0)
            this.#log.info(
              { servers, sent },
              `sent ${plural(sent, "answer", "answers")} held while NATS was down`,
            );
        });
      } else if (status.type === "ldm")
        this.#log.warn({ servers }, "the NATS server is entering lame-duck mode");
    }
  }
}

function withinDrain<T>(promise: Promise<T>): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), DRAIN_MS);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve(undefined);
      },
    );
  });
}
