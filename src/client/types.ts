// What `drover/client` offers, typed from a service's definition:
// `client.service<typeof import("./math.ts").default>("math").call("add", { a: 1, b: 2 })`.
import type { Duration } from "../config/types/values.ts";
import type { ParamsOf, ResultOf, ServiceDefinition, ServiceShape } from "../service/define.ts";

/** How a client reaches services served over NATS (a service's `transport: { nats }`). */
export interface NatsClientOptions {
  /** The NATS server or servers: "127.0.0.1:4222", "nats://host:4222", or a list. */
  readonly servers: string | readonly string[];
  /** One way in at most: a user and pass, a token, a credentials file or an nkey seed file. */
  readonly user?: string;
  readonly pass?: string;
  readonly token?: string;
  /** A credentials file (a user's JWT and nkey seed, as `nsc` writes it). */
  readonly creds?: string;
  /** A file holding a user's nkey seed ("SU..."). */
  readonly nkey?: string;
  /** TLS: true with the system's CAs, or the files of a CA and of a client certificate and its key. */
  readonly tls?: true | { readonly ca?: string; readonly cert?: string; readonly key?: string };
  /** The connection's name, as NATS monitoring shows it. */
  readonly name?: string;
  /**
   * Services whose config sets a `subject` other than "drover.<name>", or `delivery: "at-least-once"`:
   * `{ math: { subject: "acme.math" }, billing: { delivery: "at-least-once" } }`.
   */
  readonly services?: Readonly<Record<string, NatsServiceOptions>>;
}

export interface NatsServiceOptions {
  readonly subject?: string;
  readonly delivery?: "at-most-once" | "at-least-once";
}

export interface ConnectOptions {
  /**
   * Call the services drover masters serve over NATS instead of one master's socket: any host's master
   * in the service's queue group takes each call.
   */
  readonly nats?: NatsClientOptions;
  /** The master's run directory; its service socket is `dispatch.sock` there. Default: `.drover` in the current folder. */
  readonly runDir?: string;
  /** The service socket itself (taken over runDir when both are given). */
  readonly socket?: string;
  /**
   * Each call's budget unless the call gives its own (milliseconds, or "5s"); also bounds connecting.
   * Without one a call has the service's requestTimeout.
   */
  readonly timeout?: Duration;
}

export interface CallOptions {
  /** The call's budget: the master fails it with DROVER_ERR_DISPATCH_TIMEOUT past it. */
  readonly timeout?: Duration;
  /** Aborting it cancels the call: it rejects at once with DROVER_ERR_DISPATCH_CANCELLED. */
  readonly signal?: AbortSignal;
}

export interface SessionOptions {
  /**
   * When a call fails with DROVER_ERR_SESSION_EXPIRED (the session idled out, reached its lifetime, or
   * a reload moved it), open a new session and send the call again, once. The new session runs on a
   * drone that may be another: whatever the old one held (its `session.store`) is gone; it starts fresh.
   */
  readonly reconnect?: boolean;
  /** The budget for opening the session, and for each of its calls that gives none. */
  readonly timeout?: Duration;
}

type Methods<D extends ServiceShape> = keyof D["methods"] & string;

export interface ServiceClient<D extends ServiceShape = ServiceDefinition> {
  readonly name: string;
  /** Calls `method` on one of the service's drones and settles with what it returned. */
  call<K extends Methods<D>>(
    method: K,
    params: ParamsOf<D, K>,
    options?: CallOptions,
  ): Promise<ResultOf<D, K>>;
  /** Opens a session: its calls all run on one drone, pinned to it until the session ends. */
  session(options?: SessionOptions): Promise<Session<D>>;
}

export interface Session<D extends ServiceShape = ServiceDefinition> {
  /** The session's id (a new one after a reconnect). */
  readonly id: string;
  call<K extends Methods<D>>(
    method: K,
    params: ParamsOf<D, K>,
    options?: CallOptions,
  ): Promise<ResultOf<D, K>>;
  /** Ends the session (its drone runs onDisconnect); its later calls fail with DROVER_ERR_SESSION_EXPIRED. */
  close(): Promise<void>;
}

export interface Client {
  /** The service socket this client is connected to (over NATS: the servers). */
  readonly socket: string;
  service<D extends ServiceShape = ServiceDefinition>(name: string): ServiceClient<D>;
  /** Closes the connection; calls still pending reject with DROVER_ERR_DISPATCH_CONNECTION. */
  close(): Promise<void>;
}
