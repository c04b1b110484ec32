// Shared bits of the module tests: a logger that records, and run inputs for each kind of phase.
import type { HookLogger, RestartKind } from "../../src/modules/index.ts";

export interface LogEntry {
  level: "info" | "warn" | "error" | "debug";
  message: string;
  fields: object | undefined;
}

export function recordingLogger(): HookLogger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at = (level: LogEntry["level"]) => (message: string, fields?: object) => {
    entries.push({ level, message, fields });
  };
  return { entries, info: at("info"), warn: at("warn"), error: at("error"), debug: at("debug") };
}

// These tests run hooks without a master: a hook that reaches for shared memory, locks, request
// handlers or the scoreboard is told so.
function unavailable(): never {
  throw new Error("not available in a registry test: run a master to use shared resources");
}
const noResources = {
  shm: { create: unavailable, attach: unavailable },
  locks: { create: unavailable, attach: unavailable },
  requests: { use: unavailable },
};

/** The input of a master phase (postConfig's resources are unavailable). */
export function masterInput(generation = 0, restart: RestartKind = "first", config: unknown = {}) {
  return { generation, restart, config, log: recordingLogger(), forModule: () => noResources };
}

/** The input of childInit or childExit. */
export function childInput(slot: number, pid: number, generation = 0, restart: RestartKind = "first") {
  return { ...masterInput(generation, restart), slot, pid, scoreboard: { snapshot: unavailable } };
}
