// What the master tells a new child (see src/child/spec.ts): its slot and generation, the app and its
// modules, its own recycling limits (each drawn with jitter), its deadlines and server timeouts, and
// how often to stamp its heartbeat, and which inherited descriptor is which.
import { type ChildSpec, inheritedFds } from "../../child/spec.ts";
import { dispatchSocketPath } from "../../client/socket-path.ts";
import { jittered, type ResolvedConfig } from "../../config/index.ts";
import type { ResourceSpec } from "../../modules/resources/resource-spec.ts";
import type { OpenListener } from "../run/listeners.ts";

export interface ChildPlace {
  readonly slot: number;
  readonly generation: number;
  readonly restart: ChildSpec["restart"];
  readonly listeners: readonly OpenListener[];
  readonly resources: readonly ResourceSpec[];
}

export function childSpec(config: ResolvedConfig, place: ChildPlace): ChildSpec {
  const jitter = (setting: number) => jittered(setting, config.recycleJitter);
  const fds = inheritedFds(place.listeners.length, place.resources.length);
  if (config.app === undefined) throw new Error("a config of services only has no app to fork children of");
  return {
    slot: place.slot,
    generation: place.generation,
    restart: place.restart,
    scoreboardFd: fds.scoreboard,
    app: config.app,
    workersPerChild: config.workersPerChild,
    limits: {
      connections: jitter(config.maxConnectionsPerChild),
      requests: jitter(config.maxRequestsPerChild),
      memoryBytes: jitter(config.maxChildMemory),
      ageMs: jitter(config.maxChildAge),
    },
    drainTimeoutMs: config.drainTimeout,
    hookTimeoutMs: config.hookTimeout,
    server: {
      ...(config.headersTimeout === undefined ? {} : { headersTimeoutMs: config.headersTimeout }),
      ...(config.keepAliveTimeout === undefined ? {} : { keepAliveTimeoutMs: config.keepAliveTimeout }),
      ...(config.requestTimeout === undefined ? {} : { requestTimeoutMs: config.requestTimeout }),
    },
    heartbeatIntervalMs: heartbeatInterval(config.heartbeatTimeout),
    extendedStatus: config.extendedStatus,
    accessLog: config.accessLog,
    slowRequestThresholdMs: config.slowRequestThreshold,
    slowLaneMaxWaitMs: config.slowLaneMaxWait,
    listeners: place.listeners.map((listener) => listener.address),
    modules: config.modules,
    resources: place.resources,
    resourceFds: fds.resources,
    // Nobody would ask for the stack without a heartbeat check: no watchdog thread then.
    hungChildStack: config.hungChildStack && config.heartbeatTimeout > 0,
    ...(config.services.length > 0 ? { dispatchSocket: dispatchSocketPath(config.runDir) } : {}),
    ...(config.user ? { uid: config.user.id, userName: config.user.name } : {}),
    ...(config.group ? { gid: config.group.id } : {}),
  };
}

/**
 * The master's descriptors to pass a child (as stdio entries after the IPC channel), in the order
 * childSpec() numbered them: listeners, scoreboard, then the resources.
 */
export function inheritedDescriptors(
  listeners: readonly OpenListener[],
  scoreboardFd: number,
  resourceFds: readonly number[],
): number[] {
  return [...listeners.map((listener) => listener.fd), scoreboardFd, ...resourceFds];
}

/** A few stamps per timeout, and at least one a second so `drover status` shows a live age. */
export function heartbeatInterval(timeoutMs: number): number {
  return timeoutMs > 0 ? Math.max(100, Math.min(1_000, Math.floor(timeoutMs / 4))) : 1_000;
}
