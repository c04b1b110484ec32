// The shapes of drover's configuration: DroverConfig is what a user writes (every field optional),
// ResolvedConfig is what the master runs with once checkConfig has filled in, converted and adjusted
// everything. Field names are Apache worker MPM directives in camelCase, with "thread" read as
// "worker": in Node a worker slot is one connection that a child serves at a time.

/** Log levels, most severe first; "silent" logs nothing. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type DurationUnit = "ms" | "s" | "m" | "h";

/** Milliseconds as a number, or a number with a unit: `"500ms"`, `"30s"`, `"2m"`, `"1h"`. */
export type Duration = number | `${number}${DurationUnit}`;

/**
 * Where to listen. A bare port (`8080` or `"8080"`) means every IPv4 interface (host `0.0.0.0`), as
 * Apache's `Listen 8080`. `"127.0.0.1:8080"`, `"localhost:8080"`, `"[::1]:8080"` and `"*:8080"` name a
 * host. A string holding a `/` or ending in `.sock`, or starting with `unix:`, is a unix socket path;
 * a relative path starts from the config file's folder.
 */
export type ListenSpec = number | string | { port: number; host?: string } | { path: string };

/** A module to load, with its options. Only the shape is checked here; the module system reads the rest. */
export interface ModuleSpec {
  /** The module's name or path. */
  use: string;
  [option: string]: unknown;
}

/** A drover config as written in drover.config.ts / .js / .json. Every field is optional. */
export interface DroverConfig {
  /** Addresses to listen on; one or several. Default `[8080]` (every IPv4 interface, port 8080). */
  listen?: ListenSpec | ListenSpec[];
  /** The app module each child runs, relative to the config file's folder. Required here or as --app. */
  app?: string;
  /** Children started at launch. Default: os.availableParallelism(), at most the children allowed. */
  startServers?: number;
  /** Fewest idle worker slots to keep; below it children are added. Default: workersPerChild. */
  minSpareWorkers?: number;
  /** Most idle worker slots to keep; above it a child is retired. Default: workersPerChild x (startServers + 1). */
  maxSpareWorkers?: number;
  /** Connections each child serves at once (Apache's ThreadsPerChild). Default 128. */
  workersPerChild?: number;
  /** Ceiling for workersPerChild, fixed for the master's life (ThreadLimit). Default 1024. */
  workerLimit?: number;
  /** Ceiling for the number of children, fixed for the master's life (ServerLimit). Default 16. */
  serverLimit?: number;
  /** Connections served at once by the whole pool. Default: serverLimit x workersPerChild. */
  maxRequestWorkers?: number;
  /** Connections a child serves before it retires gracefully; 0 never retires it. Default 0. */
  maxConnectionsPerChild?: number;
  /**
   * Spread of each child's own connection limit, as a fraction: with 0.1 each child draws its limit
   * uniformly between 90% and 110% of maxConnectionsPerChild, so a pool does not retire all at once.
   * From 0 to 1. Default 0.1.
   */
  maxConnectionsPerChildJitter?: number;
  /** How long a graceful stop waits for requests in flight before killing. 0 kills at once. Default "30s". */
  gracefulShutdownTimeout?: Duration;
  /** How old a child's heartbeat may get before it counts as hung. 0 turns the check off. Default "30s". */
  heartbeatTimeout?: Duration;
  /**
   * Log a hung child's JavaScript stack before killing it. A watchdog thread in the child reads it
   * through an in-process inspector session: no port, nothing other local users can reach. False
   * runs no watchdog thread and kills hung children without reading their stack. Default true.
   */
  hungChildStack?: boolean;
  /**
   * Requests to a route whose handler holds the event loop this long on average start after the
   * requests already waiting in the child, one per turn of the loop (the slow lane: see
   * docs/configuration.md). 0 turns the slow lane off. Default "5ms".
   */
  slowRequestThreshold?: Duration;
  /** The user children run as: a name or a numeric id. Default: the user drover runs as. */
  user?: string | number;
  /** The group children run as: a name or a numeric id. Default: the user's own group, when user is set. */
  group?: string | number;
  /** Folder for the control socket and run-time files, relative to the config file's folder. Default ".drover". */
  runDir?: string;
  /** Default "info". */
  logLevel?: LogLevel;
  /**
   * Per-request scoreboard updates (Apache's ExtendedStatus): request counts, bytes and the current
   * request of every worker. Off, the scoreboard still shows each worker's connection state. Default true.
   */
  extendedStatus?: boolean;
  /** Modules to load, in order. */
  modules?: ModuleSpec[];
}

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
  readonly listen: readonly Listener[];
  /** Absolute path of the app module. */
  readonly app: string;
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
  readonly maxConnectionsPerChildJitter: number;
  /** Milliseconds. */
  readonly gracefulShutdownTimeout: number;
  /** Milliseconds; 0 means no hang detection. */
  readonly heartbeatTimeout: number;
  readonly hungChildStack: boolean;
  /** Milliseconds; 0 turns the slow lane off. */
  readonly slowRequestThreshold: number;
  readonly user: Identity | undefined;
  readonly group: Identity | undefined;
  /** Absolute path. */
  readonly runDir: string;
  readonly logLevel: LogLevel;
  readonly extendedStatus: boolean;
  readonly modules: readonly ModuleSpec[];
}

/** One thing wrong with a config: the field (e.g. `listen[1]`, or `--listen` for a flag) and why. */
export interface ConfigProblem {
  readonly field: string;
  /** What is wrong, then what to do: `must be a whole number, got "12" (string): write it without quotes`. */
  readonly reason: string;
}
