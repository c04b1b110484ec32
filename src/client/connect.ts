// connect(): the client of a master's service socket. One connection carries every call of every
// service, many at once; each call is one frame out and one back.
import { connect as connectSocket, type Socket } from "node:net";
import { resolve } from "node:path";
import { ErrorCode } from "../errors.ts";
import type { ServiceDefinition, ServiceShape } from "../service/define.ts";
import { ClientConnection } from "./connection.ts";
import { DispatchError } from "./errors.ts";
import { checkKnown } from "./known-options.ts";
import { checkServiceName, RemoteService } from "./service-client.ts";
import { dispatchSocketPath } from "./socket-path.ts";
import { timeoutMs } from "./timeouts.ts";
import type { Client, ConnectOptions, ServiceClient } from "./types.ts";

/** The run directory a client looks in by default, as the config's runDir default: `.drover` here. */
const DEFAULT_RUN_DIR = ".drover";

/** Connects to the service socket of the master in `runDir` (or at `socket`). */
export async function connect(options: ConnectOptions = {}): Promise<Client> {
  if (typeof options !== "object" || options === null) {
    throw badOption(
      `connect() takes an object of options, got ${options === null ? "null" : typeof options}`,
    );
  }
  checkKnown(options, ["runDir", "socket", "timeout", "nats"], "connect()");
  for (const name of ["runDir", "socket"] as const) {
    const value = options[name];
    if (value !== undefined && (typeof value !== "string" || value === "")) {
      throw badOption(`connect()'s ${name} must be a non-empty path, got ${JSON.stringify(value)}`);
    }
  }
  const budget = timeoutMs(options.timeout, "connect()'s timeout");
  if (options.nats !== undefined) {
    // Loaded only here, so that a client of the embedded socket never loads the NATS client.
    const { connectNats } = await import("./nats/connect-nats.ts");
    return connectNats(options.nats, budget);
  }
  const path = resolve(options.socket ?? dispatchSocketPath(options.runDir ?? DEFAULT_RUN_DIR));
  const socket = await openSocket(path, budget);
  return new DroverClient(new ClientConnection(socket, path), budget);
}

class DroverClient implements Client {
  readonly socket: string;
  readonly #connection: ClientConnection;
  readonly #timeoutMs: number | undefined;
  readonly #services = new Map<string, RemoteService<ServiceDefinition>>();

  constructor(connection: ClientConnection, timeoutMs: number | undefined) {
    this.#connection = connection;
    this.socket = connection.path;
    this.#timeoutMs = timeoutMs;
  }

  service<D extends ServiceShape = ServiceDefinition>(name: string): ServiceClient<D> {
    let service = this.#services.get(name);
    if (!service) {
      service = new RemoteService(this.#connection, checkServiceName(name), this.#timeoutMs);
      this.#services.set(name, service);
    }
    return service as unknown as ServiceClient<D>;
  }

  close(): Promise<void> {
    return this.#connection.close();
  }
}

function openSocket(path: string, budget: number | undefined): Promise<Socket> {
  return new Promise((resolvePromise, reject) => {
    const socket = connectSocket(path);
    const timer =
      budget === undefined
        ? undefined
        : setTimeout(() => {
            socket.destroy();
            reject(
              new DispatchError(
                ErrorCode.DISPATCH_CONNECTION,
                `connecting to ${path} took more than ${budget / 1000} s: is the drover master stuck? see drover status`,
              ),
            );
          }, budget);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      resolvePromise(socket);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(connectError(path, error));
    });
  });
}

function connectError(path: string, error: NodeJS.ErrnoException): DispatchError {
  const message =
    error.code === "EACCES" || error.code === "EPERM"
      ? `permission denied on ${path}: the service socket is its owner's alone (0600); ` +
        "call as the user that started the master, or as root"
      : `cannot connect to ${path} (${error.code ?? error.message}): is drover running with services ` +
        "in that run directory? see drover status";
  return new DispatchError(ErrorCode.DISPATCH_CONNECTION, message, { cause: error });
}

function badOption(message: string): DispatchError {
  return new DispatchError(ErrorCode.DISPATCH_BAD_MESSAGE, message);
}
