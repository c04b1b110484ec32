// Default values. Apache's defaults assume a thread per connection; in Node a worker slot is one
// connection a child serves at once, and a child serves many, so the numbers are larger.
import { availableParallelism } from "node:os";
import type { DroverConfig } from "./types/drover-config.ts";
import type { ServiceConfig } from "./types/service.ts";

/** The server timeouts drover's own server (a plain request handler) uses when the config sets none. */
export const OWN_SERVER_TIMEOUTS = {
  headersTimeout: 20_000,
  keepAliveTimeout: 5_000,
  requestTimeout: 300_000,
} as const;

/** The defaults that do not depend on other fields. */
export const DEFAULTS = {
  listen: [8080],
  workersPerChild: 128,
  workerLimit: 1024,
  serverLimit: 16,
  maxConnectionsPerChild: 0,
  maxRequestsPerChild: 0,
  maxChildMemory: 0,
  maxChildAge: 0,
  recycleJitter: 0.1,
  gracefulShutdownTimeout: "30s",
  shutdownDelay: 0,
  drainTimeout: "30s",
  childStartTimeout: "60s",
  hookTimeout: "30s",
  signals: "drover",
  heartbeatTimeout: "30s",
  hungChildStack: true,
  slowRequestThreshold: "5ms",
  slowLaneMaxWait: "250ms",
  runDir: ".drover",
  logLevel: "info",
  extendedStatus: true,
  accessLog: false,
  captureOutput: true,
  modules: [],
} as const satisfies DroverConfig;

/** A service's defaults that do not depend on its other fields. */
export const SERVICE_DEFAULTS = {
  minDrones: 1,
  minSpareDrones: 0,
  maxRequestsPerDrone: 0,
  droneConcurrency: 1,
  maxBacklog: 1000,
  requestTimeout: "30s",
  sessionIdleTimeout: "30s",
  sessionMaxLifetime: "1h",
  sessionDrainTimeout: "30s",
  maxMessageBytes: "64MiB",
  droneNice: 0,
} as const satisfies Partial<ServiceConfig>;

// The defaults below are worked out from the other fields once those are checked and adjusted, so a
// default is always within the limits and never needs a warning.

/** One child per CPU, but no more children than allowed. */
export function defaultStartServers(daemonsLimit: number): number {
  return Math.min(availableParallelism(), daemonsLimit);
}

/** Every child slot filled. */
export function defaultMaxRequestWorkers(serverLimit: number, workersPerChild: number): number {
  return serverLimit * workersPerChild;
}

/** One child's worth of idle workers. */
export function defaultMinSpareWorkers(workersPerChild: number): number {
  return workersPerChild;
}

/**
 * One child's worth more than the children started, and never less than the narrowest band allowed
 * (see maxSpareFloor), which the plain product misses when startServers is 1.
 */
export function defaultMaxSpareWorkers(
  workersPerChild: number,
  startServers: number,
  minSpareWorkers: number,
): number {
  return Math.max(workersPerChild * (startServers + 1), maxSpareFloor(minSpareWorkers, workersPerChild));
}

/**
 * The least maxSpareWorkers can be: minSpareWorkers plus one child's workers plus one. With a narrower
 * band, starting one child to reach minSpareWorkers would push the idle count over maxSpareWorkers,
 * retiring a child would drop it under minSpareWorkers, and the pool would never settle.
 */
export function maxSpareFloor(minSpareWorkers: number, workersPerChild: number): number {
  return minSpareWorkers + workersPerChild + 1;
}

/** One drone per CPU, and never fewer than the drones kept at all times. */
export function defaultMaxDrones(minDrones: number): number {
  return Math.max(availableParallelism(), minDrones);
}

/** Two idle drones above the fewest kept. */
export function defaultMaxSpareDrones(minSpareDrones: number): number {
  return minSpareDrones + 2;
}

/**
 * The least maxSpareDrones can be: one above minSpareDrones. With no room between the two bounds, a
 * call that takes an idle drone makes the pass start one, and the call's end makes the next pass
 * retire one: a drone started and stopped for every call.
 */
export function maxSpareDronesFloor(minSpareDrones: number): number {
  return minSpareDrones + 1;
}

/** Room for a reload's new drones beside the old ones, and for services added by a reload. */
export function defaultDroneLimit(dronesNeeded: number): number {
  return Math.max(16, 2 * dronesNeeded);
}
