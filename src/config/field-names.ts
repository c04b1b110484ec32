// The names of every setting, top-level and of a service, and what to say about a name that is none:
// the one most likely meant, or where it belongs when it was written at the wrong level.
import { suggestField } from "./suggest.ts";
import type { DroverConfig } from "./types/drover-config.ts";
import type { ServiceConfig } from "./types/service.ts";

// The types make sure no field of DroverConfig or ServiceConfig is missing.
const CONFIG: Record<keyof DroverConfig, true> = {
  listen: true,
  app: true,
  serverLimit: true,
  workerLimit: true,
  workersPerChild: true,
  maxRequestWorkers: true,
  startServers: true,
  minSpareWorkers: true,
  maxSpareWorkers: true,
  maxConnectionsPerChild: true,
  maxRequestsPerChild: true,
  maxChildMemory: true,
  maxChildAge: true,
  recycleJitter: true,
  gracefulShutdownTimeout: true,
  shutdownDelay: true,
  drainTimeout: true,
  childStartTimeout: true,
  hookTimeout: true,
  signals: true,
  heartbeatTimeout: true,
  headersTimeout: true,
  keepAliveTimeout: true,
  requestTimeout: true,
  slowRequestThreshold: true,
  slowLaneMaxWait: true,
  user: true,
  group: true,
  runDir: true,
  logLevel: true,
  hungChildStack: true,
  extendedStatus: true,
  accessLog: true,
  captureOutput: true,
  modules: true,
  services: true,
  droneLimit: true,
  nodeArgs: true,
  env: true,
  health: true,
};

const SERVICE: Record<keyof ServiceConfig, true> = {
  name: true,
  module: true,
  minDrones: true,
  maxDrones: true,
  minSpareDrones: true,
  maxSpareDrones: true,
  maxRequestsPerDrone: true,
  droneConcurrency: true,
  maxBacklog: true,
  requestTimeout: true,
  sessionIdleTimeout: true,
  sessionMaxLifetime: true,
  sessionDrainTimeout: true,
  maxMessageBytes: true,
  droneNice: true,
  transport: true,
  delivery: true,
};

/** Every top-level field, in the order problems are listed. */
export const CONFIG_FIELDS = Object.freeze(Object.keys(CONFIG)) as readonly (keyof DroverConfig)[];
/** Every field of a service, in the order problems are listed. */
export const SERVICE_FIELDS = Object.freeze(Object.keys(SERVICE)) as readonly (keyof ServiceConfig)[];

export function isConfigField(name: string): name is keyof DroverConfig {
  return Object.hasOwn(CONFIG, name);
}

export function isServiceField(name: string): name is keyof ServiceConfig {
  return Object.hasOwn(SERVICE, name);
}

/** The reason for a top-level field drover does not know. */
export function unknownConfigField(name: string): string {
  if (isServiceField(name)) return "is not a drover setting: it is one of each service's, set it in services";
  const near = suggestField(name, CONFIG_FIELDS);
  return `is not a drover setting: ${near === undefined ? "remove it" : `did you mean "${near}"?`}`;
}

/** The reason for a field of a service that no service has. */
export function unknownServiceField(name: string): string {
  if (isConfigField(name))
    return "is not a service setting: it is set once for the whole config, beside services";
  const near = suggestField(name, SERVICE_FIELDS);
  return `is not a service setting: ${near === undefined ? "remove it" : `did you mean "${near}"?`}`;
}
