// What the master tells a child at spawn, in the DROVER_CHILD environment variable (JSON).
import type { ModuleSpec } from "../config/types/values.ts";
import type { ResourceSpec } from "../modules/resources/resource-spec.ts";

export const CHILD_SPEC_ENV = "DROVER_CHILD";

/**
 * The first inherited descriptor: 0-2 are stdio and 3 is the IPC channel. The master passes, in this
 * order from here on: the listeners (one per `listeners` entry), the scoreboard, then one per
 * `resources` entry. With L listeners and R resources, a child's descriptors are
 *
 *   4 .. 3+L       the listening sockets        (spec.listeners[i] is 4+i)
 *   4+L            the scoreboard memfd         (spec.scoreboardFd)
 *   5+L .. 4+L+R   the module resources' memfds (spec.resourceFds[i] for spec.resources[i])
 */
export const FIRST_LISTENER_FD = 4;

/**
 * How long an exiting child's last message to the master may take, and an orphan's childExit hooks;
 * a child runs its childExit hooks for hookTimeoutMs + this at the most.
 */
export const EXIT_GRACE_MS = 1_000;

/** Where a child with `listeners` listeners and `resources` resources finds each inherited descriptor. */
export function inheritedFds(
  listeners: number,
  resources: number,
): { listeners: number[]; scoreboard: number; resources: number[] } {
  const scoreboard = FIRST_LISTENER_FD + listeners;
  return {
    listeners: Array.from({ length: listeners }, (_, i) => FIRST_LISTENER_FD + i),
    scoreboard,
    resources: Array.from({ length: resources }, (_, i) => scoreboard + 1 + i),
  };
}

/** When the child retires (asks the master for a replacement, then drains); 0 = no such limit. */
export interface ChildLimits {
  readonly connections: number;
  readonly requests: number;
  /** Resident memory (RSS), in bytes. */
  readonly memoryBytes: number;
  readonly ageMs: number;
}

/** Server timeouts the config sets; each one left out keeps the server's own (or drover's default). */
export interface ServerTimeouts {
  readonly headersTimeoutMs?: number;
  readonly keepAliveTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
}

export interface ChildSpec {
  readonly slot: number;
  readonly generation: number;
  /** "first", "graceful" or "hard": how the generation this child belongs to began. */
  readonly restart: "first" | "graceful" | "hard";
  /** The scoreboard's descriptor in the child (see FIRST_LISTENER_FD). */
  readonly scoreboardFd: number;
  /** Absolute path of the app module. */
  readonly app: string;
  readonly workersPerChild: number;
  /** Its own recycling limits, already jittered by the master. */
  readonly limits: ChildLimits;
  /** How long a drain it starts itself (a crash) may take; the master gives its own deadline otherwise. */
  readonly drainTimeoutMs: number;
  /** How long each of its hooks (childInit, childExit) may take. */
  readonly hookTimeoutMs: number;
  readonly server: ServerTimeouts;
  readonly heartbeatIntervalMs: number;
  /** Per-request scoreboard updates (extendedStatus). */
  readonly extendedStatus: boolean;
  /** One log line per request (accessLog), from the child's own logger. */
  readonly accessLog: boolean;
  /** The slow lane's threshold in milliseconds; 0 = no slow lane. */
  readonly slowRequestThresholdMs: number;
  /** The longest a request waits in the slow lane for its turn, in milliseconds; 0 = no bound. */
  readonly slowLaneMaxWaitMs: number;
  /** Listener addresses, in the order of the inherited descriptors from FIRST_LISTENER_FD on. */
  readonly listeners: readonly string[];
  /** The config's modules (absolute paths and options): the child runs their childInit and childExit. */
  readonly modules: readonly ModuleSpec[];
  /** The shared memory and locks this generation's postConfig hooks made, for childInit to attach. */
  readonly resources: readonly ResourceSpec[];
  /** The child's descriptor of each of `resources`, in the same order. */
  readonly resourceFds: readonly number[];
  /** Whether its watchdog thread reads its JavaScript stack when the master finds it hung. */
  readonly hungChildStack: boolean;
  /** The master's dispatch socket, when the config has services: the child connects its client there. */
  readonly dispatchSocket?: string;
  readonly uid?: number;
  /** The user's name, for its supplementary groups (initgroups); absent for an id with no account. */
  readonly userName?: string;
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
    "heartbeatIntervalMs",
    "slowRequestThresholdMs",
    "drainTimeoutMs",
    "hookTimeoutMs",
    "scoreboardFd",
    "slowLaneMaxWaitMs",
  ] as const;
  for (const key of integers) {
    if (!Number.isInteger(spec[key]) || (spec[key] as number) < 0)
      throw new Error(`${CHILD_SPEC_ENV}.${key} is not a whole number`);
  }
  if (
    typeof spec.app !== "string" ||
    typeof spec.limits !== "object" ||
    typeof spec.server !== "object" ||
    !Array.isArray(spec.listeners) ||
    !Array.isArray(spec.modules) ||
    !Array.isArray(spec.resources)
  ) {
    throw new Error(
      `${CHILD_SPEC_ENV} lacks scoreboard, app, limits, server, listeners, modules or resources`,
    );
  }
  return spec as ChildSpec;
}
