// Readers for one config value each: they check its type, convert it and add a problem (naming the
// field and what to write instead) when it cannot be used. fields.ts calls them for every field.
import { statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { BUILTIN_MODULE_NAMES, isBuiltinModule } from "../modules/builtin/names.ts";
import { readDuration } from "./duration.ts";
import { describeValue, isRecord } from "./errors.ts";
import { findListenClashes, readListen } from "./listen.ts";
import { readSize } from "./size.ts";
import type { ConfigProblem } from "./types/problem.ts";
import type { Listener } from "./types/resolved-config.ts";
import type { ModuleSpec } from "./types/values.ts";

export function readBoolean(field: string, value: unknown, problems: ConfigProblem[]): boolean {
  if (typeof value === "boolean") return value;
  problems.push({ field, reason: `must be true or false, got ${describeValue(value)}` });
  return true;
}

export function readInteger(
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

/** A duration in milliseconds; undefined when not given and there is no default. */
export function readDurationField(
  field: string,
  value: unknown,
  problems: ConfigProblem[],
  positive = false,
): number | undefined {
  if (value === undefined) return undefined;
  const parsed = readDuration(value, positive);
  if (parsed.ok) return parsed.value;
  problems.push({ field, reason: parsed.reason });
  return 0;
}

export function readSizeField(field: string, value: unknown, problems: ConfigProblem[]): number {
  const parsed = readSize(value);
  if (parsed.ok) return parsed.value;
  problems.push({ field, reason: parsed.reason });
  return 0;
}

/** One of `choices`, or `fallback` after a problem. */
export function readChoice<T extends string>(
  field: string,
  value: unknown,
  choices: readonly T[],
  fallback: T,
  problems: ConfigProblem[],
): T {
  if ((choices as readonly unknown[]).includes(value)) return value as T;
  problems.push({ field, reason: `must be one of ${choices.join(", ")}, got ${describeValue(value)}` });
  return fallback;
}

export function readFraction(field: string, value: unknown, problems: ConfigProblem[]): number {
  if (typeof value === "number" && value >= 0 && value <= 1) return value;
  const percent =
    typeof value === "number" && value > 1 && value <= 100 ? `: write ${value / 100} for ±${value}%` : "";
  problems.push({
    field,
    reason: `must be a fraction from 0 to 1 (0.1 spreads each child's limits by ±10%), got ${describeValue(value)}${percent}`,
  });
  return 0;
}

export function readListeners(value: unknown, baseDir: string, problems: ConfigProblem[]): Listener[] {
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

export function readApp(value: unknown, baseDir: string, problems: ConfigProblem[]): string {
  if (value === undefined) {
    problems.push({
      field: "app",
      reason: 'is required: name your server module in the config (app: "./server.js") or pass --app',
    });
    return "";
  }
  return readModuleFile("app", value, baseDir, problems);
}

/** A module file (the app, a service's module) made absolute, which must exist and be a file. */
export function readModuleFile(
  field: string,
  value: unknown,
  baseDir: string,
  problems: ConfigProblem[],
): string {
  const path = readPath(field, value, baseDir, problems);
  if (path === "") return path;
  let isFile: boolean | undefined;
  try {
    isFile = statSync(path).isFile();
  } catch {
    // It does not exist, or cannot be reached: either way there is nothing to run.
  }
  if (isFile === undefined) {
    problems.push({
      field,
      reason: `names ${path}, which does not exist: check the path (a relative one starts from ${baseDir})`,
    });
  } else if (!isFile) {
    problems.push({
      field,
      reason: `names the folder ${path}: name the module file in it, e.g. "${join(String(value), "index.js")}"`,
    });
  }
  return path;
}

/** A path relative to baseDir, or a file: URL, made absolute; "" after a problem. */
export function readPath(field: string, value: unknown, baseDir: string, problems: ConfigProblem[]): string {
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

/** Only the shape is checked: an array of { use: "name", ...options }. The module system reads the rest. */
export function readModules(value: unknown, problems: ConfigProblem[]): ModuleSpec[] {
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
