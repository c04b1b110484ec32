// What a drone's failed answer means for the caller. A method that threw is METHOD_FAILED with the
// remote error (name, message, stack) attached; the drone's own refusals keep their drover code.
import { ErrorCode } from "../errors.ts";
import type { FailureDetails } from "../transports/seam.ts";
import type { RemoteError } from "./wire/messages.ts";

// Codes a drone answers with itself (a refusal, not the method's throw), and those of a method that
// threw its own ctx.signal's reason: its deadline (the drone's timer can beat the master's by a hair)
// or its caller's cancel, which the caller hears as such.
const DRONE_CODES: ReadonlySet<string> = new Set([
  ErrorCode.DISPATCH_TIMEOUT,
  ErrorCode.DISPATCH_CANCELLED,
  ErrorCode.NO_SUCH_METHOD,
  ErrorCode.MESSAGE_TOO_LARGE,
  ErrorCode.DISPATCH_BAD_MESSAGE,
  ErrorCode.SESSION_EXPIRED,
  ErrorCode.STOPPING,
]);

export function remoteFailure(
  error: RemoteError,
  method: string,
  opening: boolean,
): { code: ErrorCode; message: string; details?: FailureDetails } {
  if (error.name === "DroverError" && error.code !== undefined && DRONE_CODES.has(error.code)) {
    return { code: error.code as ErrorCode, message: error.message };
  }
  const what = opening ? "onConnect" : `"${method}"`;
  return {
    code: ErrorCode.METHOD_FAILED,
    message: `${what} threw ${error.name}: ${error.message}`,
    details: { remote: error },
  };
}
