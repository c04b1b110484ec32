// A service of the dispatch pool: as written in the config's `services`, and as the master runs it
// once checked (defaults filled in, durations in milliseconds, sizes in bytes, its module's path
// absolute).
import type { Delivery, NatsTransportConfig, ResolvedNats } from "./nats.ts";
import type { Duration } from "./values.ts";

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
