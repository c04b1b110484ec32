// Reads the `services` of the dispatch pool: each entry's type, range and default, its module's path,
// and that no two share a name. What depends on other fields (droneConcurrency against workerLimit,
// maxSpareDrones' band, droneLimit) is fitted once the sizes are settled: see drone-sizing.ts.
import { defaultMaxDrones, SERVICE_DEFAULTS } from "./defaults.ts";
import { readDuration } from "./duration.ts";
import { describeValue, isRecord } from "./errors.ts";
import { isServiceField, unknownServiceField } from "./field-names.ts";
import { readNatsTransport } from "./nats.ts";
import { readSize } from "./size.ts";
import type { ConfigProblem } from "./types/problem.ts";
import type { ResolvedService, ServiceConfig } from "./types/service.ts";
import { readInteger, readModuleFile } from "./values.ts";

/** A service read and checked on its own; maxSpareDrones is settled by fitDrones. */
export type ServiceFields = Omit<ResolvedService, "maxSpareDrones"> & {
  readonly maxSpareDrones: number | undefined;
};

const NAME = /^[A-Za-z0-9_.:-]{1,128}$/;
/** What a service's name may be. */
export const SERVICE_NAME_RULE = '1 to 128 letters, digits, ".", "_", ":" or "-"';

export function isServiceName(value: unknown): value is string {
  return typeof value === "string" && NAME.test(value);
}
export const MIN_MESSAGE_BYTES = 1024;
export const MAX_MESSAGE_BYTES = 1024 ** 3;
const SHAPE = '{ name: "math", module: "./math.ts", ... }';

/** True when `value` lists at least one service: then the config needs no app. */
export function hasServices(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}

/** Reads `services`; relative module paths start from `baseDir`. Problems are named `services[i].field`. */
export function readServices(value: unknown, baseDir: string, problems: ConfigProblem[]): ServiceFields[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.push({ field: "services", reason: `must be an array of ${SHAPE}, got ${describeValue(value)}` });
    return [];
  }
  const services: ServiceFields[] = [];
  const named = new Map<string, string>();
  const subjects: { at: string; subject: string }[] = [];
  for (let i = 0; i < value.length; i++) {
    const at = `services[${i}]`;
    const entry: unknown = value[i];
    if (!isRecord(entry)) {
      problems.push({ field: at, reason: `must be an object ${SHAPE}, got ${describeValue(entry)}` });
      continue;
    }
    const before = problems.length;
    const service = readService(entry, at, baseDir, problems);
    const first = named.get(service.name);
    if (first !== undefined) {
      problems.push({
        field: `${at}.name`,
        reason: `repeats the name of ${first} ("${service.name}"): give each service a name of its own`,
      });
    } else if (service.name !== "") {
      named.set(service.name, at);
    }
    if (problems.length !== before) continue;
    services.push(service);
    if (service.nats) checkSubject(at, service.nats.subject, subjects, problems);
  }
  return services;
}

// A service over NATS takes every call under "<subject>.>": two on one subject, or one's subject
// inside the other's ("drover.a" and "drover.a.b"), would each take calls meant for the other. Names
// that differ only in the characters a subject cannot hold ("a:b", "a_b") meet here too.
function checkSubject(
  at: string,
  subject: string,
  taken: { at: string; subject: string }[],
  problems: ConfigProblem[],
): void {
  const within = (inner: string, outer: string) => inner === outer || inner.startsWith(`${outer}.`);
  const other = taken.find((known) => within(subject, known.subject) || within(known.subject, subject));
  if (other) {
    problems.push({
      field: `${at}.transport.nats.subject`,
      reason: `is "${subject}", which ${other.subject === subject ? "is" : "overlaps"} the NATS subject of ${other.at} ("${other.subject}"): the two would take each other's calls; give one a subject of its own`,
    });
  }
  taken.push({ at, subject });
}

