// The shapes of drover's configuration: DroverConfig is what a user writes (every field optional),
// ResolvedConfig is what the master runs with once checkConfig has filled in, converted and adjusted
// everything. Field names are Apache worker MPM directives in camelCase, with "thread" read as
// "worker": in Node a worker slot is one connection that a child serves at a time.

/** Log levels, most severe first; "silent" logs nothing. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type DurationUnit = "ms" | "s" | "m" | "h";

/** Which signal does what (see DroverConfig.signals). */
export const SIGNAL_MAPPINGS = ["drover", "apache"] as const;
export type SignalMapping = (typeof SIGNAL_MAPPINGS)[number];

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
  /** Requests a child serves before it retires gracefully; 0 never retires it. Default 0. */
  maxRequestsPerChild?: number;
  /**
   * A child whose resident memory (RSS) grows past this retires gracefully: bytes, or a size with a
   * unit (`"512MB"`, `"1GiB"`). 0 sets no ceiling. Default 0.
   */
  maxChildMemory?: number | string;
  /** A child that has lived this long retires gracefully. 0 never retires it for age. Default 0. */
  maxChildAge?: Duration;
  /**
   * Spread of each child's own recycling limits (connections, requests, memory, age), as a fraction:
   * with 0.1 each child draws each limit uniformly between 90% and 110% of the setting, so a pool
   * does not retire all at once. From 0 to 1. Default 0.1.
   */
  recycleJitter?: number;
  /** How long a graceful stop waits for requests in flight before killing. 0 kills at once. Default "30s". */
  gracefulShutdownTimeout?: Duration;
  /**
   * On a graceful stop, how long the children keep accepting first, so that a load balancer can take
   * this server out of its list before connections are refused (the Kubernetes pattern). Default 0.
   */
  shutdownDelay?: Duration;
  /**
   * How long a draining child (a reload's old generation, a recycled or retired child) may finish its
   * requests; then its connections are closed and it exits. Long responses (SSE, long polls) and
   * WebSockets are cut at this point; the app is told when the drain begins. Default "30s".
   */
  drainTimeout?: Duration;
  /** How long a new child may take to be ready (load the app, run childInit); then it is killed. Default "60s". */
  childStartTimeout?: Duration;
  /** How long each master-phase hook of a module, and loading the config file, may take. Default "30s". */
  hookTimeout?: Duration;
  /**
   * What the master's signals mean. `"drover"`: TERM and INT stop gracefully (a second one hurries
   * to a hard stop), QUIT stops at once, HUP and USR1 reload gracefully, USR2 restarts hard.
   * `"apache"`: Apache's httpd mapping: TERM and INT stop at once, WINCH stops gracefully, USR1
   * reloads gracefully, HUP restarts hard. Default "drover".
   */
  signals?: SignalMapping;
  /**
   * How long a client may take to send a request's headers, from the first byte; then it gets 408 and
   * the connection closes. drover's own server defaults to "20s"; a framework's server (createServer)
   * keeps its own setting unless this is given.
   */
  headersTimeout?: Duration;
  /** How long an idle keep-alive connection stays open. drover's own server: "5s"; a framework's keeps its own. */
  keepAliveTimeout?: Duration;
  /** How long a client may take to send a whole request. drover's own server: "300s"; a framework's keeps its own. */
  requestTimeout?: Duration;
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
  /**
   * The longest a request waits in the slow lane for its turn: past it, it starts at the lane's next
   * turn, ahead of newer requests, even when that puts two slow requests back to back. 0 lets it wait
   * as long as its turn takes. Default "250ms".
   */
  slowLaneMaxWait?: Duration;
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
  /** One JSON line per request in drover's log, from the child that served it (msg "access"). Default false. */
  accessLog?: boolean;
  /**
   * What children and drones write to stdout and stderr becomes drover's log lines, with their pid,
   * slot and generation. False: it goes to the master's stdout and stderr as written. Default true.
   */
  captureOutput?: boolean;
  /** Modules to load, in order. */
  modules?: ModuleSpec[];
  /**
   * Services of the dispatch pool (docs/services.md): each runs in drones of its own, and callers reach
   * it with `connect()` from `drover/client`. A config with services and no `app` listens on no port.
   */
  services?: ServiceConfig[];
  /**
   * Drone slots in the scoreboard, fixed for the master's life (as serverLimit is for children).
   * Default: twice the sum of every service's maxDrones at start (room for a reload's new drones
   * beside the old ones), at least 16.
   */
  droneLimit?: number;
  /**
   * Node options for every child and drone (their execArgv), read again at each reload:
   * `["--max-old-space-size=512", "--import=./apm.js"]`. One option a string, its value after "=";
   * a relative module or file path starts from the config file's folder. Default [].
   */
  nodeArgs?: string[];
  /**
   * Variables set in every child's and drone's environment, over the master's own, read again at each
   * reload (a new secret needs no stop): `{ NODE_ENV: "production", API_KEY: readFileSync(...) }`.
   */
  env?: Record<string, string | number>;
  /**
   * Health endpoints for Kubernetes and load balancers, answered by the master itself on a listener
   * of its own (never by the app): `GET /livez` and `GET /readyz`. Off when not given.
   */
  health?: HealthConfig;
}

