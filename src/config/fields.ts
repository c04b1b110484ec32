// Reads every field of a config: checks its type, converts it (durations to milliseconds, sizes to
// bytes, listen specs to listeners, paths to absolute paths, user and group to ids) and collects every
// problem rather than stopping at the first. Ranges between fields are not checked here: sizing.ts
// and drone-sizing.ts adjust those.
import { DEFAULTS } from "./defaults.ts";
import { readEnv } from "./env.ts";
import { describeValue, isRecord } from "./errors.ts";
import { isConfigField, unknownConfigField } from "./field-names.ts";
import { readHealth } from "./health.ts";
import { readUserAndGroup } from "./identity.ts";
import { readNodeArgs } from "./node-args.ts";
import { runDirProblem } from "./run-dir.ts";
import { hasServices, readServices, type ServiceFields } from "./services.ts";
import type { DroverConfig } from "./types/drover-config.ts";
import type { ConfigProblem } from "./types/problem.ts";
import type { ResolvedConfig } from "./types/resolved-config.ts";
import { LOG_LEVELS, SIGNAL_MAPPINGS } from "./types/values.ts";
import {
  readApp,
  readBoolean,
  readChoice,
  readDurationField,
  readFraction,
  readInteger,
  readListeners,
  readModules,
  readPath,
  readSizeField,
} from "./values.ts";

// Sizes whose defaults depend on each other: undefined when not given, settled by the config check.
type DependentSize = "maxRequestWorkers" | "startServers" | "minSpareWorkers" | "maxSpareWorkers";

// Deadlines that 0 could never meet: more than 0.
const DEADLINES = ["childStartTimeout", "hookTimeout", "drainTimeout"] as const;
type Deadline = (typeof DEADLINES)[number];

/** Every field, read and converted: the resolved config before the sizes are settled. */

export type Fields = Omit<ResolvedConfig, DependentSize | "daemonsLimit" | "services" | "droneLimit"> & {
  readonly [size in DependentSize]: number | undefined;
} & {
  readonly services: readonly ServiceFields[];
  /** Undefined when not given: its default depends on the services, and on a reload it is kept. */
  readonly droneLimit: number | undefined;
};

type DurationField =
  | "maxChildAge"
  | "gracefulShutdownTimeout"
  | "shutdownDelay"
  | "drainTimeout"
  | "childStartTimeout"
  | "hookTimeout"
  | "heartbeatTimeout"
  | "headersTimeout"
  | "keepAliveTimeout"
  | "requestTimeout"
  | "slowRequestThreshold"
  | "slowLaneMaxWait";

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
    if (!isConfigField(field)) {
      problems.push({ field, reason: unknownConfigField(field) });
    } else if (value === null) {
      problems.push({ field, reason: "is null: remove the field to use the default" });
    }
  }
  // A null was reported above; read it as not given so that it is not reported twice.
  const given = (field: keyof DroverConfig): unknown => input[field] ?? undefined;
  const defaults: Partial<Record<keyof DroverConfig, unknown>> = DEFAULTS;
  const orDefault = (field: keyof DroverConfig): unknown => given(field) ?? defaults[field];
  const integer = (field: keyof DroverConfig, min = Number.MIN_SAFE_INTEGER) =>
    readInteger(orDefault(field), field, min, problems);
  // A duration with a default is always a number; one without stays undefined when not given.
  const duration = (field: DurationField) =>
    readDurationField(field, orDefault(field), problems, DEADLINES.includes(field as Deadline)) ?? 0;
  const optionalDuration = (field: DurationField) => readDurationField(field, given(field), problems);

  // In the order of CONFIG_FIELDS, so that problems are listed in that order.
  // A config of services needs no app, and without one it serves no HTTP, so it listens on no port.
  const servicesOnly = input.app === undefined && hasServices(given("services"));
  if (servicesOnly && given("listen") !== undefined) {
    problems.push({
      field: "listen",
      reason:
        'needs an app: this config has services and no app, so nothing would answer on it; add app ("./server.js"), or remove listen',
    });
  }
  const listen = servicesOnly ? [] : readListeners(orDefault("listen"), baseDir, problems);
  const app = servicesOnly ? undefined : input.app === null ? "" : readApp(given("app"), baseDir, problems);
  const fields: Fields = {
    listen,
    app,
    serverLimit: integer("serverLimit") ?? 0,
    workerLimit: integer("workerLimit") ?? 0,
    workersPerChild: integer("workersPerChild") ?? 0,
    maxRequestWorkers: integer("maxRequestWorkers"),
    startServers: integer("startServers"),
    minSpareWorkers: integer("minSpareWorkers"),
    maxSpareWorkers: integer("maxSpareWorkers"),
    maxConnectionsPerChild: integer("maxConnectionsPerChild", 0) ?? 0,
    maxRequestsPerChild: integer("maxRequestsPerChild", 0) ?? 0,
    maxChildMemory: readSizeField("maxChildMemory", orDefault("maxChildMemory"), problems),
    maxChildAge: duration("maxChildAge"),
    recycleJitter: readFraction("recycleJitter", orDefault("recycleJitter"), problems),
    gracefulShutdownTimeout: duration("gracefulShutdownTimeout"),
    shutdownDelay: duration("shutdownDelay"),
    drainTimeout: duration("drainTimeout"),
    childStartTimeout: duration("childStartTimeout"),
    hookTimeout: duration("hookTimeout"),
    signals: readChoice("signals", orDefault("signals"), SIGNAL_MAPPINGS, DEFAULTS.signals, problems),
    heartbeatTimeout: duration("heartbeatTimeout"),
    headersTimeout: optionalDuration("headersTimeout"),
    keepAliveTimeout: optionalDuration("keepAliveTimeout"),
    requestTimeout: optionalDuration("requestTimeout"),
    slowRequestThreshold: duration("slowRequestThreshold"),
    slowLaneMaxWait: duration("slowLaneMaxWait"),
    ...readUserAndGroup(given("user"), given("group"), problems),
    runDir: readPath("runDir", orDefault("runDir"), baseDir, problems),
    logLevel: readChoice("logLevel", orDefault("logLevel"), LOG_LEVELS, DEFAULTS.logLevel, problems),
    hungChildStack: readBoolean("hungChildStack", orDefault("hungChildStack"), problems),
    extendedStatus: readBoolean("extendedStatus", orDefault("extendedStatus"), problems),
    accessLog: readBoolean("accessLog", orDefault("accessLog"), problems),
    captureOutput: readBoolean("captureOutput", orDefault("captureOutput"), problems),
    modules: readModules(given("modules"), problems),
    services: readServices(given("services"), baseDir, problems),
    droneLimit: integer("droneLimit", 0),
    nodeArgs: Object.freeze(readNodeArgs(given("nodeArgs"), baseDir, problems)),
    env: readEnv(given("env"), problems),
    health: readHealth(given("health"), listen, baseDir, problems),
  };
  const runDir = fields.runDir && runDirProblem(fields.runDir);
  if (runDir) problems.push(runDir);
  for (const field of DEADLINES) {
    if (fields[field] === 0) {
      problems.push({ field, reason: "must be more than 0: a deadline of 0 could never be met" });
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, fields };
}