function readService(
  entry: Record<string, unknown>,
  at: string,
  baseDir: string,
  problems: ConfigProblem[],
): ServiceFields {
  for (const [key, value] of Object.entries(entry)) {
    const field = `${at}.${key}`;
    if (!isServiceField(key)) {
      problems.push({ field, reason: unknownServiceField(key) });
    } else if (value === null) {
      problems.push({ field, reason: "is null: remove the field to use the default" });
    }
  }
  // A null was reported above; read it as not given so that it is not reported twice.
  const given = (key: keyof ServiceConfig): unknown => entry[key] ?? undefined;
  const defaults: Partial<Record<keyof ServiceConfig, unknown>> = SERVICE_DEFAULTS;
  const orDefault = (key: keyof ServiceConfig): unknown => given(key) ?? defaults[key];
  const count = (key: keyof ServiceConfig, min: number, why = "") =>
    ranged(`${at}.${key}`, orDefault(key), min, Number.MAX_SAFE_INTEGER, why, problems);
  const duration = (key: keyof ServiceConfig, zero?: string) =>
    readServiceDuration(`${at}.${key}`, orDefault(key), zero, problems);

  const name = entry.name === null ? "" : readName(`${at}.name`, given("name"), problems);
  const module = entry.module === null ? "" : readModule(`${at}.module`, given("module"), baseDir, problems);
  const minDrones =
    count("minDrones", 1, ": a service keeps at least one drone, so that it can always take a call") ?? 1;
  let maxDrones = count("maxDrones", 1) ?? defaultMaxDrones(minDrones);
  if (given("maxDrones") !== undefined && maxDrones < minDrones) {
    problems.push({
      field: `${at}.maxDrones`,
      reason: `is below minDrones of ${minDrones}, got ${maxDrones}: raise it to ${minDrones} or more, or lower minDrones`,
    });
    maxDrones = minDrones;
  }
  return {
    name,
    module,
    minDrones,
    maxDrones,
    minSpareDrones: count("minSpareDrones", 0) ?? 0,
    // Any whole number: one below its floor is raised, with a warning, as maxSpareWorkers is.
    maxSpareDrones: count("maxSpareDrones", Number.MIN_SAFE_INTEGER),
    maxRequestsPerDrone: count("maxRequestsPerDrone", 0) ?? 0,
    droneConcurrency: count("droneConcurrency", 1) ?? 1,
    maxBacklog:
      count("maxBacklog", 0, " (0 queues no call: one that finds no free drone fails at once)") ?? 0,
    requestTimeout: duration("requestTimeout", "a call with a deadline of 0 could never be answered"),
    sessionIdleTimeout: duration("sessionIdleTimeout", "every session would end before its first call"),
    sessionMaxLifetime: duration("sessionMaxLifetime"),
    sessionDrainTimeout: duration("sessionDrainTimeout"),
    maxMessageBytes: readMessageBytes(`${at}.maxMessageBytes`, orDefault("maxMessageBytes"), problems),
    droneNice:
      ranged(
        `${at}.droneNice`,
        orDefault("droneNice"),
        0,
        19,
        " (0 is the HTTP children's priority, 19 the lowest; a negative niceness would need root)",
        problems,
      ) ?? 0,
    ...natsOf(readNatsTransport(given("transport"), given("delivery"), name, at, baseDir, problems)),
  };
}

const natsOf = (nats: ResolvedService["nats"]) => (nats ? { nats } : {});

function readName(field: string, value: unknown, problems: ConfigProblem[]): string {
  if (value === undefined) {
    problems.push({ field, reason: 'is required: the name callers ask for, e.g. name: "math"' });
    return "";
  }
  if (isServiceName(value)) return value;
  problems.push({ field, reason: `must be ${SERVICE_NAME_RULE}, got ${describeValue(value)}` });
  return "";
}

function readModule(field: string, value: unknown, baseDir: string, problems: ConfigProblem[]): string {
  if (value === undefined) {
    problems.push({
      field,
      reason:
        'is required: name the service\'s module (module: "./math.ts"), which default-exports defineService({ methods })',
    });
    return "";
  }
  return readModuleFile(field, value, baseDir, problems);
}

// A whole number from min to max; `why` follows the reason when it is out of range.
function ranged(
  field: string,
  value: unknown,
  min: number,
  max: number,
  why: string,
  problems: ConfigProblem[],
): number | undefined {
  const read = readInteger(value, field, Number.MIN_SAFE_INTEGER, problems);
  if (read === undefined || (read >= min && read <= max)) return read;
  const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`;
  problems.push({ field, reason: `must be ${range}, got ${read}${why}` });
  return undefined;
}

// A duration in ms; with `zero` (why 0 cannot work) it must be more than 0.
function readServiceDuration(
  field: string,
  value: unknown,
  zero: string | undefined,
  problems: ConfigProblem[],
): number {
  const parsed = readDuration(value, zero !== undefined);
  if (!parsed.ok) {
    problems.push({ field, reason: parsed.reason });
    return 0;
  }
  if (zero !== undefined && parsed.value === 0) {
    problems.push({ field, reason: `must be more than 0: ${zero}` });
  }
  return parsed.value;
}

function readMessageBytes(field: string, value: unknown, problems: ConfigProblem[]): number {
  const parsed = readSize(value);
  if (!parsed.ok || parsed.value < MIN_MESSAGE_BYTES || parsed.value > MAX_MESSAGE_BYTES) {
    // A size that is no size (negative, not finite) gets the range too: 0 or more would not do.
    const range = `must be from 1 KiB to 1 GiB (${MIN_MESSAGE_BYTES} to ${MAX_MESSAGE_BYTES} bytes), got ${describeValue(value)}`;
    problems.push({ field, reason: parsed.ok || typeof value === "number" ? range : parsed.reason });
    return parsed.ok ? parsed.value : 0;
  }
  return parsed.value;
}
