// A call's, a session's or a connection's timeout as the caller gives it: milliseconds, or a duration
// with a unit ("5s"), the same as in the config. Refused at once, nothing sent, when it is not one.
import { readDuration } from "../config/duration.ts";
import type { Duration } from "../config/types/values.ts";
import { ErrorCode } from "../errors.ts";
import { DispatchError } from "./errors.ts";

export type { Duration } from "../config/types/values.ts";

/** Milliseconds from `value` (undefined stays undefined); throws DISPATCH_BAD_MESSAGE naming `what`. */
export function timeoutMs(value: Duration | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = readDuration(value, true);
  if (parsed.ok && parsed.value > 0) return parsed.value;
  const reason = parsed.ok ? "must be more than 0" : parsed.reason;
  throw new DispatchError(ErrorCode.DISPATCH_BAD_MESSAGE, `${what} ${reason}; nothing was sent`);
}
