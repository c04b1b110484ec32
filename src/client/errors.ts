// How a call fails on the caller's side: a DroverError with the code the master (or the client) gave,
// and, when the master sent them, what the method threw in its drone and the methods the service has.
import type { RemoteError } from "../dispatch/wire/messages.ts";
import { DroverError, type ErrorCode } from "../errors.ts";

export type { RemoteError } from "../dispatch/wire/messages.ts";

const brand = Symbol.for("drover.dispatch-error");

export interface DispatchErrorDetails {
  readonly remote?: RemoteError | undefined;
  readonly methods?: readonly string[] | undefined;
  readonly cause?: unknown;
}

/** A call that did not return: `code` says why (DROVER_ERR_...), `remote` what the method threw. */
export class DispatchError extends DroverError {
  /** What the method threw in its drone (METHOD_FAILED): its name, message and stack there. */
  declare readonly remote?: RemoteError;
  /** The methods the service has (NO_SUCH_METHOD). */
  declare readonly methods?: readonly string[];

  constructor(code: ErrorCode, message: string, details: DispatchErrorDetails = {}) {
    super(code, message, details.cause === undefined ? undefined : { cause: details.cause });
    if (details.remote) Object.defineProperty(this, "remote", { value: details.remote, enumerable: true });
    if (details.methods) Object.defineProperty(this, "methods", { value: details.methods, enumerable: true });
    Object.defineProperty(this, brand, { value: true, enumerable: false });
  }

  // Across copies of the package, as DroverError's own check.
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[brand] === true;
  }
}
