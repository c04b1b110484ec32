// What the NATS transport carries in headers. A call: `Drover-Timeout`, the caller's budget in
// milliseconds (relative, so no clock skew between hosts matters). An error reply: the NATS services
// convention's `Nats-Service-Error-Code` (an HTTP-like status) and `Nats-Service-Error` (the text), so
// NATS tooling reads it, plus `Drover-Error` (the DROVER_ERR_ code) and a JSON body with the details.
// A session's opening answers with `Drover-Session` (its id). The status a code maps to is the one
// nats-server itself uses for service latency (200, 400, 408, 503, 504) where one fits.
import type { MsgHdrs } from "@nats-io/transport-node";
import { ErrorCode } from "../../errors.ts";

export const TIMEOUT_HEADER = "Drover-Timeout";
export const SESSION_HEADER = "Drover-Session";
export const ERROR_HEADER = "Drover-Error";
/** On a call through JetStream: the caller's inbox, where its answer goes. */
export const REPLY_HEADER = "Drover-Reply";
/** On a cancel: the reply subject of the call it cancels. */
export const CALL_HEADER = "Drover-Call";
export const SERVICE_ERROR = "Nats-Service-Error";
export const SERVICE_ERROR_CODE = "Nats-Service-Error-Code";

const STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.DISPATCH_BAD_MESSAGE]: 400,
  [ErrorCode.NO_SUCH_SERVICE]: 404,
  [ErrorCode.NO_SUCH_METHOD]: 404,
  [ErrorCode.DISPATCH_CANCELLED]: 408,
  [ErrorCode.SESSION_EXPIRED]: 410,
  [ErrorCode.MESSAGE_TOO_LARGE]: 413,
  [ErrorCode.DISPATCH_BACKLOG_FULL]: 503,
  [ErrorCode.STOPPING]: 503,
  [ErrorCode.DISPATCH_TIMEOUT]: 504,
};

/** The status of an error reply with `code`: 500 unless the code says otherwise. */
export function statusOf(code: ErrorCode): number {
  return STATUS[code] ?? 500;
}

/**
 * A message's headers (undefined: it has none), or null when they cannot be read: nats.js throws on a
 * malformed header line (a space in a name, say) as they are read, and anyone may publish one.
 */
export function headersOf(message: { readonly headers?: MsgHdrs | undefined }): MsgHdrs | undefined | null {
  try {
    return message.headers;
  } catch {
    return null;
  }
}

/** The caller's budget from a call's headers: undefined when none was given, NaN when it is not one or they are unreadable. */
export function readTimeout(headers: MsgHdrs | undefined | null): number | undefined {
  if (headers === null) return Number.NaN;
  const text = headers?.get(TIMEOUT_HEADER);
  if (text === undefined || text === "") return undefined;
  const value = Number(text);
  return /^\d{1,10}$/.test(text) && value > 0 && value <= 2 ** 31 ? value : Number.NaN;
}
