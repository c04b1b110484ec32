// connect({ nats }): a client of the services that drover masters serve over NATS. One NATS
// connection carries every call; it reconnects by itself after an outage, and meanwhile calls fail at
// once (DROVER_ERR_NATS_UNAVAILABLE) instead of waiting for their timeout.
import { connect as connectNatsServer, type NatsConnection } from "@nats-io/transport-node";
import { subjectToken } from "../../config/nats.ts";
import { readNatsSecurity } from "../../config/nats-security.ts";
import type { ConfigProblem } from "../../config/types/problem.ts";
import { ErrorCode } from "../../errors.ts";
import type { ServiceDefinition, ServiceShape } from "../../service/define.ts";
import { connectHint, natsConnectionOptions } from "../../transports/nats/options.ts";
import { DispatchError } from "../errors.ts";
import { checkKnown } from "../known-options.ts";
import { checkServiceName } from "../service-client.ts";
import type { Client, NatsClientOptions, NatsServiceOptions, ServiceClient } from "../types.ts";
import { type NatsLink, NatsService } from "./nats-service.ts";
import { Requests } from "./requests.ts";

const CONNECT_TIMEOUT_MS = 5_000;

export async function connectNats(options: NatsClientOptions, budget: number | undefined): Promise<Client> {
  if (typeof options !== "object" || options === null) {
    throw new DispatchError(
      ErrorCode.DISPATCH_BAD_MESSAGE,
      `connect()'s nats must be an object ({ servers }), got ${options === null ? "null" : typeof options}`,
    );
  }
  checkKnown(
    options,
    ["servers", "user", "pass", "token", "creds", "nkey", "tls", "name", "services"],
    "connect()'s nats",
  );
  for (const [name, service] of Object.entries(options.services ?? {})) {
    if (typeof service === "object" && service !== null)
      checkKnown(service, ["subject", "delivery"], `connect()'s nats.services.${name}`);
  }
  const servers = typeof options.servers === "string" ? [options.servers] : options.servers;
  if (
    !Array.isArray(servers) ||
    servers.length === 0 ||
    !servers.every((server) => typeof server === "string" && server !== "")
  ) {
    throw new DispatchError(
      ErrorCode.DISPATCH_BAD_MESSAGE,
      `connect()'s nats.servers must be a server ("127.0.0.1:4222") or a list of them, got ${JSON.stringify(options.servers)}`,
    );
  }
  // The same checks as a service's transport.nats, the files' paths from the current folder.
  const problems: ConfigProblem[] = [];
  const security = readNatsSecurity({ ...options }, "connect()'s nats", process.cwd(), problems);
  if (problems.length > 0) {
    throw new DispatchError(
      ErrorCode.DISPATCH_BAD_MESSAGE,
      problems.map(({ field, reason }) => `${field}: ${reason}`).join("; "),
    );
  }
  let connection: NatsConnection;
  try {
    connection = await connectNatsServer({
      ...natsConnectionOptions({ ...security, servers }, options.name ?? `drover client ${process.pid}`),
      waitOnFirstConnect: false,
      timeout: budget ?? CONNECT_TIMEOUT_MS,
    });
  } catch (error) {
    throw new DispatchError(
      ErrorCode.NATS_UNAVAILABLE,
      `cannot connect to NATS at ${servers.join(", ")}: ${(error as Error).message}: ${connectHint(error)}`,
      { cause: error },
    );
  }
  return new NatsClient(connection, servers.join(", "), options.services ?? {}, budget);
}

class NatsClient implements Client {
  readonly socket: string;
  readonly #connection: NatsConnection;
  readonly #link: NatsLink;
  readonly #options: Readonly<Record<string, NatsServiceOptions>>;
  readonly #timeoutMs: number | undefined;
  readonly #services = new Map<string, NatsService<ServiceDefinition>>();
  #down: string | undefined;
  #closed = false;

  constructor(
    connection: NatsConnection,
    servers: string,
    options: Readonly<Record<string, NatsServiceOptions>>,
    timeoutMs: number | undefined,
  ) {
    this.socket = servers;
    this.#connection = connection;
    this.#options = options;
    this.#timeoutMs = timeoutMs;
    const requests = new Requests(connection);
    this.#link = { connection, requests, down: () => this.#down };
    void this.#follow(servers);
  }

  service<D extends ServiceShape = ServiceDefinition>(name: string): ServiceClient<D> {
    let service = this.#services.get(name);
    if (!service) {
      const checked = checkServiceName(name);
      const options = this.#options[checked] ?? {};
      service = new NatsService(this.#link, checked, {
        subject: options.subject ?? `drover.${subjectToken(checked)}`,
        atLeastOnce: options.delivery === "at-least-once",
        defaultTimeoutMs: this.#timeoutMs,
      });
      this.#services.set(name, service);
    }
    return service as unknown as ServiceClient<D>;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#down = "the client was closed (client.close())";
    this.#link.requests.failAll(
      () =>
        new DispatchError(
          ErrorCode.DISPATCH_CONNECTION,
          "the client was closed (client.close()) while the call was pending: it may or may not have run",
        ),
    );
    await this.#connection.close().catch(() => {});
  }

  async #follow(servers: string): Promise<void> {
    for await (const status of this.#connection.status()) {
      if (status.type === "disconnect") {
        this.#down ??= `the connection to NATS at ${servers} is down (reconnecting); retry shortly`;
        this.#link.requests.lost();
      } else if (status.type === "reconnect" && !this.#closed) this.#down = undefined;
    }
  }
}
