// Length-prefixed frames, the one framing of every dispatch channel (client ↔ master over the
// service socket, master ↔ drone over the drone's data pipe). Never "read until the pipe is empty"
// (the seed's truncation hazard): each frame says its own length first.
//
//   u32 BE  length of what follows (kind + header length + header + body)
//   u8      kind (see messages.ts)
//   u32 BE  header length
//   ...     header: the routing fields (ids, names, deadlines): a UTF-8 JSON object, or for the four
//           frames of every call (CALL, RUN, DONE, RESULT) a compact one (compact.ts)
//   ...     body: opaque bytes (a v8-serialized value), passed through the master untouched
//
// The reader learns each frame's kind and header before its body arrives and asks how much body that
// frame may have: a body over the limit is skipped as it streams (never buffered) and reported, so one
// oversized call is refused without closing the connection it came on. Frames that arrive whole in one
// chunk are read straight out of it; only a frame split across chunks is gathered.
import { COMPACT, CompactError, decodeCompact, encodeCompact, hasCompactLayout } from "./compact.ts";

/** Bytes before the header: length, kind, header length. */
export const PREFIX_BYTES = 9;
/** The longest header any frame may have. */
export const MAX_HEADER_BYTES = 64 * 1024;

export type Header = Record<string, unknown>;

export interface Frame {
  readonly kind: number;
  readonly header: Header;
  readonly body: Buffer;
}

// A body up to this size is copied into the frame's one buffer (one write); a bigger one is written
// as it is, after the head.
export const INLINE_BODY_BYTES = 64 * 1024;

/**
 * The frame as buffers to write: one, or the head and then a big body. The header goes compact when
 * its kind has a layout it fits, else as JSON.
 */
export function encodeFrame(kind: number, header: Header, body?: Uint8Array): Buffer[] {
  const compact = hasCompactLayout(kind) ? encodeCompact(kind, header) : undefined;
  const json = compact ? "" : JSON.stringify(header);
  const headerBytes = compact ? compact.length : Buffer.byteLength(json);
  const bodyLength = body?.byteLength ?? 0;
  const inline = bodyLength <= INLINE_BODY_BYTES;
  const head = Buffer.allocUnsafe(PREFIX_BYTES + headerBytes + (inline ? bodyLength : 0));
  head.writeUInt32BE(5 + headerBytes + bodyLength, 0);
  head[4] = kind;
  head.writeUInt32BE(headerBytes, 5);
  if (compact) compact.copy(head, PREFIX_BYTES);
  else head.write(json, PREFIX_BYTES);
  if (!body || bodyLength === 0) return [head];
  if (inline) {
    head.set(body, PREFIX_BYTES + headerBytes);
    return [head];
  }
  return [head, Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, bodyLength)];
}

/** Writes one frame; false when the stream wants the writer to wait for 'drain'. */
export function writeFrame(
  stream: NodeJS.WritableStream & { cork?: () => void; uncork?: () => void },
  kind: number,
  header: Header,
  body?: Uint8Array,
): boolean {
  const parts = encodeFrame(kind, header, body);
  if (parts.length === 1) return stream.write(parts[0] as Buffer);
  stream.cork?.();
  stream.write(parts[0] as Buffer);
  const ok = stream.write(parts[1] as Buffer);
  stream.uncork?.();
  return ok;
}

/** Why a stream of frames cannot be read on: the connection must be closed. */
export class FrameError extends Error {}

export interface FrameSink {
  frame(frame: Frame): void;
  /** The longest body this frame may have (bytes); bigger ones are skipped and go to `oversize`. */
  bodyLimit(kind: number, header: Header): number;
  /** A frame whose body was over its limit: its body was skipped, the stream reads on. */
  oversize(kind: number, header: Header, bodyBytes: number): void;
}

/**
 * Turns chunks into frames. `push` throws FrameError on anything that is not a frame (a length too
 * short for its own header, a header over MAX_HEADER_BYTES or not a JSON object): the caller closes.
 */
export class FrameReader {
  readonly #sink: FrameSink;
  #chunks: Buffer[] = [];
  #buffered = 0;
  // The frame being read, once its prefix and header are in.
  #current: { kind: number; header: Header; bodyBytes: number; skip: boolean } | undefined;
  #skipLeft = 0;

  constructor(sink: FrameSink) {
    this.#sink = sink;
  }

  /** Bytes received but not yet part of a whole frame. */
  get pending(): number {
    return this.#buffered;
  }

  /** Whether the stream ended between frames (not in the middle of one). */
  get atBoundary(): boolean {
    return this.#buffered === 0 && this.#current === undefined && this.#skipLeft === 0;
  }