/** The master's health listener (see DroverConfig.health). */
export interface HealthConfig {
  /** A TCP address, as in `listen`: a port (every IPv4 interface) or `"127.0.0.1:9000"`. */
  listen: number | string | { port: number; host?: string };
}

/** One service of the dispatch pool, as written in the config. */
export interface ServiceConfig {
  /** What callers name it: letters, digits, `.`, `_`, `:` or `-`. Unique in the config. */
  name: string;
  /** The service module (default-exports `defineService`), relative to the config file's folder. */
  module: string;
  /** Drones kept at all times, even with no traffic. Default 1. */
  minDrones?: number;
  /** The most drones at once. Default: os.availableParallelism(), at least minDrones. */
  maxDrones?: number;
  /** Fewest idle drones to keep; below it the maintenance pass starts more (up to maxDrones). Default 0. */
  minSpareDrones?: number;
  /** Most idle drones to keep; above it one is retired each pass (down to minDrones). Default: minSpareDrones + 2. */
  maxSpareDrones?: number;
  /** Calls a drone serves before it is replaced (with recycleJitter); 0 never replaces it. Default 0. */
  maxRequestsPerDrone?: number;
  /** Calls one drone runs at once. 1 (the default) is the prefork model: a slow call delays no other. */
  droneConcurrency?: number;
  /** Calls that wait for a drone at most; past it a call fails at once with DROVER_ERR_DISPATCH_BACKLOG_FULL. Default 1000. */
  maxBacklog?: number;
  /** A call's deadline when its caller gives none (the caller's own is capped by it). Default "30s". */
  requestTimeout?: Duration;
  /** A session with no call for this long ends (OpenSRF's keepalive). Default "30s". */
  sessionIdleTimeout?: Duration;
  /** A session ends this long after it opened, however busy. 0: no limit. Default "1h". */
  sessionMaxLifetime?: Duration;
  /** On a reload, how long sessions open on the old drones may go on before they are told to reconnect. Default "30s". */
  sessionDrainTimeout?: Duration;
  /** The largest params or result of one call: bytes or a size (`"16MiB"`). Default "64MiB". */
  maxMessageBytes?: number | string;
  /** The drones' CPU niceness, from 0 to 19 (higher runs after the HTTP children). Default 0. */
  droneNice?: number;
  /**
   * How callers on other hosts reach it: `{ nats: { servers } }` joins every host's master running
   * this service in one NATS queue group. Without it, callers reach it through this master's socket.
   */
  transport?: { nats: NatsTransportConfig };
  /**
   * "at-most-once" (the default): a call over NATS is a core request, lost if its host dies.
   * "at-least-once": calls go through a JetStream work-queue stream (needs `transport: { nats }` and a
   * nats-server with JetStream); a call whose drone dies is delivered again, to another drone.
   */
  delivery?: Delivery;
}

export type Delivery = "at-most-once" | "at-least-once";

/** A service's NATS transport, as written in the config. */
export interface NatsTransportConfig {
  /** The NATS server or servers: "127.0.0.1:4222", "nats://host:4222", or a list. */
  servers: string | string[];
  /** Callers send `<subject>.<method>`. Default "drover.<service name>". */
  subject?: string;
  /** The queue group every host's master joins for this service. Default: the subject. */
  queue?: string;
  user?: string;
  pass?: string;
  token?: string;
}

/** A service's NATS transport, checked. */
export interface ResolvedNats {
  readonly servers: readonly string[];
  readonly subject: string;
  readonly queue: string;
  readonly delivery: Delivery;
  readonly user?: string;
  readonly pass?: string;
  readonly token?: string;
}

/** A service as the master runs it: complete, converted, frozen. Durations in milliseconds. */
export interface ResolvedService {
  readonly name: string;
  /** Absolute path of the service module. */
  readonly module: string;
  readonly minDrones: number;
  readonly maxDrones: number;
  readonly minSpareDrones: number;
  readonly maxSpareDrones: number;
  readonly maxRequestsPerDrone: number;
  readonly droneConcurrency: number;
  readonly maxBacklog: number;
  readonly requestTimeout: number;
  readonly sessionIdleTimeout: number;
  /** 0: no limit. */
  readonly sessionMaxLifetime: number;
  readonly sessionDrainTimeout: number;
  readonly maxMessageBytes: number;
  readonly droneNice: number;
  /** Its NATS transport; undefined: reached through the master's own socket alone. */
  readonly nats?: ResolvedNats;
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

/** One thing wrong with a config: the field (e.g. `listen[1]`, or `--listen` for a flag) and why. */
export interface ConfigProblem {
  readonly field: string;
  /** What is wrong, then what to do: `must be a whole number, got "12" (string): write it without quotes`. */
  readonly reason: string;
}
