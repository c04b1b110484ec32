// The compact headers of a call's four frames: what goes compact and what stays JSON, that both read
// back as the same header, that the hot-path encoders write exactly what encodeFrame does, and that a
// compact header cut short is refused as not a frame.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { serialize } from "node:v8";
import { encodeCall } from "../../../src/client/call-frame.ts";
import { encodeDone, encodeResult, encodeRun } from "../../../src/dispatch/wire/call-frames.ts";
import { COMPACT } from "../../../src/dispatch/wire/compact.ts";
import {
  encodeFrame,
  type Frame,
  FrameError,
  FrameReader,
  type Header,
  PREFIX_BYTES,
} from "../../../src/dispatch/wire/frames.ts";
import { Kind } from "../../../src/dispatch/wire/messages.ts";

function readAll(chunks: readonly Buffer[]): Frame[] {
  const frames: Frame[] = [];
  const reader = new FrameReader({
    frame: (frame) => frames.push(frame),
    bodyLimit: () => Number.MAX_SAFE_INTEGER,
    oversize: () => assert.fail("no limit"),
  });
  for (const chunk of chunks) reader.push(chunk);
  return frames;
}

const one = (kind: number, header: Header, body?: Buffer) => Buffer.concat(encodeFrame(kind, header, body));
const headerByte = (frame: Buffer) => frame[PREFIX_BYTES];
const JSON_START = "{".charCodeAt(0);

