// What the master tells a drone at spawn, in the same DROVER_CHILD variable as a child's spec, with
// `role: "drone"`. A drone inherits no listener: its descriptors are
//
//   3           the IPC channel (ready, fatal, quiesce, exit: as a child's)
//   4           the scoreboard memfd          (spec.scoreboardFd)
//   5 .. 4+R    the module resources' memfds  (spec.resourceFds[i] for spec.resources[i])
//   5+R         its data channel to the master, a socketpair carrying frames (spec.channelFd)

import type { ResolvedNats } from "../config/types/nats.ts";
import type { ModuleSpec } from "../config/types/values.ts";
import type { ResourceSpec } from "../modules/resources/resource-spec.ts";

export const DRONE_SCOREBOARD_FD = 4;

/** Where a drone given `resources` module resources finds each inherited descriptor. */
export function droneFds(resources: number): { scoreboard: number; resources: number[]; channel: number } {
  return {
    scoreboard: DRONE_SCOREBOARD_FD,
    resources: Array.from({ length: resources }, (_, i) => DRONE_SCOREBOARD_FD + 1 + i),
    channel: DRONE_SCOREBOARD_FD + 1 + resources,
  };
}

export interface DroneSpec {
  readonly role: "drone";
  readonly slot: number;
  readonly generation: number;
  readonly restart: "first" | "graceful" | "hard";
  readonly scoreboardFd: number;
  readonly channelFd: number;
  /** The service's name and its module's absolute path. */
  readonly service: string;
  readonly module: string;
  /** Calls it runs at once (one worker record each). */
  readonly concurrency: number;
  /** Calls it serves before it asks to be replaced, already jittered; 0: no limit. */
  readonly maxRequests: number;
  /** The largest result it may send back (and params it may get), in bytes. */
  readonly maxMessageBytes: number;
  /** How long each of its hooks (childInit, childExit, onConnect, onDisconnect) may take. */
  readonly hookTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly hungChildStack: boolean;
  /** Its CPU niceness (0 to 19). */
  readonly nice: number;
  /** The config's modules: the drone runs their childInit and childExit, as a child does. */
  readonly modules: readonly ModuleSpec[];
  /** The shared memory and locks this generation's postConfig hooks made, for childInit to attach. */
  readonly resources: readonly ResourceSpec[];
  /** The drone's descriptor of each of `resources`, in the same order. */
  readonly resourceFds: readonly number[];
  /** The service's NATS transport: the drone publishes results of calls that came over it itself. */
  readonly nats?: ResolvedNats;
  readonly uid?: number;
  readonly userName?: string;
  readonly gid?: number;
}
