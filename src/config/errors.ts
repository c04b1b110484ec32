// The two ways a config fails: its values are refused (every problem listed at once), or the file
// itself cannot be loaded. Also the small helpers the checks share to say what they got.
import { DroverError, ErrorCode } from "../errors.ts";
import type { ConfigProblem } from "./types/problem.ts";

/** The config has values drover refuses (DROVER_ERR_CONFIG_INVALID); `problems` lists every one. */
export class ConfigInvalidError extends DroverError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const lines = problems.map(problemLine);
    const message =
      lines.length === 1
        ? (lines[0] as string)
        : `the config has ${lines.length} problems; fix them all, nothing was applied:\n${lines.map((line) => `  - ${line}`).join("\n")}`;
    super(ErrorCode.CONFIG_INVALID, message);
    this.problems = Object.freeze(problems.map((problem) => Object.freeze({ ...problem })));
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasCode(value, ErrorCode.CONFIG_INVALID);
  }
}

/** A config file that cannot be found, read, parsed or imported (DROVER_ERR_CONFIG_LOAD). */
export class ConfigLoadError extends DroverError {
  /** Absolute path of the file. */
  readonly file: string;

  constructor(file: string, problem: string, cause?: unknown) {
    super(
      ErrorCode.CONFIG_LOAD,
      `config file ${file} ${problem}`,
      cause === undefined ? undefined : { cause },
    );
    this.file = file;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasCode(value, ErrorCode.CONFIG_LOAD);
  }
}

/** `config field "workersPerChild" must be ...`, `flag --workers-per-child must be ...`, or `the config must be ...` (field ""). */
function problemLine(problem: ConfigProblem): string {
  const { field } = problem;
  const subject =
    field === "" ? "the config" : field.startsWith("--") ? `flag ${field}` : `config field "${field}"`;
  return `${subject} ${problem.reason}`;
}

/** A value read from user input, or why it was refused. */
export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string };

export function accept<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

export function refuse<T>(reason: string): Parsed<T> {
  return { ok: false, reason };
}

/** Says what a value is, for "got ..." in a reason: `"12" (string)`, `1.5`, `null`, `an array`. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return `${JSON.stringify(value)} (string)`;
  if (typeof value === "number") return String(value);
  if (typeof value === "boolean") return `${value} (boolean)`;
  if (typeof value === "bigint") return `${value}n (bigint)`;
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "function") return "a function";
  if (typeof value === "symbol") return "a symbol";
  return "an object";
}

/** A plain object ({...}), not an array, null or a class instance such as a Date. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

// DroverError's own check recognises every drover error; a subclass must also match its code.
function hasCode(value: unknown, code: ErrorCode): boolean {
  return DroverError[Symbol.hasInstance](value) && (value as DroverError).code === code;
}
