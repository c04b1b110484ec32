// The frames of a call's hot path, each encoded straight into one buffer with its compact header
// (compact.ts): RUN (master → drone), DONE of a call that succeeded (drone → master) and RESULT
// (master → client). The client's CALL is client/call-frame.ts. Their names and numbers were checked
// where they came from (a checked header, the pool's own deadline), so nothing is checked again here.
import {
  COMPACT_HEAD_BYTES,
  HAS_REPLY_TO,
  HAS_SESSION,
  REDELIVERED,
  REPLIED,
  RETIRE,
  runFieldBytes,
  writeCompactHead,
  writeRunFields,
} from "./compact.ts";
import { INLINE_BODY_BYTES, PREFIX_BYTES } from "./frames.ts";
import { Kind } from "./messages.ts";

/**
 * RUN of call `id`: `timeoutMs` a whole number of milliseconds, `method` and `session` wire names,
 * `replyTo` the NATS subject its drone answers on (a checked subject), `redelivered`: its transport
 * delivers it again if it is not answered.
 */
export function encodeRun(
  id: number,
  method: string,
  timeoutMs: number,
  session: string | undefined,
  replyTo: string | undefined,
  redelivered: boolean,
  params: Buffer,
): Buffer[] {
  const headerBytes = COMPACT_HEAD_BYTES + runFieldBytes(method, session, replyTo);
  const frame = allocFrame(Kind.RUN, headerBytes, params);
  const flags =
    (session === undefined ? 0 : HAS_SESSION) |
    (replyTo === undefined ? 0 : HAS_REPLY_TO) |
    (redelivered ? REDELIVERED : 0);
  const at = writeCompactHead(frame, PREFIX_BYTES, flags, id);
  writeRunFields(frame, at, timeoutMs, method, session, replyTo);
  return withBody(frame, PREFIX_BYTES + headerBytes, params);
}

/**
 * DONE of call `id`, which succeeded with `result` (v8-serialized); `retire`: replace this drone;
 * `replied`: the drone published the result itself (`result` is then empty).
 */
export function encodeDone(id: number, retire: boolean, result: Buffer, replied = false): Buffer[] {
  const frame = allocFrame(Kind.DONE, COMPACT_HEAD_BYTES, result);
  writeCompactHead(frame, PREFIX_BYTES, (retire ? RETIRE : 0) | (replied ? REPLIED : 0), id);
  return withBody(frame, PREFIX_BYTES + COMPACT_HEAD_BYTES, result);
}

/** RESULT of the caller's request `id`. */
export function encodeResult(id: number, result: Buffer): Buffer[] {
  const frame = allocFrame(Kind.RESULT, COMPACT_HEAD_BYTES, result);
  writeCompactHead(frame, PREFIX_BYTES, 0, id);
  return withBody(frame, PREFIX_BYTES + COMPACT_HEAD_BYTES, result);
}

// The frame's buffer, with its prefix written: room for the header, and for the body if it is small.
function allocFrame(kind: number, headerBytes: number, body: Buffer): Buffer {
  const inline = body.length <= INLINE_BODY_BYTES ? body.length : 0;
  const frame = Buffer.allocUnsafe(PREFIX_BYTES + headerBytes + inline);
  frame.writeUInt32BE(5 + headerBytes + body.length, 0);
  frame[4] = kind;
  frame.writeUInt32BE(headerBytes, 5);
  return frame;
}

function withBody(frame: Buffer, bodyAt: number, body: Buffer): Buffer[] {
  if (body.length > INLINE_BODY_BYTES) return [frame, body];
  if (body.length > 0) body.copy(frame, bodyAt);
  return [frame];
}