  push(chunk: Buffer): void {
    let data = chunk;
    if (this.#skipLeft > 0) {
      const skipped = Math.min(this.#skipLeft, data.length);
      this.#skipLeft -= skipped;
      if (this.#skipLeft === 0) this.#finishSkip();
      data = data.subarray(skipped);
      if (data.length === 0) return;
    }
    if (this.#buffered === 0 && this.#current === undefined && this.#skipLeft === 0) {
      const used = this.#wholeFrames(data);
      if (used === data.length) return;
      data = data.subarray(used);
    }
    this.#chunks.push(data);
    this.#buffered += data.length;
    this.#drain();
  }

  // The frames that lie whole in `data`, read where they are (nothing is copied or gathered); returns
  // how many bytes they took. What is left, a frame begun, goes the gathering way.
  #wholeFrames(data: Buffer): number {
    let at = 0;
    while (data.length - at >= PREFIX_BYTES) {
      const length = data.readUInt32BE(at);
      const headerBytes = checkedHeaderBytes(length, data.readUInt32BE(at + 5));
      if (data.length - at - 4 < length) break;
      const kind = data[at + 4] as number;
      const headerStart = at + PREFIX_BYTES;
      const bodyStart = headerStart + headerBytes;
      const header = parseHeader(kind, data, headerStart, bodyStart);
      const bodyBytes = length - 5 - headerBytes;
      at = bodyStart + bodyBytes;
      if (bodyBytes > this.#sink.bodyLimit(kind, header)) this.#sink.oversize(kind, header, bodyBytes);
      else this.#sink.frame({ kind, header, body: data.subarray(bodyStart, at) });
    }
    return at;
  }

  #drain(): void {
    for (;;) {
      if (this.#skipLeft > 0) {
        const skipped = Math.min(this.#skipLeft, this.#buffered);
        this.#take(skipped);
        this.#skipLeft -= skipped;
        if (this.#skipLeft > 0) return;
        this.#finishSkip();
      }
      if (!this.#current) {
        if (this.#buffered < PREFIX_BYTES) return;
        const prefix = this.#peek(PREFIX_BYTES);
        const length = prefix.readUInt32BE(0);
        const kind = prefix[4] as number;
        const headerBytes = checkedHeaderBytes(length, prefix.readUInt32BE(5));
        if (this.#buffered < PREFIX_BYTES + headerBytes) return;
        this.#take(PREFIX_BYTES);
        const header = parseHeader(kind, this.#take(headerBytes), 0, headerBytes);
        const bodyBytes = length - 5 - headerBytes;
        const skip = bodyBytes > this.#sink.bodyLimit(kind, header);
        this.#current = { kind, header, bodyBytes, skip };
        if (skip) {
          this.#skipLeft = bodyBytes;
          continue;
        }
      }
      const current = this.#current;
      if (this.#buffered < current.bodyBytes) return;
      this.#current = undefined;
      this.#sink.frame({ kind: current.kind, header: current.header, body: this.#take(current.bodyBytes) });
    }
  }

  #finishSkip(): void {
    const current = this.#current;
    this.#current = undefined;
    if (current) this.#sink.oversize(current.kind, current.header, current.bodyBytes);
  }

  #peek(bytes: number): Buffer {
    const first = this.#chunks[0] as Buffer;
    if (first.length >= bytes) return first.subarray(0, bytes);
    const joined = Buffer.concat(this.#chunks);
    this.#chunks = [joined];
    return joined.subarray(0, bytes);
  }

  #take(bytes: number): Buffer {
    if (bytes === 0) return Buffer.alloc(0);
    const first = this.#chunks[0] as Buffer;
    let taken: Buffer;
    if (first.length >= bytes) {
      taken = first.subarray(0, bytes);
      if (first.length === bytes) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(bytes);
    } else {
      const joined = Buffer.concat(this.#chunks, this.#buffered);
      taken = joined.subarray(0, bytes);
      this.#chunks = joined.length > bytes ? [joined.subarray(bytes)] : [];
    }
    this.#buffered -= bytes;
    return taken;
  }
}

/** A frame's header length, once it is known to fit its frame and MAX_HEADER_BYTES. */
function checkedHeaderBytes(length: number, headerBytes: number): number {
  if (headerBytes > MAX_HEADER_BYTES) {
    throw new FrameError(`a frame's header of ${headerBytes} bytes is over ${MAX_HEADER_BYTES}`);
  }
  if (length < 5 + headerBytes) {
    throw new FrameError(`a frame of ${length} bytes cannot hold its ${headerBytes}-byte header`);
  }
  return headerBytes;
}

function parseHeader(kind: number, bytes: Buffer, start: number, end: number): Header {
  if (end > start && bytes[start] === COMPACT) {
    try {
      return decodeCompact(kind, bytes, start, end);
    } catch (error) {
      if (error instanceof CompactError) throw new FrameError(error.message);
      throw error;
    }
  }
  let header: unknown;
  try {
    header = JSON.parse(bytes.toString("utf8", start, end));
  } catch {
    throw new FrameError("a frame's header is not JSON");
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    throw new FrameError("a frame's header is not a JSON object");
  }
  return header as Header;
}