describe("compact headers", () => {
  const compact: Array<[string, number, Header]> = [
    ["a CALL", Kind.CALL, { id: 7, service: "math", method: "add" }],
    [
      "a CALL with everything",
      Kind.CALL,
      { id: 2 ** 48, service: "m.a_t:h-1", method: "add", timeoutMs: 2 ** 31, session: "s-1" },
    ],
    ["a RUN", Kind.RUN, { id: 0, method: "add", timeoutMs: 1 }],
    ["a RUN in a session", Kind.RUN, { id: 9, method: "count", timeoutMs: 30_000, session: "s-x" }],
    ["a DONE", Kind.DONE, { id: 3, ok: true }],
    ["a DONE that retires", Kind.DONE, { id: 3, ok: true, retire: true }],
    ["a DONE of a result the drone published", Kind.DONE, { id: 3, ok: true, replied: true }],
    [
      "a RUN over NATS, in a session",
      Kind.RUN,
      { id: 9, method: "count", timeoutMs: 30_000, session: "s-x", replyTo: "_INBOX.AbC123.9" },
    ],
    ["a RESULT", Kind.RESULT, { id: 12_345_678_901 }],
  ];
  for (const [what, kind, header] of compact) {
    it(`${what} goes compact and reads back as the same header`, () => {
      const frame = one(kind, header, serialize({ a: 1 }));
      assert.equal(headerByte(frame), COMPACT);
      const [read] = readAll([frame]);
      assert.deepEqual(read?.header, header);
      assert.equal(read?.kind, kind);
      assert.deepEqual(read?.body, serialize({ a: 1 }));
    });
  }

  const json: Array<[string, number, Header]> = [
    ["a failed DONE", Kind.DONE, { id: 3, ok: false, error: { name: "Error", message: "boom" } }],
    ["a DONE with retire: false", Kind.DONE, { id: 3, ok: true, retire: false }],
    ["a negative id", Kind.CALL, { id: -1, service: "math", method: "add" }],
    ["a name that is not a wire name", Kind.CALL, { id: 1, service: "../etc", method: "add" }],
    [
      "a timeout that is not a number",
      Kind.CALL,
      { id: 1, service: "math", method: "add", timeoutMs: "soon" },
    ],
    ["a fractional timeout", Kind.RUN, { id: 1, method: "add", timeoutMs: 1.5 }],
    ["a field outside the layout", Kind.RUN, { id: 1, method: "add", timeoutMs: 5, hops: 2 }],
    [
      "a reply subject the layout does not carry",
      Kind.RUN,
      { id: 1, method: "add", timeoutMs: 5, replyTo: "a b" },
    ],
    ["a DONE with replied: false", Kind.DONE, { id: 3, ok: true, replied: false }],
    ["a kind without a layout", Kind.CANCEL, { id: 1 }],
  ];
  for (const [what, kind, header] of json) {
    it(`${what} stays JSON, and reads back as it was`, () => {
      const frame = one(kind, header);
      assert.equal(headerByte(frame), JSON_START);
      assert.deepEqual(readAll([frame])[0]?.header, header);
    });
  }

  it("the hot-path encoders write exactly what encodeFrame does", () => {
    const params = serialize({ a: 1, b: 2 });
    const big = Buffer.alloc(100 * 1024, 7);
    const same = (fast: Buffer[], kind: number, header: Header, body: Buffer) =>
      assert.deepEqual(Buffer.concat(fast), one(kind, header, body));
    same(
      encodeRun(5, "add", 250, undefined, undefined, false, params),
      Kind.RUN,
      { id: 5, method: "add", timeoutMs: 250 },
      params,
    );
    same(
      encodeRun(5, "add", 250, "s-1", undefined, false, big),
      Kind.RUN,
      { id: 5, method: "add", timeoutMs: 250, session: "s-1" },
      big,
    );
    same(
      encodeRun(5, "add", 250, "s-1", "_INBOX.abc.7", false, params),
      Kind.RUN,
      { id: 5, method: "add", timeoutMs: 250, session: "s-1", replyTo: "_INBOX.abc.7" },
      params,
    );
    same(
      encodeRun(5, "add", 250, undefined, "_INBOX.abc.7", true, params),
      Kind.RUN,
      { id: 5, method: "add", timeoutMs: 250, replyTo: "_INBOX.abc.7", redelivered: true },
      params,
    );
    same(encodeDone(8, false, params), Kind.DONE, { id: 8, ok: true }, params);
    same(encodeDone(8, true, Buffer.alloc(0)), Kind.DONE, { id: 8, ok: true, retire: true }, Buffer.alloc(0));
    same(
      encodeDone(8, true, Buffer.alloc(0), true),
      Kind.DONE,
      { id: 8, ok: true, retire: true, replied: true },
      Buffer.alloc(0),
    );
    same(encodeResult(2 ** 40, params), Kind.RESULT, { id: 2 ** 40 }, params);
    const call = encodeCall(11, "math", "add", 5000, "s-2", { a: 1, b: 2 });
    assert.deepEqual(
      call,
      one(Kind.CALL, { id: 11, service: "math", method: "add", timeoutMs: 5000, session: "s-2" }, params),
    );
  });

  it("frames split anywhere, or many in one chunk, read back the same", () => {
    const frames = [
      one(Kind.CALL, { id: 1, service: "math", method: "add" }, serialize({ a: 1, b: 2 })),
      one(Kind.RESULT, { id: 2 }, serialize("two")),
      one(Kind.CANCEL, { id: 3 }),
      one(Kind.DONE, { id: 4, ok: true, retire: true }, Buffer.alloc(70 * 1024, 1)),
    ];
    const whole = Buffer.concat(frames);
    const expected = readAll(frames).map((frame) => frame.header);
    assert.equal(expected.length, 4);
    assert.deepEqual(
      readAll([whole]).map((frame) => frame.header),
      expected,
    );
    for (const cut of [1, 9, 12, 20, whole.length - 1]) {
      const read = readAll([whole.subarray(0, cut), whole.subarray(cut)]);
      assert.deepEqual(
        read.map((frame) => frame.header),
        expected,
        `cut at ${cut}`,
      );
      assert.deepEqual(read[3]?.body, Buffer.alloc(70 * 1024, 1));
    }
  });

  it("a compact header cut short, or on a kind without a layout, is not a frame", () => {
    const call = one(Kind.CALL, { id: 1, service: "math", method: "add" });
    // The same frame with its header's last byte gone: the method's name runs past the header.
    const short = Buffer.from(call.subarray(0, call.length - 1));
    short.writeUInt32BE(short.length - 4, 0);
    short.writeUInt32BE(short.length - PREFIX_BYTES, 5);
    assert.throws(() => readAll([short]), FrameError);
    const cancel = Buffer.from(one(Kind.RESULT, { id: 1 }));
    cancel[4] = Kind.CANCEL;
    assert.throws(() => readAll([cancel]), /no compact header/);
  });
});
