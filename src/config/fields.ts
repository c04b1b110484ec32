// Reads every field of a config: checks its type, converts it (durations to milliseconds, listen specs
// to listeners, paths to absolute paths, user and group to ids) and collects every problem rather
// than stopping at the first. Ranges between fields are not checked here: sizing.ts adjusts those.
import { statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { BUILTIN_MODULE_NAMES, isBuiltinModule } from "../modules/builtin/names.ts";
import { DEFAULTS } from "./defaults.ts";
import { readDuration } from "./duration.ts";
import { describeValue, isRecord } from "./errors.ts";
import { readUserAndGroup } from "./identity.ts";
import { findListenClashes, readListen } from "./listen.ts";
import { suggestField } from "./suggest.ts";
import {
  type ConfigProblem,
  type DroverConfig,
  type Listener,
  LOG_LEVELS,
  type LogLevel,
  type ModuleSpec,
  type ResolvedConfig,
} from "./types.ts";

// Sizes whose defaults depend on each other: undefined when not given, settled by the config check.
type DependentSize = "maxRequestWorkers" | "startServers" | "minSpareWorkers" | "maxSpareWorkers";

/** Every field, read and converted: the resolved config before the sizes are settled. */
export type Fields = Omit<ResolvedConfig, DependentSize | "daemonsLimit"> & {
  readonly [size in DependentSize]: number | undefined;
};

// Every field drover knows; the type makes sure none of DroverConfig's is missing.
const KNOWN: Record<keyof DroverConfig, true> = {
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
  maxConnectionsPerChildJitter: true,
  gracefulShutdownTimeout: true,
  heartbeatTimeout: true,
  slowRequestThreshold: true,
  slowLaneMaxWait: true,
  user: true,
  group: true,
  runDir: true,
  logLevel: true,
  hungChildStack: true,
  extendedStatus: true,
  modules: true,
};
export const CONFIG_FIELDS = Object.freeze(Object.keys(KNOWN)) as readonly (keyof DroverConfig)[];

/** Reads `input`, with relative paths starting from `baseDir`. */
export function readFields(
  input: unknown,
  baseDir: string,
): { ok: true; fields: Fields } | { ok: false; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  if (!isRecord(input)) {
    problems.push({ field: "", reason: `must be an object of settings, got ${describeValue(input)}` });
    return { ok: false, problems };
  }
  for (const [field, value] of Object.entries(input)) {
    if (!Object.hasOwn(KNOWN, field)) {
      const near = suggestField(field, CONFIG_FIELDS);
      problems.push({
        field,
        reason: `is not a drover setting: ${near === undefined ? "remove it" : `did you mean "${near}"?`}`,
      });
    } else if (value === null) {
      problems.push({ field, reason: "is null: remove the field to use the default" });
    }
  }
  // A null was reported above; read it as not given so that it is not reported twice.
  const given = (field: keyof DroverConfig): unknown => input[field] ?? undefined;
  const integer = (field: keyof DroverConfig, min = Number.MIN_SAFE_INTEGER, fallback?: number) =>
    readInteger(given(field) ?? fallback, field, min, problems);
  const duration = (
    field: "gracefulShutdownTimeout" | "heartbeatTimeout" | "slowRequestThreshold" | "slowLaneMaxWait",
  ): number => {
    const parsed = readDuration(given(field) ?? DEFAULTS[field]);
    if (parsed.ok) return parsed.value;
    problems.push({ field, reason: parsed.reason });
    return 0;
  };

  // In the order of CONFIG_FIELDS, so that problems are listed in that order.
  const listen = readListeners(given("listen") ?? DEFAULTS.listen, baseDir, problems);
  const app = input.app === null ? "" : readApp(given("app"), baseDir, problems);
  const numbers = {
    serverLimit: integer("serverLimit", undefined, DEFAULTS.serverLimit) ?? 0,
    workerLimit: integer("workerLimit", undefined, DEFAULTS.workerLimit) ?? 0,
    workersPerChild: integer("workersPerChild", undefined, DEFAULTS.workersPerChild) ?? 0,
    maxRequestWorkers: integer("maxRequestWorkers"),
    startServers: integer("startServers"),
    minSpareWorkers: integer("minSpareWorkers"),
    maxSpareWorkers: integer("maxSpareWorkers"),
    maxConnectionsPerChild: integer("maxConnectionsPerChild", 0, DEFAULTS.maxConnectionsPerChild) ?? 0,
    maxConnectionsPerChildJitter: readJitter(given("maxConnectionsPerChildJitter"), problems),
    gracefulShutdownTimeout: duration("gracefulShutdownTimeout"),
    heartbeatTimeout: duration("heartbeatTimeout"),
    slowRequestThreshold: duration("slowRequestThreshold"),
    slowLaneMaxWait: duration("slowLaneMaxWait"),
  };
  const fields: Fields = {
    ...numbers,
    listen,
    app,
    ...readUserAndGroup(given("user"), given("group"), problems),
    runDir: readPath("runDir", given("runDir") ?? DEFAULTS.runDir, baseDir, problems),
    logLevel: readLogLevel(given("logLevel"), problems),
    hungChildStack: readBoolean(
      "hungChildStack",
      given("hungChildStack") ?? DEFAULTS.hungChildStack,
      problems,
    ),
    extendedStatus: readBoolean(
      "extendedStatus",
      given("extendedStatus") ?? DEFAULTS.extendedStatus,
      problems,
    ),
    modules: readModules(given("modules"), problems),
  };
  return problems.length > 0 ? { ok: false, problems } : { ok: true, fields };
}

function readBoolean(field: string, value: unknown, problems: ConfigProblem[]): boolean {
  if (typeof value === "boolean") return value;
  problems.push({ field, reason: `must be true or false, got ${describeValue(value)}` });
  return true;
}

function readInteger(
  value: unknown,
  field: string,
  min: number,
  problems: ConfigProblem[],
): number | undefined {
  if (value === undefined) return undefined;
  const got = `got ${describeValue(value)}`;
  let reason: string | undefined;
  if (typeof value === "string" && /^\s*[+-]?\d+(\.\d+)?\s*$/.test(value)) {
    reason = `must be a whole number, ${got}: write it without quotes`;
  } else if (typeof value !== "number" || !Number.isFinite(value)) {
    reason = `must be a whole number, ${got}`;
  } else if (!Number.isInteger(value)) {
    reason = `must be a whole number, ${got}: use ${Math.floor(value)} or ${Math.ceil(value)}`;
  } else if (!Number.isSafeInteger(value)) {
    reason = `is too large, ${got}: use a smaller number`;
  } else if (value < min) {
    reason = min === 0 ? `must be 0 or more, ${got}` : `must be ${min} or more, ${got}`;
  }
  if (reason === undefined && typeof value === "number") return value;
  problems.push({ field, reason: reason ?? `must be a whole number, ${got}` });
  return undefined;
}

function readListeners(value: unknown, baseDir: string, problems: ConfigProblem[]): Listener[] {
  const specs = Array.isArray(value) ? value : [value];
  if (specs.length === 0) {
    problems.push({ field: "listen", reason: "is empty: give at least one port, address or socket path" });
    return [];
  }
  const read: { field: string; listener: Listener }[] = [];
  specs.forEach((spec, i) => {
    const field = Array.isArray(value) ? `listen[${i}]` : "listen";
    const listener = readListen(spec, field, baseDir, problems);
    if (listener !== undefined) read.push({ field, listener });
  });
  findListenClashes(read, problems);
  return read.map(({ listener }) => listener);
}

function readApp(value: unknown, baseDir: string, problems: ConfigProblem[]): string {
  if (value === undefined) {
    problems.push({
      field: "app",
      reason: 'is required: name your server module in the config (app: "./server.js") or pass --app',
    });
    return "";
  }
  const path = readPath("app", value, baseDir, problems);
  if (path === "") return path;
  let isFile: boolean | undefined;
  try {
    isFile = statSync(path).isFile();
  } catch {
    // It does not exist, or cannot be reached: either way there is nothing to run.
  }
  if (isFile === undefined) {
    problems.push({
      field: "app",
      reason: `names ${path}, which does not exist: check the path (a relative one starts from ${baseDir})`,
    });
  } else if (!isFile) {
    problems.push({
      field: "app",
      reason: `names the folder ${path}: name the module file in it, e.g. "${join(String(value), "index.js")}"`,
    });
  }
  return path;
}

// A path relative to baseDir, or a file: URL, made absolute; "" after a problem.
function readPath(field: string, value: unknown, baseDir: string, problems: ConfigProblem[]): string {
  if (typeof value !== "string" || value.trim() === "" || value.includes("\0")) {
    problems.push({ field, reason: `must be a path, got ${describeValue(value)}` });
    return "";
  }
  if (value.startsWith("file:")) {
    try {
      return fileURLToPath(value);
    } catch {
      problems.push({ field, reason: `is not a usable file: URL, got ${describeValue(value)}: give a path` });
      return "";
    }
  }
  return resolve(baseDir, value);
}

function readJitter(value: unknown, problems: ConfigProblem[]): number {
  if (value === undefined) return DEFAULTS.maxConnectionsPerChildJitter;
  if (typeof value === "number" && value >= 0 && value <= 1) return value;
  const percent =
    typeof value === "number" && value > 1 && value <= 100 ? `: write ${value / 100} for ±${value}%` : "";
  problems.push({
    field: "maxConnectionsPerChildJitter",
    reason: `must be a fraction from 0 to 1 (0.1 spreads each child's limit by ±10%), got ${describeValue(value)}${percent}`,
  });
  return 0;
}

function readLogLevel(value: unknown, problems: ConfigProblem[]): LogLevel {
  if (value === undefined) return DEFAULTS.logLevel;
  if ((LOG_LEVELS as readonly unknown[]).includes(value)) return value as LogLevel;
  problems.push({
    field: "logLevel",
    reason: `must be one of ${LOG_LEVELS.join(", ")}, got ${describeValue(value)}`,
  });
  return DEFAULTS.logLevel;
}

// Only the shape is checked: an array of { use: "name", ...options }. The module system reads the rest.
function readModules(value: unknown, problems: ConfigProblem[]): ModuleSpec[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.push({
      field: "modules",
      reason: `must be an array of { use: "module", ...options }, got ${describeValue(value)}`,
    });
    return [];
  }
  const modules: ModuleSpec[] = [];
  value.forEach((spec: unknown, i) => {
    if (!isRecord(spec)) {
      problems.push({
        field: `modules[${i}]`,
        reason: `must be an object { use: "module", ... }, got ${describeValue(spec)}`,
      });
    } else if (typeof spec.use !== "string" || spec.use.trim() === "") {
      problems.push({
        field: `modules[${i}].use`,
        reason: `must name the module, got ${describeValue(spec.use)}`,
      });
    } else if (!isBuiltinModule(spec.use) && !/^\.{0,2}\//.test(spec.use)) {
      problems.push({
        field: `modules[${i}].use`,
        reason: `is neither a built-in module (${BUILTIN_MODULE_NAMES.join(", ")}) nor a module file's path (start it with "./", "../" or "/"), got ${describeValue(spec.use)}`,
      });
    } else {
      modules.push(Object.freeze({ ...spec, use: spec.use }));
    }
  });
  return modules;
}
