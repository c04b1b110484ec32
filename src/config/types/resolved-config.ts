// The configuration the master runs with once checkConfig has filled in, converted and adjusted
// everything a user wrote (DroverConfig): its listeners checked, its user and group resolved to ids.
import type { ResolvedService } from "./service.ts";
import type { LogLevel, ModuleSpec, SignalMapping } from "./values.ts";

/** A listening address, checked: a TCP host and port, or an absolute unix socket path. */
export type Listener =
  | { readonly kind: "tcp"; readonly host: string; readonly port: number }
  | { readonly kind: "unix"; readonly path: string };

/** A user or group, resolved to its numeric id; `name` is undefined for an id with no account entry. */
export interface Identity {
  readonly id: number;
  readonly name: string | undefined;
}

/** The configuration the master runs with: complete, converted, adjusted to the limits, frozen. */
export interface ResolvedConfig {
  /** Empty when the config has services and no app: the master listens on no port. */
  readonly listen: readonly Listener[];
  /** Absolute path of the app module; undefined for a config of services only. */
  readonly app: string | undefined;
  readonly startServers: number;
  readonly minSpareWorkers: number;
  readonly maxSpareWorkers: number;
  readonly workersPerChild: number;
  readonly workerLimit: number;
  readonly serverLimit: number;
  /** Always a multiple of workersPerChild. */
  readonly maxRequestWorkers: number;
  /** The most children at once: maxRequestWorkers / workersPerChild, at most serverLimit. */
  readonly daemonsLimit: number;
  readonly maxConnectionsPerChild: number;
  readonly maxRequestsPerChild: number;
  /** Bytes; 0 means no ceiling. */
  readonly maxChildMemory: number;
  /** Milliseconds; 0 means no age limit. */
  readonly maxChildAge: number;
  readonly recycleJitter: number;
  /** Milliseconds, as every duration below. */
  readonly gracefulShutdownTimeout: number;
  readonly shutdownDelay: number;
  readonly drainTimeout: number;
  readonly childStartTimeout: number;
  readonly hookTimeout: number;
  readonly signals: SignalMapping;
  /** Undefined: drover's own server uses its default, a framework's server keeps its own. */
  readonly headersTimeout: number | undefined;
  readonly keepAliveTimeout: number | undefined;
  readonly requestTimeout: number | undefined;
  /** Milliseconds; 0 means no hang detection. */
  readonly heartbeatTimeout: number;
  readonly hungChildStack: boolean;
  /** Milliseconds; 0 turns the slow lane off. */
  readonly slowRequestThreshold: number;
  /** Milliseconds; 0 means no bound. */
  readonly slowLaneMaxWait: number;
  readonly user: Identity | undefined;
  readonly group: Identity | undefined;
  /** Absolute path. */
  readonly runDir: string;
  readonly logLevel: LogLevel;
  readonly extendedStatus: boolean;
  readonly accessLog: boolean;
  readonly captureOutput: boolean;
  readonly modules: readonly ModuleSpec[];
  readonly services: readonly ResolvedService[];
  /** Drone slots in the scoreboard, after the serverLimit child slots; fixed for the master's life. */
  readonly droneLimit: number;
  /** Node options of every child and drone, checked, relative paths made absolute. */
  readonly nodeArgs: readonly string[];
  /** Set in every child's and drone's environment. */
  readonly env: Readonly<Record<string, string>>;
  /** The health listener; undefined when the config has none. Fixed for the master's life. */
  readonly health: { readonly listen: TcpListener } | undefined;
}

/** A TCP listening address. */
export type TcpListener = Extract<Listener, { kind: "tcp" }>;
