// The errors of module definition, ordering and hook runs. Each is a DroverError with its code, plus
// the fields a caller needs to react without parsing the message.
import { inspect } from "node:util";
import { DroverError, ErrorCode } from "../errors.ts";
import type { Phase } from "./phases.ts";

/** A module definition that cannot be used (DROVER_ERR_MODULE_INVALID). */
export class ModuleInvalidError extends DroverError {
  /** The module's name as given, when it is a non-empty string (even if it is not a valid name). */
  readonly module: string | undefined;
  /** The part of the definition at fault, e.g. `hooks.postConfig` or `order.before`. */
  readonly field: string;

  constructor(module: string | undefined, field: string, problem: string) {
    const who = module === undefined ? "a module definition" : `module "${module}"`;
    super(ErrorCode.MODULE_INVALID, `${who} is invalid: ${field} ${problem}`);
    this.module = module;
    this.field = field;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasCode(value, ErrorCode.MODULE_INVALID);
  }
}

/** Before/after constraints that cannot all hold (DROVER_ERR_MODULE_ORDER). */
export class ModuleOrderError extends DroverError {
  readonly phase: Phase;
  /** The modules in the cycle, each to run before the next, the last before the first. */
  readonly modules: readonly string[];

  constructor(phase: Phase, cycle: readonly string[]) {
    const steps = cycle.map((name, i) => `"${name}" before "${cycle[(i + 1) % cycle.length]}"`);
    super(
      ErrorCode.MODULE_ORDER,
      `cannot order the ${phase} hooks: modules ${cycle.map((name) => `"${name}"`).join(", ")} ` +
        `ask to run in a cycle (${steps.join(", ")}): remove one of these before/after constraints.`,
    );
    this.phase = phase;
    this.modules = Object.freeze([...cycle]);
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasCode(value, ErrorCode.MODULE_ORDER);
  }
}

/**
 * A hook that threw or rejected (DROVER_ERR_HOOK_FAILED; `cause` is what it threw), or that did not
 * settle within its deadline (DROVER_ERR_HOOK_TIMEOUT).
 */
export class HookFailedError extends DroverError {
  readonly module: string;
  readonly phase: Phase;

  constructor(module: string, phase: Phase, cause: unknown) {
    const timedOut = cause instanceof HookTimeout;
    super(
      timedOut ? ErrorCode.HOOK_TIMEOUT : ErrorCode.HOOK_FAILED,
      timedOut
        ? `module "${module}"'s ${phase} hook did not finish within ${cause.ms / 1000} s (hookTimeout): it was given up and its signal aborted; make it finish sooner, or raise hookTimeout`
        : `module "${module}" failed in its ${phase} hook: ${describe(cause)}`,
      { cause },
    );
    this.module = module;
    this.phase = phase;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasCode(value, ErrorCode.HOOK_FAILED) || hasCode(value, ErrorCode.HOOK_TIMEOUT);
  }
}

/** What a hook that runs past its deadline is failed with (the cause of a HOOK_TIMEOUT). */
export class HookTimeout extends Error {
  readonly ms: number;

  constructor(ms: number) {
    super(`did not finish within ${ms} ms`);
    this.ms = ms;
  }
}

// DroverError's own check recognises every drover error; a subclass must also match its code, or
// `error instanceof HookFailedError` would hold for any DroverError.
function hasCode(value: unknown, code: ErrorCode): boolean {
  return DroverError[Symbol.hasInstance](value) && (value as DroverError).code === code;
}

// A hook may throw anything; say what it was without dumping a whole object into the message.
function describe(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message;
  if (typeof thrown === "string") return thrown;
  return `it threw ${inspect(thrown, { depth: 1, breakLength: Number.POSITIVE_INFINITY })}`;
}
