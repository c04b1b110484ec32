// Command-line flags for the common config fields, for node:util parseArgs. A flag overrides the same
// field of the config file. Relative paths in flags start from the working directory, not from the
// config file's folder, so they are made absolute here.
import { resolve } from "node:path";
import type { ParseArgsOptionsConfig } from "node:util";
import { readDuration } from "./duration.ts";
import { ConfigInvalidError, isRecord } from "./errors.ts";
import { findListenClashes, readListen } from "./listen.ts";
import { readSize } from "./size.ts";
import type { DroverConfig } from "./types/drover-config.ts";
import type { ConfigProblem } from "./types/problem.ts";
import type { Listener } from "./types/resolved-config.ts";
import type { ListenSpec, LogLevel } from "./types/values.ts";

/** parseArgs options: `parseArgs({ options: { ...CONFIG_FLAGS, ...yours } })`. Every value is a string. */
export const CONFIG_FLAGS = {
  /** The config file; without it, drover looks for drover.config.{ts,js,mjs,json} in the working directory. */
  config: { type: "string", short: "c" },
  /** Repeatable; replaces the file's whole listen list. */
  listen: { type: "string", multiple: true },
  app: { type: "string" },
  "start-servers": { type: "string" },
  "min-spare-workers": { type: "string" },
  "max-spare-workers": { type: "string" },
  "workers-per-child": { type: "string" },
  "max-request-workers": { type: "string" },
  "max-connections-per-child": { type: "string" },
  "max-requests-per-child": { type: "string" },
  "max-child-memory": { type: "string" },
  "max-child-age": { type: "string" },
  "graceful-shutdown-timeout": { type: "string" },
  "shutdown-delay": { type: "string" },
  "drain-timeout": { type: "string" },
  "child-start-timeout": { type: "string" },
  "heartbeat-timeout": { type: "string" },
  "slow-request-threshold": { type: "string" },
  "slow-lane-max-wait": { type: "string" },
  user: { type: "string" },
  group: { type: "string" },
  "run-dir": { type: "string" },
  "log-level": { type: "string" },
} as const satisfies ParseArgsOptionsConfig;

type SingleFlag = Exclude<keyof typeof CONFIG_FLAGS, "listen">;

/** The config flags' values as parseArgs returns them (other flags may be present and are ignored). */
export type ConfigFlagValues = { readonly listen?: readonly string[] } & {
  readonly [F in SingleFlag]?: string;
};

type Kind = "integer" | "duration" | "size" | "path" | "account" | "text";

// Each flag but --config and --listen: the field it sets and how its text is read.
const FIELDS: Readonly<Record<Exclude<SingleFlag, "config">, readonly [keyof DroverConfig, Kind]>> = {
  app: ["app", "path"],
  "start-servers": ["startServers", "integer"],
  "min-spare-workers": ["minSpareWorkers", "integer"],
  "max-spare-workers": ["maxSpareWorkers", "integer"],
  "workers-per-child": ["workersPerChild", "integer"],
  "max-request-workers": ["maxRequestWorkers", "integer"],
  "max-connections-per-child": ["maxConnectionsPerChild", "integer"],
  "max-requests-per-child": ["maxRequestsPerChild", "integer"],
  "max-child-memory": ["maxChildMemory", "size"],
  "max-child-age": ["maxChildAge", "duration"],
  "graceful-shutdown-timeout": ["gracefulShutdownTimeout", "duration"],
  "shutdown-delay": ["shutdownDelay", "duration"],
  "drain-timeout": ["drainTimeout", "duration"],
  "child-start-timeout": ["childStartTimeout", "duration"],
  "heartbeat-timeout": ["heartbeatTimeout", "duration"],
  "slow-request-threshold": ["slowRequestThreshold", "duration"],
  "slow-lane-max-wait": ["slowLaneMaxWait", "duration"],
  user: ["user", "account"],
  group: ["group", "account"],
  "run-dir": ["runDir", "path"],
  "log-level": ["logLevel", "text"],
};

/**
 * The config fields the flags set (flags not given are left out). Relative paths start from `cwd`.
 * Throws DROVER_ERR_CONFIG_INVALID naming each flag whose value cannot be read; values of the right
 * kind are checked with the rest of the config by checkConfig.
 */
export function flagsToConfig(values: ConfigFlagValues, cwd: string = process.cwd()): DroverConfig {
  const problems: ConfigProblem[] = [];
  const config: Record<string, unknown> = {};
  for (const [flag, [field, kind]] of Object.entries(FIELDS)) {
    const text = values[flag as keyof typeof FIELDS];
    if (text === undefined) continue;
    const value = readFlag(`--${flag}`, text, kind, cwd, problems);
    if (value !== undefined) config[field] = value;
  }
  if (values.listen !== undefined && values.listen.length > 0) {
    const read: { field: string; listener: Listener }[] = [];
    for (const spec of values.listen) {
      const listener = readListen(spec, "--listen", cwd, problems);
      if (listener !== undefined) read.push({ field: "--listen", listener });
    }
    findListenClashes(read, problems);
    config.listen = read.map(({ listener }) => toSpec(listener));
  }
  if (problems.length > 0) throw new ConfigInvalidError(problems);
  return config as DroverConfig;
}

/** The file's config with the flags' fields put over it. Anything but an object is left for checkConfig to refuse. */
export function mergeFlags(fileInput: unknown, flags: DroverConfig): unknown {
  if (!isRecord(fileInput)) return fileInput;
  const merged: Record<string, unknown> = { ...fileInput };
  for (const [field, value] of Object.entries(flags)) {
    if (value !== undefined) merged[field] = value;
  }
  return merged;
}

function readFlag(
  flag: string,
  text: string,
  kind: Kind,
  cwd: string,
  problems: ConfigProblem[],
): string | number | undefined {
  switch (kind) {
    case "integer":
      if (/^\s*[+-]?\d+\s*$/.test(text)) return Number(text);
      problems.push({ field: flag, reason: `must be a whole number, got ${JSON.stringify(text)}` });
      return undefined;
    case "duration": {
      // On the command line a bare number is milliseconds, as in the config.
      const parsed = readDuration(/^\s*\d+\s*$/.test(text) ? Number(text) : text);
      if (parsed.ok) return parsed.value;
      problems.push({ field: flag, reason: parsed.reason });
      return undefined;
    }
    case "size": {
      // On the command line a bare number is bytes, as in the config.
      const parsed = readSize(/^\s*\d+\s*$/.test(text) ? Number(text) : text);
      if (parsed.ok) return parsed.value;
      problems.push({ field: flag, reason: parsed.reason });
      return undefined;
    }
    case "path":
      if (text.trim() !== "") return resolve(cwd, text);
      problems.push({ field: flag, reason: "must be a path, got an empty value" });
      return undefined;
    case "account":
      return /^\d+$/.test(text) ? Number(text) : text;
    case "text":
      return text as LogLevel;
  }
}

function toSpec(listener: Listener): ListenSpec {
  return listener.kind === "unix" ? { path: listener.path } : { host: listener.host, port: listener.port };
}
