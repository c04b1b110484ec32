// A call's method name and options, checked the same way whatever carries the call: anything wrong is
// refused at once, with nothing sent.
import { isWireName } from "../dispatch/wire/messages.ts";
import { ErrorCode } from "../errors.ts";
import { DispatchError } from "./errors.ts";
import { checkKnown } from "./known-options.ts";
import { timeoutMs } from "./timeouts.ts";
import type { CallOptions } from "./types.ts";

export const NAME_RULE = "1 to 128 letters, digits, or . _ : -";
const CALL_OPTIONS = ["timeout", "signal"];

/** The budget and signal of a call of `service`.`method`; throws DISPATCH_BAD_MESSAGE when they are bad. */
export function readCall(
  service: string,
  method: unknown,
  options: CallOptions | undefined,
  defaultTimeoutMs: number | undefined,
): { budget: number | undefined; signal: AbortSignal | undefined } {
  if (typeof method !== "string" || !isWireName(method)) {
    throw refusal(`${JSON.stringify(method)} is not a method name (${NAME_RULE})`);
  }
  if (options === undefined) return { budget: defaultTimeoutMs, signal: undefined };
  if (typeof options !== "object" || options === null) {
    throw refusal(
      `the options of ${service}.${method} must be an object ({ timeout, signal }), got ${options === null ? "null" : typeof options}`,
    );
  }
  checkKnown(options, CALL_OPTIONS, `a call of ${service}.${method}`);
  const budget = timeoutMs(options.timeout, `the timeout of ${service}.${method}`) ?? defaultTimeoutMs;
  const signal = options.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw refusal(`the signal of ${service}.${method} is not an AbortSignal`);
  }
  return { budget, signal };
}

/** Params that structured clone cannot copy, as the caller is told. */
export function unsendableParams(service: string, method: string, error: unknown): DispatchError {
  return new DispatchError(
    ErrorCode.DISPATCH_BAD_MESSAGE,
    `the params of ${service}.${method} cannot be sent: ${(error as Error).message} ` +
      "(params must be what structured clone copies: no functions, symbols or sockets); nothing was sent",
    { cause: error },
  );
}

function refusal(reason: string): DispatchError {
  return new DispatchError(ErrorCode.DISPATCH_BAD_MESSAGE, `${reason}; nothing was sent`);
}
