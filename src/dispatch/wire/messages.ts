// The frames of the dispatch protocol, by kind, and a check of each header. Each side reads only the
// kinds meant for it and checks their headers before acting: anything else is a bad message (a
// client's connection is closed; nothing reaches a drone).
//
//   client → master   CALL, CANCEL, OPEN, CLOSE
//   master → client   RESULT, ERROR, OPENED, CLOSED
//   master → drone    RUN, ABORT, CONNECT, DISCONNECT
//   drone  → master   HELLO (once, before it is ready), DONE (one for each RUN, CONNECT, DISCONNECT)
//
// Bodies are v8-serialized values (structured clone: a Buffer arrives as bytes); the master passes a
// call's params to the drone, and its result back, without decoding them.
import type { Header } from "./frames.ts";

export const Kind = {
  CALL: 1,
  CANCEL: 2,
  OPEN: 3,
  CLOSE: 4,
  RESULT: 16,
  ERROR: 17,
  OPENED: 18,
  CLOSED: 19,
  RUN: 32,
  ABORT: 33,
  CONNECT: 34,
  DISCONNECT: 35,
  HELLO: 48,
  DONE: 49,
} as const;

export type Kind = (typeof Kind)[keyof typeof Kind];

/** Call a method; in `session` when given. `timeoutMs` is the caller's budget (relative). */
export interface CallHeader {
  readonly id: number;
  readonly service: string;
  readonly method: string;
  readonly timeoutMs?: number;
  readonly session?: string;
}
export interface CancelHeader {
  readonly id: number;
}
/** Open a session on `service` (one drone pinned to it). */
export interface OpenHeader {
  readonly id: number;
  readonly service: string;
  readonly timeoutMs?: number;
}
export interface CloseHeader {
  readonly id: number;
  readonly session: string;
}

/** What a failed method threw, as the drone saw it. */
export interface RemoteError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  /** The thrown error's own `code`, if it had a string one. */
  readonly code?: string;
}

export interface ResultHeader {
  readonly id: number;
}
export interface ErrorHeader {
  readonly id: number;
  /** A DROVER_ERR_ code. */
  readonly code: string;
  readonly message: string;
  readonly remote?: RemoteError;
  /** For NO_SUCH_METHOD: the methods the service has. */
  readonly methods?: readonly string[];
}
export interface OpenedHeader {
  readonly id: number;
  readonly session: string;
}
export interface ClosedHeader {
  readonly id: number;
}

export interface RunHeader {
  readonly id: number;
  readonly method: string;
  /** Time left until the caller's deadline, in milliseconds. */
  readonly timeoutMs: number;
  readonly session?: string;
  /** A NATS subject the drone publishes the result to itself (the master is then off the return path). */
  readonly replyTo?: string;
  /**
   * Its transport delivers it again if it is not answered (at least once, JetStream): a drone whose
   * master died publishes no failure for it, which would answer the caller before the call runs again.
   */
  readonly redelivered?: true;
}
export type AbortReason = "cancelled" | "timeout";
export interface AbortHeader {
  readonly id: number;
  readonly reason: AbortReason;
}
export interface ConnectHeader {
  readonly id: number;
  readonly session: string;
}
/** Why a session ended: closed by its client, idle too long, at its lifetime, or its generation left. */
export type SessionEnd = "closed" | "idle" | "lifetime" | "drain" | "gone";
export interface DisconnectHeader {
  readonly id: number;
  readonly session: string;
  readonly reason: SessionEnd;
}

export interface HelloHeader {
  readonly methods: readonly string[];
  readonly idempotent: readonly string[];
}
export type DoneHeader =
  // `replied`: the drone published the result to the RUN's replyTo itself; no body follows.
  | { readonly id: number; readonly ok: true; readonly retire?: boolean; readonly replied?: boolean }
  // `stopped`: the drone's stop aborted the call's signal, then the method failed (whatever it threw,
  // often the abort's reason wrapped): it ran and was cut short.
  | {
      readonly id: number;
      readonly ok: false;
      readonly error: RemoteError;
      readonly retire?: boolean;
      readonly stopped?: true;
    };

const SESSION_END: readonly string[] = ["closed", "idle", "lifetime", "drain", "gone"];
const NAME = /^[A-Za-z0-9_.:-]{1,128}$/;
/** A NATS subject to publish to: printable ASCII, no space, no wildcard. */
export const SUBJECT = /^[!-)+-=?-~]{1,256}$/;

