// The bare peers' only knowledge of drover's frames: where each ends (its u32 length prefix, see
// src/dispatch/wire/frames.ts) and which byte is its kind. Nothing is parsed or decoded.
import { Kind } from "../../../src/dispatch/wire/messages.ts";

/** A 'data' handler that passes on whole frames only, as few buffers as the chunks allow. */
export function wholeFrames(onFrames: (frames: Buffer) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let end = 0;
    while (pending.length - end >= 4) {
      const size = 4 + pending.readUInt32BE(end);
      if (pending.length - end < size) break;
      end += size;
    }
    if (end === 0) return;
    onFrames(pending.subarray(0, end));
    pending = pending.subarray(end);
  };
}

/** Turns every CALL frame in `frames` (whole frames) into a RESULT, in place: an echo's answer. */
export function answerInPlace(frames: Buffer): Buffer {
  for (let at = 0; at < frames.length; at += 4 + frames.readUInt32BE(at)) frames[at + 4] = Kind.RESULT;
  return frames;
}
