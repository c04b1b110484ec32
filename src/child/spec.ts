// What the master tells a child at spawn, in the DROVER_CHILD environment variable (JSON).
import type { ModuleSpec } from "../config/types.ts";
import type { ResourceSpec } from "../modules/resources/resource-spec.ts";

export const CHILD_SPEC_ENV = "DROVER_CHILD";

/** The first inherited descriptor: 0-2 are stdio and 3 is the IPC channel. */
export const FIRST_LISTENER_FD = 4;

export interface ChildSpec {
  readonly slot: number;
  readonly generation: number;
  /** "first", "graceful" or "hard": how the generation this child belongs to began. */
  readonly restart: "first" | "graceful" | "hard";
  readonly scoreboard: string;
  /** Absolute path of the app module. */
  readonly app: string;
  readonly workersPerChild: number;
  /** Connections this child serves before it retires; 0 = never. Already jittered by the master. */
  readonly maxConnections: number;
  readonly heartbeatIntervalMs: number;
  /** Per-request scoreboard updates (extendedStatus). */
  readonly extendedStatus: boolean;
  /** The slow lane's threshold in milliseconds; 0 = no slow lane. */
  readonly slowRequestThresholdMs: number;
  /**
   * Run the stack watchdog thread, which logs the child's JavaScript stack when the master finds it
   * hung (hungChildStack, with a heartbeatTimeout). Absent: no watchdog.
   */
  readonly hungChildStack?: boolean;
  /** Listener addresses, in the order of the inherited descriptors from FIRST_LISTENER_FD on. */
  readonly listeners: readonly string[];
  /** The config's modules (absolute paths and options): the child runs their childInit and childExit. */
  readonly modules: readonly ModuleSpec[];
  /** The shared memory and locks this generation's postConfig hooks made, for childInit to attach. */
  readonly resources: readonly ResourceSpec[];
  readonly uid?: number;
  readonly gid?: number;
}

/** Reads the spec; a malformed one is a fatal start-up error (thrown). */
export function readChildSpec(text: string | undefined): ChildSpec {
  if (!text)
    throw new Error(`${CHILD_SPEC_ENV} is not set: drover children are started by the drover master`);
  const spec = JSON.parse(text) as Partial<ChildSpec>;
  const integers = [
    "slot",
    "generation",
    "workersPerChild",
    "maxConnections",
    "heartbeatIntervalMs",
    "slowRequestThresholdMs",
  ] as const;
  for (const key of integers) {
    if (!Number.isInteger(spec[key]) || (spec[key] as number) < 0)
      throw new Error(`${CHILD_SPEC_ENV}.${key} is not a whole number`);
  }
  if (
    typeof spec.scoreboard !== "string" ||
    typeof spec.app !== "string" ||
    !Array.isArray(spec.listeners) ||
    !Array.isArray(spec.modules) ||
    !Array.isArray(spec.resources)
  ) {
    throw new Error(`${CHILD_SPEC_ENV} lacks scoreboard, app, listeners, modules or resources`);
  }
  return spec as ChildSpec;
}
