// Reading a drone's spec from DROVER_CHILD, which a drone shares with a listener child: `role` says
// which of the two a process is. A malformed spec is a fatal start-up error (thrown), as a child's is.
import { CHILD_SPEC_ENV } from "../child/spec.ts";
import type { DroneSpec } from "./spec.ts";

/** Which entry the process runs: "drone" when its spec says so, "child" otherwise (even for bad JSON). */
export function specRole(text: string | undefined): "drone" | "child" {
  try {
    const spec: unknown = JSON.parse(text ?? "");
    return typeof spec === "object" && spec !== null && (spec as { role?: unknown }).role === "drone"
      ? "drone"
      : "child";
  } catch {
    return "child";
  }
}

const WHOLE_NUMBERS = [
  "slot",
  "generation",
  "scoreboardFd",
  "channelFd",
  "maxRequests",
  "hookTimeoutMs",
  "heartbeatIntervalMs",
] as const;

/** Reads a drone's spec; throws saying what is wrong with it. */
export function readDroneSpec(text: string | undefined): DroneSpec {
  if (!text) throw new Error(`${CHILD_SPEC_ENV} is not set: drover drones are started by the drover master`);
  const spec = JSON.parse(text) as Partial<Record<keyof DroneSpec, unknown>>;
  const bad = (key: string, what: string) => new Error(`${CHILD_SPEC_ENV}.${key} is not ${what}`);
  if (spec.role !== "drone") throw bad("role", '"drone"');
  for (const key of WHOLE_NUMBERS) {
    if (!isWhole(spec[key])) throw bad(key, "a whole number");
  }
  if (!isWhole(spec.concurrency) || spec.concurrency < 1)
    throw bad("concurrency", "a whole number, 1 or more");
  if (!isWhole(spec.maxMessageBytes) || spec.maxMessageBytes < 1)
    throw bad("maxMessageBytes", "a whole number, 1 or more");
  if (spec.heartbeatIntervalMs === 0) throw bad("heartbeatIntervalMs", "1 or more");
  if (!isWhole(spec.nice) || spec.nice > 19) throw bad("nice", "a whole number from 0 to 19");
  if (!["first", "graceful", "hard"].includes(spec.restart as string))
    throw bad("restart", '"first", "graceful" or "hard"');
  if (typeof spec.service !== "string" || spec.service === "") throw bad("service", "a service's name");
  if (typeof spec.module !== "string" || !spec.module.startsWith("/"))
    throw bad("module", "an absolute path");
  if (typeof spec.hungChildStack !== "boolean") throw bad("hungChildStack", "true or false");
  if (!Array.isArray(spec.modules)) throw bad("modules", "a list");
  if (!Array.isArray(spec.resources)) throw bad("resources", "a list");
  if (
    !Array.isArray(spec.resourceFds) ||
    spec.resourceFds.length !== spec.resources.length ||
    !spec.resourceFds.every(isWhole)
  ) {
    throw bad("resourceFds", "a whole number for each of resources");
  }
  for (const key of ["uid", "gid"] as const) {
    if (spec[key] !== undefined && !isWhole(spec[key])) throw bad(key, "a whole number");
  }
  if (spec.nats !== undefined && !isNats(spec.nats))
    throw bad("nats", "a NATS transport ({ servers, subject, queue })");
  if (spec.userName !== undefined && typeof spec.userName !== "string") throw bad("userName", "a string");
  return spec as DroneSpec;
}

function isWhole(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isNats(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const { servers } = value as { servers?: unknown };
  return (
    Array.isArray(servers) && servers.length > 0 && servers.every((server) => typeof server === "string")
  );
}