const isId = (value: unknown): boolean =>
  Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= 2 ** 48;
const isName = (value: unknown): boolean => typeof value === "string" && NAME.test(value);
const isString = (value: unknown, max = 1024): boolean => typeof value === "string" && value.length <= max;
const isTimeout = (value: unknown): boolean =>
  value === undefined || (Number.isFinite(value) && (value as number) > 0 && (value as number) <= 2 ** 31);
const optional = (value: unknown, check: (value: unknown) => boolean): boolean =>
  value === undefined || check(value);
const isStringList = (value: unknown): boolean =>
  Array.isArray(value) && value.length <= 10_000 && value.every((item) => isString(item, 256));
const isRemoteError = (value: unknown): boolean => {
  if (typeof value !== "object" || value === null) return false;
  const error = value as Record<string, unknown>;
  return (
    isString(error.name, 256) &&
    isString(error.message, 1024 * 1024) &&
    optional(error.stack, (stack) => isString(stack, 1024 * 1024)) &&
    optional(error.code, (code) => isString(code, 256))
  );
};

type Check = (header: Header) => boolean;

const CHECKS: Readonly<Record<number, Check>> = {
  [Kind.CALL]: (h) =>
    isId(h.id) &&
    isName(h.service) &&
    isName(h.method) &&
    isTimeout(h.timeoutMs) &&
    optional(h.session, isName),
  [Kind.CANCEL]: (h) => isId(h.id),
  [Kind.OPEN]: (h) => isId(h.id) && isName(h.service) && isTimeout(h.timeoutMs),
  [Kind.CLOSE]: (h) => isId(h.id) && isName(h.session),
  [Kind.RESULT]: (h) => isId(h.id),
  [Kind.ERROR]: (h) =>
    isId(h.id) &&
    isString(h.code, 128) &&
    isString(h.message, 1024 * 1024) &&
    optional(h.remote, isRemoteError) &&
    optional(h.methods, isStringList),
  [Kind.OPENED]: (h) => isId(h.id) && isName(h.session),
  [Kind.CLOSED]: (h) => isId(h.id),
  [Kind.RUN]: (h) =>
    isId(h.id) &&
    isName(h.method) &&
    isTimeout(h.timeoutMs) &&
    optional(h.session, isName) &&
    optional(h.replyTo, (subject) => typeof subject === "string" && SUBJECT.test(subject)) &&
    optional(h.redelivered, (redelivered) => redelivered === true),
  [Kind.ABORT]: (h) => isId(h.id) && (h.reason === "cancelled" || h.reason === "timeout"),
  [Kind.CONNECT]: (h) => isId(h.id) && isName(h.session),
  [Kind.DISCONNECT]: (h) => isId(h.id) && isName(h.session) && SESSION_END.includes(h.reason as string),
  [Kind.HELLO]: (h) => isStringList(h.methods) && isStringList(h.idempotent),
  [Kind.DONE]: (h) =>
    isId(h.id) &&
    optional(h.retire, (retire) => typeof retire === "boolean") &&
    ((h.ok === true && optional(h.replied, (replied) => replied === true)) ||
      (h.ok === false && isRemoteError(h.error) && optional(h.stopped, (stopped) => stopped === true))),
};

/** The kinds a client sends, a master sends to a client, a master sends to a drone, a drone sends. */
export const CLIENT_KINDS: readonly number[] = [Kind.CALL, Kind.CANCEL, Kind.OPEN, Kind.CLOSE];
export const REPLY_KINDS: readonly number[] = [Kind.RESULT, Kind.ERROR, Kind.OPENED, Kind.CLOSED];
export const DRONE_BOUND_KINDS: readonly number[] = [Kind.RUN, Kind.ABORT, Kind.CONNECT, Kind.DISCONNECT];
export const DRONE_KINDS: readonly number[] = [Kind.HELLO, Kind.DONE];

/** Whether `header` is a well-formed header of `kind`, and `kind` is one of `allowed`. */
export function isValidHeader(kind: number, header: Header, allowed: readonly number[]): boolean {
  if (!allowed.includes(kind)) return false;
  const check = CHECKS[kind];
  return check?.(header) ?? false;
}

/** Whether a method or service name is one the protocol can carry. */
export function isWireName(name: string): boolean {
  return NAME.test(name);
}
