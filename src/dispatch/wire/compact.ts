// Compact headers: the four frames every call sends (CALL, RUN, DONE, RESULT) carry their header as a
// few fixed-width integers and length-prefixed names instead of JSON, which costs each side a parse
// and an encode per frame. A compact header decodes to the same object a JSON one does (the header
// interfaces of messages.ts), checked the same way. Any header that does not fit the layout (an error
// DONE, a name that is not a wire name, a field of another type) goes as JSON, which every kind takes.
//
//   u8    COMPACT (a JSON header starts with "{")
//   u8    flags: which optional fields follow (bits per kind, below)
//   u64   id, big-endian (ids go up to 2^48, messages.ts)
//   CALL    [u32 timeoutMs if HAS_TIMEOUT] name service, name method, [name session if HAS_SESSION]
//   RUN     u32 timeoutMs, name method, [name session if HAS_SESSION], [subject replyTo if HAS_REPLY_TO];
//           REDELIVERED says redelivered
//   DONE    nothing more: ok is true; RETIRE says retire, REPLIED replied (a failed call's DONE is JSON)
//   RESULT  nothing more
//   name:   u8 length, then that many bytes (wire names are ASCII)
//   subject: u16 length, then that many bytes (a NATS subject, printable ASCII: messages.ts)
//
// A decoder reads the fields it knows and ignores flag bits and bytes after them: a new optional field
// takes the next flag bit and goes after the others, and an older reader still reads the rest.
import { Kind, SUBJECT } from "./messages.ts";

export const COMPACT = 0x01;
export const HAS_TIMEOUT = 0x01;
export const HAS_SESSION = 0x02;
export const RETIRE = 0x04;
export const HAS_REPLY_TO = 0x08;
export const REPLIED = 0x10;
export const REDELIVERED = 0x20;
/** Tag, flags and id: the bytes every compact header starts with. */
export const COMPACT_HEAD_BYTES = 10;
// As messages.ts's NAME: a name of up to 128 of these characters, which are one byte each.
const WIRE_NAME = /^[A-Za-z0-9_.:-]{1,128}$/;
const MAX_ID = 2 ** 48;
const MAX_U32 = 0xffff_ffff;

export type CompactHeader = Record<string, unknown>;

/** Why a compact header cannot be read: the stream is no longer frames. */
export class CompactError extends Error {}

/** Whether `kind` has a compact layout. */
export function hasCompactLayout(kind: number): boolean {
  return kind === Kind.CALL || kind === Kind.RUN || kind === Kind.DONE || kind === Kind.RESULT;
}

/** Writes tag, flags and id at `at`; returns where the kind's own fields start. */
export function writeCompactHead(buffer: Buffer, at: number, flags: number, id: number): number {
  buffer[at] = COMPACT;
  buffer[at + 1] = flags;
  buffer.writeUInt32BE(Math.floor(id / 2 ** 32), at + 2);
  buffer.writeUInt32BE(id >>> 0, at + 6);
  return at + COMPACT_HEAD_BYTES;
}

/** Writes `subject` (printable ASCII) as a u16 length and its bytes at `at`; returns the end. */
export function writeSubject(buffer: Buffer, at: number, subject: string): number {
  buffer.writeUInt16BE(subject.length, at);
  buffer.write(subject, at + 2, "latin1");
  return at + 2 + subject.length;
}

/** Writes `name` (a wire name: ASCII) as a u8 length and its bytes at `at`; returns the end. */
export function writeName(buffer: Buffer, at: number, name: string): number {
  buffer[at] = name.length;
  buffer.write(name, at + 1, "latin1");
  return at + 1 + name.length;
}

/**
 * The compact header for `header` of `kind`, or undefined when it has no compact form (a field
 * outside the layout, of another type or out of range): the caller sends JSON then.
 */
export function encodeCompact(kind: number, header: CompactHeader): Buffer | undefined {
  const { id } = header;
  if (!Number.isSafeInteger(id) || (id as number) < 0 || (id as number) > MAX_ID) return undefined;
  switch (kind) {
    case Kind.CALL:
      return encodeCall(header, id as number);
    case Kind.RUN:
      return encodeRun(header, id as number);
    case Kind.DONE:
      if (header.ok !== true || !onlyKeys(header, DONE_KEYS)) return undefined;
      if (header.retire !== undefined && header.retire !== true) return undefined;
      if (header.replied !== undefined && header.replied !== true) return undefined;
      return head(
        (header.retire === true ? RETIRE : 0) | (header.replied === true ? REPLIED : 0),
        id as number,
        0,
      );
    case Kind.RESULT:
      return onlyKeys(header, RESULT_KEYS) ? head(0, id as number, 0) : undefined;
    default:
      return undefined;
  }
}

const CALL_KEYS = new Set(["id", "service", "method", "timeoutMs", "session"]);
const RUN_KEYS = new Set(["id", "method", "timeoutMs", "session", "replyTo", "redelivered"]);
const DONE_KEYS = new Set(["id", "ok", "retire", "replied"]);
const RESULT_KEYS = new Set(["id"]);

function encodeCall(header: CompactHeader, id: number): Buffer | undefined {
  const { service, method, timeoutMs, session } = header;
  if (!onlyKeys(header, CALL_KEYS) || !isName(service) || !isName(method)) return undefined;
  if (session !== undefined && !isName(session)) return undefined;
  if (timeoutMs !== undefined && !isU32(timeoutMs)) return undefined;
  const flags = (timeoutMs === undefined ? 0 : HAS_TIMEOUT) | (session === undefined ? 0 : HAS_SESSION);
  const size =
    (timeoutMs === undefined ? 0 : 4) +
    2 +
    service.length +
    method.length +
    (session ? 1 + session.length : 0);
  const buffer = head(flags, id, size);
  let at = COMPACT_HEAD_BYTES;
  if (timeoutMs !== undefined) at = buffer.writeUInt32BE(timeoutMs as number, at);
  at = writeName(buffer, at, service);
  at = writeName(buffer, at, method);
  if (session !== undefined) writeName(buffer, at, session);
  return buffer;
}

