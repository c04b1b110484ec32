// A CALL frame in one buffer, so a call costs one write: the prefix and the compact header
// (dispatch/wire/compact.ts) are written into the v8 serializer as raw bytes before the value, and the
// length is filled in once the value is in. The bytes after the header are exactly
// `v8.serialize(params)`, as the protocol has them (frames.ts).
import { DefaultSerializer } from "node:v8";
import { HAS_SESSION, HAS_TIMEOUT, writeCompactHead, writeName } from "../dispatch/wire/compact.ts";
import { PREFIX_BYTES } from "../dispatch/wire/frames.ts";
import { Kind } from "../dispatch/wire/messages.ts";
import { ErrorCode } from "../errors.ts";
import { DispatchError } from "./errors.ts";

// Service, method and session names are wire names (letters, digits, . _ : -, at most 128) checked
// before this, so each is as many bytes as characters; a timeout is a whole number of milliseconds
// below 2^31 (timeouts.ts).
const scratch = Buffer.allocUnsafe(1024);
const MAX_FRAME_LENGTH = 0xffff_ffff;

/**
 * The CALL frame of call `id`. Throws what the serializer throws for params it cannot clone, and
 * MESSAGE_TOO_LARGE for a frame longer than its u32 length can say.
 */
export function encodeCall(
  id: number,
  service: string,
  method: string,
  timeoutMs: number | undefined,
  session: string | undefined,
  params: unknown,
): Buffer {
  const flags = (timeoutMs === undefined ? 0 : HAS_TIMEOUT) | (session === undefined ? 0 : HAS_SESSION);
  let at = writeCompactHead(scratch, PREFIX_BYTES, flags, id);
  if (timeoutMs !== undefined) at = scratch.writeUInt32BE(timeoutMs, at);
  at = writeName(scratch, at, service);
  at = writeName(scratch, at, method);
  if (session !== undefined) at = writeName(scratch, at, session);
  scratch[4] = Kind.CALL;
  scratch.writeUInt32BE(at - PREFIX_BYTES, 5);
  const serializer = new DefaultSerializer();
  serializer.writeRawBytes(scratch.subarray(0, at));
  serializer.writeHeader();
  serializer.writeValue(params);
  const frame = serializer.releaseBuffer();
  if (frame.length - 4 > MAX_FRAME_LENGTH) {
    throw new DispatchError(
      ErrorCode.MESSAGE_TOO_LARGE,
      `the params of ${service}.${method} make a ${frame.length}-byte frame, over the ${MAX_FRAME_LENGTH} ` +
        "bytes one frame can hold: send less in one call; nothing was sent",
    );
  }
  frame.writeUInt32BE(frame.length - 4, 0);
  return frame;
}
