// The NATS services protocol ("micro"), answered by the master for each service it serves over NATS,
// so that standard tooling (`nats micro ls|info|stats`) sees drover services: `$SRV.PING|INFO|STATS`,
// each also with `.<name>` and `.<name>.<id>`. One instance per service per master (its id); one
// endpoint, the service's subject, listing the methods. Written here rather than taken from
// @nats-io/services, whose only published versions are prereleases on an older NATS core (research 3.2).
import { hostname } from "node:os";
import type { Msg, NatsConnection, Subscription } from "@nats-io/transport-node";
import { nuid } from "@nats-io/transport-node";
import { subjectToken } from "../../config/nats.ts";
import type { ResolvedNats } from "../../config/types/nats.ts";
import { plural } from "../../status/figures.ts";
import { readDroverVersion } from "../../util/version.ts";
import type { Dispatcher } from "../seam.ts";

const VERBS = ["PING", "INFO", "STATS"] as const;
type Verb = (typeof VERBS)[number];

export class Discovery {
  readonly #service: string;
  readonly #name: string;
  readonly #nats: ResolvedNats;
  readonly #dispatcher: Dispatcher;
  readonly #id = nuid.next();
  readonly #started = new Date().toISOString();
  readonly #subscriptions: Subscription[];

  constructor(connection: NatsConnection, service: string, nats: ResolvedNats, dispatcher: Dispatcher) {
    this.#service = service;
    this.#name = subjectToken(service);
    this.#nats = nats;
    this.#dispatcher = dispatcher;
    this.#subscriptions = VERBS.flatMap((verb) =>
      [`$SRV.${verb}`, `$SRV.${verb}.${this.#name}`, `$SRV.${verb}.${this.#name}.${this.#id}`].map(
        (subject) =>
          connection.subscribe(subject, {
            callback: (error, message) => {
              if (!error) this.#answer(verb, message);
            },
          }),
      ),
    );
  }

  close(): void {
    for (const subscription of this.#subscriptions) subscription.unsubscribe();
  }

  #answer(verb: Verb, message: Msg): void {
    const description = this.#dispatcher.describe(this.#service);
    if (!description || !message.reply) return;
    const base = {
      name: this.#name,
      id: this.#id,
      version: readDroverVersion() ?? "0.0.0",
      metadata: {
        "drover.service": this.#service,
        "drover.host": hostname(),
        "drover.pid": String(process.pid),
      },
    };
    const endpoint = {
      name: this.#name,
      subject: `${this.#nats.subject}.>`,
      queue_group: this.#nats.queue,
      metadata: { methods: description.methods.join(",") },
    };
    let body: Record<string, unknown>;
    if (verb === "PING") body = { type: "io.nats.micro.v1.ping_response", ...base };
    else if (verb === "INFO") {
      body = {
        type: "io.nats.micro.v1.info_response",
        ...base,
        description: `drover service "${this.#service}": ${plural(description.drones, "drone", "drones")}`,
        endpoints: [endpoint],
      };
    } else {
      const processingNs = Math.round(description.runTimeMs * 1e6);
      body = {
        type: "io.nats.micro.v1.stats_response",
        ...base,
        started: this.#started,
        endpoints: [
          {
            ...endpoint,
            num_requests: description.calls,
            num_errors: description.failed,
            last_error: "",
            processing_time: processingNs,
            average_processing_time: description.runs > 0 ? Math.round(processingNs / description.runs) : 0,
            data: { drones: description.drones, backlog: description.backlog },
          },
        ],
      };
    }
    try {
      message.respond(JSON.stringify(body));
    } catch {}
  }
}