function encodeRun(header: CompactHeader, id: number): Buffer | undefined {
  const { method, timeoutMs, session, replyTo, redelivered } = header;
  if (!onlyKeys(header, RUN_KEYS) || !isName(method) || !isU32(timeoutMs)) return undefined;
  if (session !== undefined && !isName(session)) return undefined;
  if (replyTo !== undefined && !isSubject(replyTo)) return undefined;
  if (redelivered !== undefined && redelivered !== true) return undefined;
  const flags =
    (session === undefined ? 0 : HAS_SESSION) |
    (replyTo === undefined ? 0 : HAS_REPLY_TO) |
    (redelivered === true ? REDELIVERED : 0);
  const buffer = head(flags, id, runFieldBytes(method, session, replyTo));
  writeRunFields(buffer, COMPACT_HEAD_BYTES, timeoutMs as number, method, session, replyTo);
  return buffer;
}

/** The bytes of a RUN's fields after the compact head. */
export function runFieldBytes(
  method: string,
  session: string | undefined,
  replyTo: string | undefined,
): number {
  return (
    5 +
    method.length +
    (session === undefined ? 0 : 1 + session.length) +
    (replyTo === undefined ? 0 : 2 + replyTo.length)
  );
}

/** Writes a RUN's fields at `at` (after its compact head, whose flags say which are there). */
export function writeRunFields(
  buffer: Buffer,
  at: number,
  timeoutMs: number,
  method: string,
  session: string | undefined,
  replyTo: string | undefined,
): void {
  let end = writeName(buffer, buffer.writeUInt32BE(timeoutMs, at), method);
  if (session !== undefined) end = writeName(buffer, end, session);
  if (replyTo !== undefined) writeSubject(buffer, end, replyTo);
}

function head(flags: number, id: number, more: number): Buffer {
  const buffer = Buffer.allocUnsafe(COMPACT_HEAD_BYTES + more);
  writeCompactHead(buffer, 0, flags, id);
  return buffer;
}

const isName = (value: unknown): value is string => typeof value === "string" && WIRE_NAME.test(value);
const isSubject = (value: unknown): value is string => typeof value === "string" && SUBJECT.test(value);
const isU32 = (value: unknown): boolean =>
  Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_U32;

// Fields left undefined are left out, as JSON leaves them.
function onlyKeys(header: CompactHeader, keys: ReadonlySet<string>): boolean {
  for (const key in header) if (!keys.has(key) && header[key] !== undefined) return false;
  return true;
}

/**
 * The header of `kind` in `bytes[start, end)`, which start with COMPACT. Throws CompactError for a
 * kind without a compact layout or a header cut short.
 */
export function decodeCompact(kind: number, bytes: Buffer, start: number, end: number): CompactHeader {
  if (end - start < COMPACT_HEAD_BYTES) throw new CompactError("a compact header is cut short");
  const flags = bytes[start + 1] as number;
  const id = bytes.readUInt32BE(start + 2) * 2 ** 32 + bytes.readUInt32BE(start + 6);
  const reader = new NameReader(bytes, start + COMPACT_HEAD_BYTES, end);
  switch (kind) {
    case Kind.CALL: {
      const timeoutMs = flags & HAS_TIMEOUT ? reader.u32() : undefined;
      const service = reader.name();
      const method = reader.name();
      if (flags & HAS_SESSION) {
        const session = reader.name();
        return timeoutMs === undefined
          ? { id, service, method, session }
          : { id, service, method, timeoutMs, session };
      }
      return timeoutMs === undefined ? { id, service, method } : { id, service, method, timeoutMs };
    }
    case Kind.RUN: {
      const timeoutMs = reader.u32();
      const method = reader.name();
      const run: CompactHeader = { id, method, timeoutMs };
      if (flags & HAS_SESSION) run.session = reader.name();
      if (flags & HAS_REPLY_TO) run.replyTo = reader.subject();
      if (flags & REDELIVERED) run.redelivered = true;
      return run;
    }
    case Kind.DONE: {
      const done: CompactHeader = { id, ok: true };
      if (flags & RETIRE) done.retire = true;
      if (flags & REPLIED) done.replied = true;
      return done;
    }
    case Kind.RESULT:
      return { id };
    default:
      throw new CompactError(`a frame of kind ${kind} has no compact header`);
  }
}

class NameReader {
  readonly #bytes: Buffer;
  readonly #end: number;
  #at: number;

  constructor(bytes: Buffer, at: number, end: number) {
    this.#bytes = bytes;
    this.#at = at;
    this.#end = end;
  }

  u32(): number {
    if (this.#at + 4 > this.#end) throw new CompactError("a compact header is cut short");
    const value = this.#bytes.readUInt32BE(this.#at);
    this.#at += 4;
    return value;
  }

  name(): string {
    const at = this.#at;
    if (at >= this.#end) throw new CompactError("a compact header is cut short");
    return this.#text(at + 1, this.#bytes[at] as number);
  }

  subject(): string {
    const at = this.#at;
    if (at + 2 > this.#end) throw new CompactError("a compact header is cut short");
    return this.#text(at + 2, this.#bytes.readUInt16BE(at));
  }

  #text(start: number, length: number): string {
    if (start + length > this.#end) throw new CompactError("a compact header is cut short");
    this.#at = start + length;
    return this.#bytes.toString("latin1", start, start + length);
  }
}
