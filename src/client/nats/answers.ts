// What a reply over NATS means: a result (v8-serialized), a session's opening (its id in a header),
// NATS's own no-responders (no master took the call), or an error in the NATS services convention
// with drover's code and details in the body.
import { deserialize } from "node:v8";
import type { Msg } from "@nats-io/transport-node";
import { type ErrorCode as Code, ErrorCode } from "../../errors.ts";
import {
  ERROR_HEADER,
  headersOf,
  SERVICE_ERROR,
  SERVICE_ERROR_CODE,
  SESSION_HEADER,
} from "../../transports/nats/headers.ts";
import { DispatchError } from "../errors.ts";

const CODES = new Set<string>(Object.values(ErrorCode));

const JSON_OBJECT = 0x7b; // "{"

/**
 * The stream a JetStream ack names, when a reply is one: a stream that captures a service's subject (left
 * by delivery "at-least-once", or another host's) stores a plain call too, and acks it to its reply
 * subject, before or after the master's answer. Never a drover answer: a result is v8-serialized, an
 * error carries headers; an ack is a JSON object without headers.
 */
export function streamAckOf(message: Msg): string | undefined {
  // Read where it cannot throw (it runs in the inbox's callback): unreadable headers are headers.
  if (headersOf(message) !== undefined || message.data[0] !== JSON_OBJECT) return undefined;
  try {
    const ack = JSON.parse(Buffer.from(message.data).toString()) as { stream?: unknown; error?: unknown };
    if (typeof ack !== "object" || ack === null || (ack.stream === undefined && ack.error === undefined))
      return undefined;
    return typeof ack.stream === "string" ? ack.stream : "(unnamed)";
  } catch {
    return undefined;
  }
}

/** The call's result, or throws the DispatchError its reply carries. */
export function resultOf(message: Msg, what: string, inSession: boolean): unknown {
  const failure = failureOf(message, what, inSession);
  if (failure) throw failure;
  try {
    return deserialize(message.data);
  } catch (error) {
    throw new DispatchError(
      ErrorCode.DISPATCH_BAD_MESSAGE,
      `${what}: the result could not be read: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

/** Throws the DispatchError a reply carries, if it carries one (a close's reply has no result). */
export function checkReply(message: Msg, what: string, inSession: boolean): void {
  const failure = failureOf(message, what, inSession);
  if (failure) throw failure;
}

/** The session id an opening's reply carries, or throws its error. */
export function sessionOf(message: Msg, what: string): string {
  const failure = failureOf(message, what, false);
  if (failure) throw failure;
  const session = headersOf(message)?.get(SESSION_HEADER);
  if (!session)
    throw new DispatchError(ErrorCode.DISPATCH_BAD_MESSAGE, `${what}: the reply named no session`);
  return session;
}

function failureOf(message: Msg, what: string, inSession: boolean): DispatchError | undefined {
  const headers = headersOf(message);
  if (headers === null) {
    return new DispatchError(
      ErrorCode.DISPATCH_BAD_MESSAGE,
      `${what}: the reply's headers cannot be read (a malformed header line, which no drover master sends)`,
    );
  }
  if (!headers) return undefined;
  if (headers.code === 503 && !headers.get(SERVICE_ERROR_CODE)) {
    return inSession
      ? new DispatchError(
          ErrorCode.SESSION_EXPIRED,
          `${what}: the session ended (no master holds it any more): open a new one`,
        )
      : new DispatchError(
          ErrorCode.NO_RESPONDERS,
          `${what}: no drover master takes it on NATS now: none serves a service of that name (check it, and the client's services option for one with a subject of its own), or every one that does is full or stopping; nothing ran: retry later`,
        );
  }
  if (!headers.get(SERVICE_ERROR_CODE) && !headers.get(ERROR_HEADER)) return undefined;
  const details = readDetails(message.data);
  const given = details?.code ?? headers.get(ERROR_HEADER);
  const code = (CODES.has(given ?? "") ? given : ErrorCode.INTERNAL) as Code;
  const text = details?.message ?? headers.get(SERVICE_ERROR) ?? "the service failed the call";
  return new DispatchError(code, text, { remote: details?.remote, methods: details?.methods });
}

interface Details {
  readonly code?: string;
  readonly message?: string;
  readonly remote?: { name: string; message: string; stack?: string; code?: string };
  readonly methods?: string[];
}

function readDetails(data: Uint8Array): Details | undefined {
  if (data.byteLength === 0) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString());
    return typeof value === "object" && value !== null ? (value as Details) : undefined;
  } catch {
    return undefined;
  }
}
