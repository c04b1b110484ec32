// Apps that call listen() themselves (PM2 and node:cluster apps). While a child loads the app, drover
// owns net.Server's listen(), as node:cluster does in a worker: the first listen() that would bind an
// address, whatever port or unix socket path it names, binds nothing. drover serves that server on the
// master's listeners instead, shared by every child, and tells it it listens (its callback runs,
// 'listening' fires, address() names drover's address) so that an app awaiting listen() goes on.
// A later listen() on that port or on drover's binds nothing either (a second binding of the same app,
// as Fastify's of ::1 beside 127.0.0.1); any other binds as usual, with a warning. Once the child
// knows what it serves, listen() is Node's again.
import { type AddressInfo, isIPv6, Server } from "node:net";
import type { Logger } from "../../log/logger.ts";
import { type ListenCall, readListenCall } from "./listen-call.ts";

export interface CapturedListen {
  readonly server: Server;
  /** The call, as the app could have written it: `listen(3000)`. */
  readonly text: string;
}

type Listen = Server["listen"];

export class ListenCapture {
  /** The master's listeners, as the child's spec names them: `127.0.0.1:8080`, `[::1]:8080`, `/run/app.sock`. */
  readonly #addresses: readonly string[];
  readonly #log: Logger;
  readonly #original: Listen = Server.prototype.listen;
  readonly #ours: Listen;
  // Later listens on these ports are more bindings of the server drover serves.
  readonly #ports: Set<number>;
  readonly #captured = Promise.withResolvers<CapturedListen>();
  #first: CapturedListen | undefined;
  #active = false;

  constructor(addresses: readonly string[], log: Logger) {
    this.#addresses = addresses;
    this.#log = log;
    this.#ports = new Set(addresses.flatMap((address) => portOf(address) ?? []));
    const capture = this;
    const original = this.#original;
    this.#ours = function listen(this: Server, ...args: unknown[]): Server {
      if (!capture.#active) return original.apply(this, args as Parameters<Listen>);
      return capture.#listen(this, args);
    } as Listen;
  }

  /** The first listen() seen, if there was one. */
  get first(): CapturedListen | undefined {
    return this.#first;
  }

  /** Resolves at the first listen(). */
  get captured(): Promise<CapturedListen> {
    return this.#captured.promise;
  }

  /** Where drover serves, for the log: `127.0.0.1:8080, /run/app.sock`. */
  get servedOn(): string {
    return this.#addresses.join(", ");
  }

  install(): void {
    this.#active = true;
    Server.prototype.listen = this.#ours;
  }

  /** listen() is Node's again (left to whoever wrapped it meanwhile, an APM agent say, who calls ours: it passes through). */
  restore(): void {
    this.#active = false;
    if (Server.prototype.listen === this.#ours) Server.prototype.listen = this.#original;
  }

  #listen(server: Server, args: unknown[]): Server {
    const call = readListenCall(args);
    const { target } = call;
    if (target.kind === "other") return this.#bind(server, args);
    if (this.#first === undefined) {
      this.#first = { server, text: call.text };
      if (target.kind === "tcp" && target.port !== 0) this.#ports.add(target.port);
      this.#pretend(server, call);
      this.#captured.resolve(this.#first);
      return server;
    }
    if (server === this.#first.server) {
      throw Object.assign(new Error("Listen method has been called more than once without closing."), {
        code: "ERR_SERVER_ALREADY_LISTEN",
      });
    }
    if (target.kind === "tcp" && this.#ports.has(target.port)) {
      this.#log.debug(
        { listen: call.text },
        `app called ${call.text} on another server, on a port it listens on already: nothing is bound; drover serves the first server on ${this.servedOn}`,
      );
      this.#pretend(server, call);
      return server;
    }
    this.#log.warn(
      { listen: call.text },
      `app called ${call.text} on a second server: drover serves only the first server the app listens with (${this.#first.text}), so each child binds this one on its own, and a fixed port fails with EADDRINUSE in all children but one; serve it from the first server, or from a drover module`,
    );
    return this.#bind(server, args);
  }

  #bind(server: Server, args: unknown[]): Server {
    return this.#original.apply(server, args as Parameters<Listen>);
  }

  // What a server that listened would show: its callback and 'listening' (after this call returns, as
  // Node does), `listening`, address(), and a close() whose callback is not told it never ran.
  #pretend(server: Server, call: ListenCall): void {
    if (call.callback) server.once("listening", call.callback);
    let listening = true;
    Object.defineProperty(server, "listening", { configurable: true, get: () => listening });
    const address = addressInfo(this.#addresses[0]);
    server.address = () => (listening ? address : null);
    const close = server.close;
    server.close = function (this: Server, callback?: (error?: Error) => void) {
      listening = false;
      if (typeof callback === "function") this.once("close", () => callback());
      return close.call(this);
    } as Server["close"];
    process.nextTick(() => server.emit("listening"));
  }
}

/** What address() returns for a listener of the spec: `{ address, family, port }`, or a socket path. */
export function addressInfo(address: string | undefined): AddressInfo | string | null {
  if (address === undefined) return null;
  if (address.startsWith("/")) return address;
  const port = portOf(address) ?? 0;
  const host = address.slice(0, address.lastIndexOf(":")).replace(/^\[(.*)\]$/, "$1");
  return { address: host, family: isIPv6(host) ? "IPv6" : "IPv4", port };
}

function portOf(address: string): number | undefined {
  if (address.startsWith("/")) return undefined;
  const port = Number(address.slice(address.lastIndexOf(":") + 1));
  return Number.isInteger(port) ? port : undefined;
}
