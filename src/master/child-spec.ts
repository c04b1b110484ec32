// What the master tells a new child (see src/child/spec.ts): its slot and generation, the app and its
// modules, its own connection limit (drawn with jitter) and how often to stamp its heartbeat.
import type { ChildSpec } from "../child/spec.ts";
import { drawConnectionLimit, type ResolvedConfig } from "../config/index.ts";
import type { ResourceSpec } from "../modules/resources/resource-spec.ts";
import type { OpenListener } from "./listeners.ts";

export interface ChildPlace {
  readonly slot: number;
  readonly generation: number;
  readonly restart: ChildSpec["restart"];
  readonly scoreboard: string;
  readonly listeners: readonly OpenListener[];
  readonly resources: readonly ResourceSpec[];
}

export function childSpec(config: ResolvedConfig, place: ChildPlace): ChildSpec {
  return {
    slot: place.slot,
    generation: place.generation,
    restart: place.restart,
    scoreboard: place.scoreboard,
    app: config.app,
    workersPerChild: config.workersPerChild,
    maxConnections: drawConnectionLimit(config.maxConnectionsPerChild, config.maxConnectionsPerChildJitter),
    heartbeatIntervalMs: heartbeatInterval(config.heartbeatTimeout),
    extendedStatus: config.extendedStatus,
    slowRequestThresholdMs: config.slowRequestThreshold,
    // Nobody would ask for the stack without a heartbeat check: no watchdog thread then.
    hungChildStack: config.hungChildStack && config.heartbeatTimeout > 0,
    listeners: place.listeners.map((listener) => listener.address),
    modules: config.modules,
    resources: place.resources,
    ...(config.user ? { uid: config.user.id } : {}),
    ...(config.group ? { gid: config.group.id } : {}),
  };
}

/** A few stamps per timeout, and at least one a second so `drover status` shows a live age. */
function heartbeatInterval(timeoutMs: number): number {
  return timeoutMs > 0 ? Math.max(100, Math.min(1_000, Math.floor(timeoutMs / 4))) : 1_000;
}
