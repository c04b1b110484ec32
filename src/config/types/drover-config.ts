// A drover config as a user writes it (every field optional): the listener pool's and the app's
// fields, the modules, the services and the health listener. Field names are Apache worker MPM
// directives in camelCase, with "thread" read as "worker": in Node a worker slot is one connection that
// a child serves at a time. checkConfig turns it into the ResolvedConfig the master runs with.
import type { ServiceConfig } from "./service.ts";
import type { Duration, ListenSpec, LogLevel, ModuleSpec, SignalMapping } from "./values.ts";

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
